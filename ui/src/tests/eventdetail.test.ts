import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import EventDetail from "../screens/EventDetail.svelte";
import { users } from "../lib/app.svelte";
import { mockCommands, reject, user } from "./ipc";

const event = {
  id: "e1", organization_id: "o1", created_by: "u1", title: "Web Summit", description: null, event_type: "conference", status: "published",
  start_date: "2026-12-01T09:00:00Z", end_date: "2026-12-01T18:00:00Z", timezone: "UTC", location: "Lisbon", venue: null, venue_details: {},
  budget: "1000.00", currency: "EUR", max_attendees: 2, current_attendees: 2, registration_url: null, settings: {}, metadata: {},
  created_at: "2026-11-01T00:00:00Z", updated_at: "2026-11-01T00:00:00Z", is_deleted: false, deleted_at: null, updated_by: null,
};
const attendee = { id: "a1", organization_id: "o1", event_id: "e1", user_id: "u1", status: "registered", registration_date: "2026-11-02T00:00:00Z", check_in_time: null, check_out_time: null, notes: null, metadata: {}, created_at: "2026-11-02T00:00:00Z", updated_at: "2026-11-02T00:00:00Z", is_deleted: false, deleted_at: null };
const grace = { ...user, id: "u2", first_name: "Grace", last_name: "Hopper", email: "grace@navy.test", is_admin: false };

describe("event detail", () => {
  it("shows capacity, the capacity error on registration, and checks in", async () => {
    const calls = mockCommands({
      get_record: () => event,
      list_records: (a) => {
        if (a.table === "users") return { items: [user, grace], next_cursor: null };
        if (a.table === "event_attendees") return { items: [attendee], next_cursor: null };
        return { items: [], next_cursor: null };
      },
      expense_totals: () => [{ currency: "EUR", event_id: null, event_name: null, count: 3, total: "420.00" }],
      search_contacts: () => [],
      create_record: reject("event_id", "'Web Summit' is full (2 of 2 places taken)", "conflict"),
      check_in: (a) => ({ ...attendee, id: a.attendeeId, status: "attended", check_in_time: "2026-12-01T09:05:00Z" }),
    });
    await users(true);
    render(EventDetail, { id: "e1" });
    await waitFor(() => expect(document.getElementById("ev-capacity-text")!.textContent).toBe("2 / 2"));
    await waitFor(() => expect(document.getElementById("ev-spent")!.textContent).toBe("420.00"));
    await waitFor(() => expect(document.querySelectorAll(".attendee-row")).toHaveLength(1));
    expect(document.querySelector(".attendee-row")!.textContent).toContain("Ada Lovelace");

    await fireEvent.input(document.getElementById("att-search")!, { target: { value: "grace" } });
    await waitFor(() => expect(document.querySelectorAll(".att-pick")).toHaveLength(1));
    await fireEvent.click(document.querySelector(".att-pick")!);
    await fireEvent.click(document.getElementById("att-register")!);
    await waitFor(() => expect(document.getElementById("att-error")!.textContent).toBe("event_id: 'Web Summit' is full (2 of 2 places taken)"));
    expect(calls.find((c) => c.cmd === "create_record")!.args).toEqual({ table: "event_attendees", fields: { event_id: "e1", user_id: "u2" } });

    await fireEvent.click(document.querySelector(".attendee-row .att-checkin")!);
    await waitFor(() => expect(calls.some((c) => c.cmd === "check_in" && c.args.attendeeId === "a1")).toBe(true));
  });
});
