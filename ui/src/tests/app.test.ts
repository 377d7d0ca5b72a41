import { describe, expect, it, beforeEach } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import App from "../App.svelte";
import { app } from "../lib/app.svelte";
import { route, go, handleNavigate, parseHash } from "../lib/router.svelte";
import { mockCommands, workspace, contact } from "./ipc";

const summary = { follow_ups: [], events_today: [], events_upcoming: [], unread: [], unread_count: 0, pending_changes: 0, recent_captures: [], losing_touch: [] };

function shell(over: Record<string, (a: Record<string, any>) => unknown> = {}, events = false) {
  return mockCommands(
    {
      workspace_status: () => workspace(),
      get_settings: () => ({ theme: "dark", keep_running: true, reminder_lead_minutes: 15, media_cache_mb: 1024, server_url: null, signed_in_as: null, at_rest: "encrypted (SQLCipher); key in the OS keychain" }),
      sync_status: () => null,
      count_records: () => 4,
      home_summary: () => summary,
      list_records: () => ({ items: [], next_cursor: null }),
      search_contacts: () => [],
      search_contact_rows: () => [],
      count_contact_search: () => 0,
      get_record: (a) => contact(a.id.replace(/^c/, "")),
      audit_history: () => [],
      ...over,
    },
    { events },
  );
}

beforeEach(() => {
  history.replaceState(null, "", "#/home");
  route.screen = "home";
  route.id = null;
  app.helpOpen = false;
  app.captureOpen = false;
  app.query = "";
});

describe("shell", () => {
  it("shows the sync line, the unread badge and applies the theme", async () => {
    shell();
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("sync-status")!.textContent).toBe("Offline workspace · 3 changes kept on this device"));
    expect(document.getElementById("nav-unread")!.textContent).toBe("4");
    expect(document.documentElement.classList.contains("dark")).toBe(true);
    for (const s of ["home", "contacts", "events", "expenses", "media", "notifications", "analytics", "integrations", "settings"]) {
      expect(document.getElementById(`nav-${s}`)).not.toBeNull();
    }
  });

  it("draws the sidebar's icons as SVG, each link named in words, and the menu button opens and closes it", async () => {
    shell();
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("nav-contacts")).not.toBeNull());
    const link = document.getElementById("nav-contacts")!;
    expect(link.getAttribute("aria-label")).toBe("Contacts");
    expect(link.getAttribute("title")).toBe("Contacts (g c)");
    const svg = link.querySelector("svg")!;
    expect(svg.getAttribute("aria-hidden")).toBe("true");
    expect(svg.getAttribute("stroke")).toBe("currentColor");
    // No emoji anywhere in the sidebar (the Linux webview shows them as empty boxes).
    expect(document.querySelector(".sidenav")!.textContent).not.toMatch(/\p{Extended_Pictographic}/u);
    const toggle = document.getElementById("nav-toggle")!;
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    await fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(document.querySelector(".shell")!.classList.contains("nav-open")).toBe(true);
    await fireEvent.keyDown(window, { key: "Escape" });
    expect(document.querySelector(".shell")!.classList.contains("nav-open")).toBe(false);
    await fireEvent.click(toggle);
    await fireEvent.click(document.getElementById("nav-events")!);
    expect(route.screen).toBe("events");
    expect(document.querySelector(".shell")!.classList.contains("nav-open")).toBe(false);
  });

  it("lists the saved lists in the sidebar; one opens the contacts with its search and filters", async () => {
    const request = { equals: { tag: "investor" }, gte: {}, lte: {}, contains: {}, sort: null, descending: false, limit: null, cursor: null };
    shell({ saved_lists: () => [{ id: "l1", name: "Investors in Berlin", query: "berlin", request }] });
    render(App);
    await waitFor(() => expect(document.getElementById("nav-lists")?.textContent).toContain("Investors in Berlin"));
    await fireEvent.click(document.querySelector("#nav-lists a")!);
    expect(route.screen).toBe("contacts");
    expect(app.query).toBe("berlin");
  });

  it("opens the help overlay on ? and closes it on Esc", async () => {
    shell();
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("nav-home")).not.toBeNull());
    await fireEvent.keyDown(window, { key: "?" });
    await waitFor(() => expect(document.getElementById("help")).not.toBeNull());
    expect(document.getElementById("help")!.textContent).toContain("Ctrl+N");
    await fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() => expect(document.getElementById("help")).toBeNull());
  });

  it("does not open help while typing in a field", async () => {
    shell();
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("search")).not.toBeNull());
    await fireEvent.keyDown(document.getElementById("search")!, { key: "?" });
    expect(document.getElementById("help")).toBeNull();
  });

  it("Ctrl+N opens quick capture from any screen and focuses first name", async () => {
    shell();
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("nav-settings")).not.toBeNull());
    await fireEvent.click(document.getElementById("nav-settings")!);
    expect(route.screen).toBe("settings");
    expect(document.getElementById("cap-first")).toBeNull();
    await fireEvent.keyDown(window, { key: "n", ctrlKey: true });
    await waitFor(() => expect(document.activeElement?.id).toBe("cap-first"));
    expect(route.screen).toBe("settings");
  });

  it("g then a key goes to a screen; / focuses the search", async () => {
    shell();
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("nav-home")).not.toBeNull());
    await fireEvent.keyDown(window, { key: "g" });
    await fireEvent.keyDown(window, { key: "e" });
    expect(route.screen).toBe("events");
    await fireEvent.keyDown(window, { key: "g" });
    await fireEvent.keyDown(window, { key: "x" });
    expect(route.screen).toBe("expenses");
    await fireEvent.keyDown(window, { key: "/" });
    await waitFor(() => expect(document.activeElement?.id).toBe("search"));
  });

  it("typing in the search box shows the contacts screen", async () => {
    shell({ search_contact_rows: () => [contact("g", { first_name: "Grace", last_name: "Hopper", company: "Navy" })], count_contact_search: () => 1 });
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("search")).not.toBeNull());
    await fireEvent.input(document.getElementById("search")!, { target: { value: "gra" } });
    await waitFor(() => expect(document.getElementById("contacts")?.textContent).toContain("Grace Hopper · Navy"));
    expect(route.screen).toBe("contacts");
  });

  it("follows the shell's navigate event to a contact", async () => {
    shell({}, true);
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("nav-home")).not.toBeNull());
    await new Promise((r) => setTimeout(r, 10)); // the listener registers asynchronously
    await emit("navigate", { screen: "contact", id: "c7" });
    await waitFor(() => expect(route).toEqual({ screen: "contact", id: "c7" }));
    await waitFor(() => expect(document.getElementById("contact-name")?.textContent).toBe("First7 Last7"));
    await emit("navigate", { screen: "notifications", id: null });
    await waitFor(() => expect(route.screen).toBe("notifications"));
  });

  it("e on a contact's page opens its form, unless typing or right after g", async () => {
    shell();
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("nav-home")).not.toBeNull());
    go("contact", "c3");
    await waitFor(() => expect(document.getElementById("contact-edit")).not.toBeNull());
    await fireEvent.keyDown(document.getElementById("search")!, { key: "e" });
    expect(document.getElementById("contact-form")).toBeNull();
    await fireEvent.keyDown(window, { key: "e" });
    await waitFor(() => expect((document.getElementById("edit-first_name") as HTMLInputElement)?.value).toBe("First3"));
    await fireEvent.click(document.getElementById("edit-cancel")!);
    await waitFor(() => expect(document.getElementById("contact-view")).not.toBeNull());
    // g then e still goes to Events.
    await fireEvent.keyDown(window, { key: "g" });
    await fireEvent.keyDown(window, { key: "e" });
    expect(route.screen).toBe("events");
  });

  it("onboarding creates the workspace, then quick capture is ready", async () => {
    let initialized = false;
    const calls = shell({
      workspace_status: () => workspace({ initialized }),
      init_workspace: () => {
        initialized = true;
        return null;
      },
    });
    render(App, { poll: false });
    await waitFor(() => expect(document.getElementById("org-name")).not.toBeNull());
    await fireEvent.input(document.getElementById("org-name")!, { target: { value: "Acme Events" } });
    await fireEvent.input(document.getElementById("first-name")!, { target: { value: "Ada" } });
    await fireEvent.input(document.getElementById("last-name")!, { target: { value: "Lovelace" } });
    await fireEvent.input(document.getElementById("email")!, { target: { value: "ada@acme.test" } });
    await fireEvent.click(document.getElementById("create-workspace")!);
    await waitFor(() => expect(document.activeElement?.id).toBe("cap-first"));
    expect(calls.find((c) => c.cmd === "init_workspace")!.args.input).toEqual({ organization_name: "Acme Events", first_name: "Ada", last_name: "Lovelace", email: "ada@acme.test" });
  });
});

describe("router", () => {
  it("maps navigate payloads to screens", () => {
    handleNavigate({ screen: "event", id: "e1" });
    expect(route).toEqual({ screen: "event", id: "e1" });
    handleNavigate({ screen: "contact", id: null });
    expect(route).toEqual({ screen: "contacts", id: null });
    handleNavigate({ screen: "home", id: null });
    expect(route).toEqual({ screen: "home", id: null });
    handleNavigate({ screen: "nonsense", id: null });
    expect(route.screen).toBe("home");
    handleNavigate(null);
    expect(route.screen).toBe("home");
  });

  it("keeps the address in step", () => {
    go("contact", "c1");
    expect(location.hash).toBe("#/contact/c1");
    expect(parseHash("#/events")).toEqual({ screen: "events", id: null });
    expect(parseHash("#/bogus/1")).toEqual({ screen: "home", id: null });
  });
});
