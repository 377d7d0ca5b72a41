import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import Home from "../screens/Home.svelte";
import { route } from "../lib/router.svelte";
import { mockCommands, contact } from "./ipc";

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const empty = { follow_ups: [], events_today: [], events_upcoming: [], unread: [], unread_count: 0, pending_changes: 1, losing_touch: [] as unknown[] };

describe("home", () => {
  it("shows the people just met, newest first, each a link to their page", async () => {
    mockCommands({
      home_summary: () => ({
        ...empty,
        recent_captures: [
          contact("c2", { first_name: "Alan", last_name: "Turing", job_title: "Cryptanalyst", company: "Bletchley Park", created_at: "2026-12-02T09:00:00Z" }),
          contact("c1", { first_name: "Grace", last_name: "Hopper", job_title: null, company: "US Navy", created_at: "2026-12-01T09:00:00Z" }),
        ],
      }),
      sync_status: () => null,
    });
    render(Home);
    await waitFor(() => expect($("recent-captures").textContent).toContain("Alan Turing"));
    const items = [...$("recent-captures").querySelectorAll("li")].map((li) => li.textContent);
    expect(items[0]).toContain("Cryptanalyst at Bletchley Park");
    expect(items[1]).toContain("Grace Hopper");
    expect(items[1]).toContain("US Navy");
    await fireEvent.click($("recent-captures").querySelector("button")!);
    expect(route.screen).toBe("contact");
    expect($("home-pending").textContent).toBe("1 change not yet synced");
  });

  it("says so when nobody was met lately", async () => {
    mockCommands({ home_summary: () => ({ ...empty, recent_captures: [] }), sync_status: () => null });
    render(Home);
    await waitFor(() => expect($("home-recent").textContent).toContain("Nobody in the last two weeks"));
  });

  it("lists the people losing touch, most overdue first, with a touch logged by a click or the L key", async () => {
    const ada = { contact_id: "c1", first_name: "Ada", last_name: "Byron", company: "Engines", cadence: { every: 2, unit: "weeks" }, from_tag: null, last_touch: "2026-11-01T10:00:00Z", next_touch: "2026-11-15T10:00:00Z", days_overdue: 17 };
    const bob = { contact_id: "c2", first_name: "Bob", last_name: "Kahn", company: null, cadence: { every: 1, unit: "months" }, from_tag: "investor", last_touch: "2026-10-20T10:00:00Z", next_touch: "2026-11-20T10:00:00Z", days_overdue: 1 };
    let losing = [ada, bob];
    const calls = mockCommands({
      home_summary: () => ({ ...empty, recent_captures: [], losing_touch: losing }),
      sync_status: () => null,
      log_touch: (a) => {
        losing = losing.filter((l) => l.contact_id !== a.contactId);
        return "i1";
      },
      snooze_touch: (a) => {
        losing = losing.filter((l) => l.contact_id !== a.contactId);
        return null;
      },
    });
    render(Home);
    await waitFor(() => expect($("losing-touch").querySelectorAll("li").length).toBe(2));
    const rows = [...$("losing-touch").querySelectorAll("li")];
    expect(rows[0].textContent).toContain("Ada Byron");
    expect(rows[0].textContent).toContain("17 days overdue");
    expect(rows[0].textContent).toContain("every 2 weeks");
    expect(rows[1].textContent).toContain("1 day overdue");
    expect(rows[1].textContent).toContain("every month (#investor)");
    await fireEvent.keyDown(rows[0], { key: "l" });
    await waitFor(() => expect($("losing-touch").querySelectorAll("li").length).toBe(1));
    expect(calls.find((c) => c.cmd === "log_touch")!.args).toEqual({ contactId: "c1", interactionType: null });
    await fireEvent.click($("losing-touch").querySelector(".touch-snooze")!);
    await waitFor(() => expect($("home-losing-touch").textContent).toContain("Everyone you keep in touch with is up to date"));
    const until = Date.parse(calls.find((c) => c.cmd === "snooze_touch")!.args.until);
    expect(until - Date.now()).toBeGreaterThan(6.9 * 86400_000);
  });
});
