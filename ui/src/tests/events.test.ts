import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import Events from "../screens/Events.svelte";
import { mockCommands, reject } from "./ipc";

const $ = (id: string) => document.getElementById(id) as HTMLInputElement;

describe("events", () => {
  it("creates an event with UTC times and lists it", async () => {
    const rows: Record<string, unknown>[] = [];
    const calls = mockCommands({
      list_records: () => ({ items: rows, next_cursor: null }),
      create_record: (a) => {
        const row = { id: "e1", current_attendees: 0, status: "draft", ...a.fields };
        rows.push(row);
        return row;
      },
    });
    render(Events);
    await fireEvent.input($("ev-name"), { target: { value: "Web Summit" } });
    await fireEvent.input($("ev-start"), { target: { value: "2026-12-01T09:00" } });
    await fireEvent.input($("ev-end"), { target: { value: "2026-12-01T18:00" } });
    await fireEvent.input($("ev-capacity"), { target: { value: "50" } });
    await fireEvent.click($("ev-save"));
    await waitFor(() => expect(document.querySelectorAll("#events .event-row")).toHaveLength(1));
    expect(document.getElementById("events")!.textContent).toContain("Web Summit");
    expect(document.getElementById("events")!.textContent).toContain("0 / 50");
    expect($("ev-saved").textContent).toBe("Created Web Summit");
    const f = calls.find((c) => c.cmd === "create_record")!.args.fields;
    expect(f).toMatchObject({ title: "Web Summit", event_type: "conference", max_attendees: 50, start_date: new Date("2026-12-01T09:00").toISOString() });
    expect($("ev-name").value).toBe("");
  });

  it("shows the error beside the field and keeps the form", async () => {
    mockCommands({ list_records: () => ({ items: [], next_cursor: null }), create_record: reject("end_date", "must be after the start") });
    render(Events);
    await fireEvent.input($("ev-name"), { target: { value: "Backwards" } });
    await fireEvent.click($("ev-save"));
    await waitFor(() => expect($("ev-err-end_date").textContent).toBe("must be after the start"));
    expect($("ev-name").value).toBe("Backwards");
  });
});
