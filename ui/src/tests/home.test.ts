import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import Home from "../screens/Home.svelte";
import { route } from "../lib/router.svelte";
import { mockCommands, contact } from "./ipc";

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const empty = { follow_ups: [], events_today: [], events_upcoming: [], unread: [], unread_count: 0, pending_changes: 1 };

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
});
