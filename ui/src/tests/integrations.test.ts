import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import Integrations from "../screens/Integrations.svelte";
import { deferred, mockCommands, type Handler } from "./ipc";

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
const button = (id: string) => $<HTMLButtonElement>(id);

const TYPES: Record<string, string> = { hubspot: "crm", mailchimp: "email", zoom: "video", teams: "calendar" };

function integration(provider: string, over: Record<string, unknown> = {}) {
  return {
    id: `i-${provider}`, organization_id: "o1", provider, integration_type: TYPES[provider], credentials: { keychain_ref: `integration/o1/${provider}/x` }, settings: {},
    is_active: true, last_sync: null, status: "connected", metadata: {}, created_at: "2026-12-01T00:00:00Z", updated_at: "2026-12-01T00:00:00Z", is_deleted: false, deleted_at: null, ...over,
  };
}
const hubspot = (over: Record<string, unknown> = {}) => integration("hubspot", over);

const run = (id: string, message: string, over: Record<string, unknown> = {}) => ({
  id, organization_id: "o1", integration_id: "i1", operation: "sync", status: "success", message, request_data: null, response_data: null, started_at: "2026-12-02T20:40:00Z",
  completed_at: "2026-12-02T20:40:12Z", records_processed: 0, records_failed: 0, error_details: null, created_at: "2026-12-02T20:40:12Z", ...over,
});
const report = (message: string, status = "success") => ({ log_id: "l1", status, message, counts: { pulled: 0, created: 0, updated: 0, skipped: 0, failed: [] }, requests: 1, throttled: 0 });

const tags = [{ tag: "vip", count: 12 }, { tag: "investor", count: 3 }];
const lists = [{ id: "0b7e5c1e-0000-4000-8000-000000000001", name: "Berlin founders", query: "", request: { equals: {}, gte: {}, lte: {}, contains: {}, sort: null, descending: false, limit: null, cursor: null } }];

/** The rows list_integrations answers, kept by the test. */
function store(initial: unknown[] = []) {
  const s = { rows: initial as Record<string, any>[] };
  const handlers: Record<string, Handler> = {
    list_records: () => ({ items: s.rows, next_cursor: null }),
    integration_logs: () => [],
    contact_tags: () => tags,
    saved_lists: () => lists,
  };
  return { s, handlers };
}

describe("integrations", () => {
  it("connects HubSpot with a token, runs it, shows the run, and says why a refused token needs reconnecting", async () => {
    let rows: unknown[] = [];
    let runs: unknown[] = [];
    const calls = mockCommands({
      list_records: () => ({ items: rows, next_cursor: null }),
      connect_integration: (a) => {
        if (!a.secret.trim()) throw { code: "required", field: "secret", message: "is required" };
        rows = [hubspot()];
        return rows[0];
      },
      integration_logs: () => runs,
      run_integration: () => {
        runs = [run("l1", "3 pulled, 250 created and 2 updated in HubSpot, 1 failed", { status: "partial", records_processed: 255, records_failed: 1 })];
        rows = [hubspot({ last_sync: "2026-12-02T20:40:12Z", status: "error", metadata: { last_error: "HubSpot refused the credential: reconnect" } })];
        return report("3 pulled, 250 created and 2 updated in HubSpot, 1 failed", "partial");
      },
    });
    render(Integrations);
    await waitFor(() => expect($("integrations-none").textContent).toContain("No connections yet"));
    for (const p of ["hubspot", "mailchimp", "zoom", "teams"]) expect($(`connect-${p}`)).not.toBeNull();
    expect(button("hubspot-connect").disabled).toBe(true);
    await fireEvent.input($("hubspot-token"), { target: { value: "pat-na1-secret" } });
    await fireEvent.click($("hubspot-connect"));
    await waitFor(() => expect($("integrations-message").textContent).toContain("HubSpot connected"));
    expect(calls.find((c) => c.cmd === "connect_integration")!.args).toEqual({ provider: "hubspot", integrationType: "", secret: "pat-na1-secret", settings: {} });
    await waitFor(() => expect(document.getElementById("connect-hubspot")).toBeNull());
    expect($("connect-mailchimp")).not.toBeNull();
    expect(document.body.textContent).not.toContain("pat-na1-secret");
    expect(document.querySelector<HTMLSelectElement>("#integration-hubspot .frequency")!.value).toBe("hourly");
    await fireEvent.click(document.querySelector("#integration-hubspot .run")!);
    await waitFor(() => expect($("integrations-message").textContent).toBe("HubSpot: 3 pulled, 250 created and 2 updated in HubSpot, 1 failed."));
    await waitFor(() => expect($("logs-hubspot").textContent).toContain("255 records, 1 failed"));
    expect($("logs-hubspot").textContent).toContain("HubSpot runs");
    expect($("logs-hubspot").textContent).toContain("Partial");
    expect($("integration-hubspot").textContent).toContain("reconnect");
    // A refused token: the form is back to connect again.
    expect($("connect-hubspot").textContent).toContain("Connect HubSpot again");
  });

  it("shows a refused token next to its field", async () => {
    mockCommands({ ...store().handlers, connect_integration: () => Promise.reject({ code: "unauthorized", field: "secret", message: "HubSpot refused this token" }) });
    render(Integrations);
    await waitFor(() => expect($("integrations-none")).not.toBeNull());
    await fireEvent.input($("hubspot-token"), { target: { value: "pat-wrong" } });
    await fireEvent.click($("hubspot-connect"));
    await waitFor(() => expect($("hubspot-token-error").textContent).toBe("HubSpot refused this token"));
    expect($("hubspot-token").getAttribute("aria-invalid")).toBe("true");
    expect($("connect-hubspot")).not.toBeNull();
  });

  it("connects Mailchimp with an audience and what to send, showing a refused audience next to its field", async () => {
    const st = store();
    const calls = mockCommands({
      ...st.handlers,
      connect_integration: (a) => {
        if (a.settings.list_id !== "a1b2c3") return Promise.reject({ code: "not_found", field: "list_id", message: "Mailchimp has no audience 'nope'" });
        st.s.rows = [integration("mailchimp", { settings: a.settings })];
        return st.s.rows[0];
      },
      configure_integration: (a) => {
        st.s.rows = [integration("mailchimp", { settings: { ...st.s.rows[0].settings, ...a.settings } })];
        return st.s.rows[0];
      },
    });
    render(Integrations);
    await waitFor(() => expect($("integrations-none")).not.toBeNull());
    expect($("connect-mailchimp").textContent).toContain("-us6");
    await fireEvent.input($("mailchimp-key"), { target: { value: "0123abcd-us6" } });
    expect(button("mailchimp-connect").disabled).toBe(true);
    await fireEvent.input($("mailchimp-list"), { target: { value: "nope" } });
    expect(button("mailchimp-connect").disabled).toBe(false);
    // Tags with their counts, and the saved lists, are the choices.
    await waitFor(() => expect($("mailchimp-push").textContent).toContain("#vip (12 contacts)"));
    expect($("mailchimp-push").textContent).toContain("Berlin founders");
    await fireEvent.change($("mailchimp-push"), { target: { value: "tag:vip" } });
    await fireEvent.click($("mailchimp-double-opt-in"));
    await fireEvent.click($("mailchimp-connect"));
    await waitFor(() => expect($("mailchimp-list-error").textContent).toBe("Mailchimp has no audience 'nope'"));
    expect($("mailchimp-list").getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById("mailchimp-key-error")).toBeNull();
    await fireEvent.input($("mailchimp-list"), { target: { value: "a1b2c3" } });
    await fireEvent.click($("mailchimp-connect"));
    await waitFor(() => expect($("integrations-message").textContent).toContain("Mailchimp connected"));
    expect(calls.filter((c) => c.cmd === "connect_integration").slice(-1)[0].args).toEqual({
      provider: "mailchimp", integrationType: "", secret: "0123abcd-us6", settings: { list_id: "a1b2c3", push: "tag:vip", double_opt_in: true },
    });
    await waitFor(() => expect(document.getElementById("connect-mailchimp")).toBeNull());
    // The row says what is sent, and changes it.
    const push = $("integration-mailchimp").querySelector<HTMLSelectElement>(".push")!;
    await waitFor(() => expect(push.value).toBe("tag:vip"));
    await fireEvent.change(push, { target: { value: `list:${lists[0].id}` } });
    await waitFor(() => expect(calls.some((c) => c.cmd === "configure_integration")).toBe(true));
    expect(calls.find((c) => c.cmd === "configure_integration")!.args).toEqual({ provider: "mailchimp", settings: { push: `list:${lists[0].id}` } });
  });

  it("connects Zoom with the app's account and client ids and its secret", async () => {
    const st = store();
    const calls = mockCommands({
      ...st.handlers,
      connect_integration: (a) => {
        st.s.rows = [integration("zoom", { settings: a.settings })];
        return st.s.rows[0];
      },
    });
    render(Integrations);
    await waitFor(() => expect($("integrations-none")).not.toBeNull());
    await fireEvent.input($("zoom-account"), { target: { value: " acct-1 " } });
    await fireEvent.input($("zoom-client"), { target: { value: "client-1" } });
    expect(button("zoom-connect").disabled).toBe(true);
    await fireEvent.input($("zoom-secret"), { target: { value: "s3cret" } });
    expect($("zoom-secret").getAttribute("type")).toBe("password");
    await fireEvent.click($("zoom-connect"));
    await waitFor(() => expect($("integrations-message").textContent).toBe("Zoom connected. The client secret is kept in this computer's keychain."));
    expect(calls.find((c) => c.cmd === "connect_integration")!.args).toEqual({ provider: "zoom", integrationType: "", secret: "s3cret", settings: { account_id: "acct-1", client_id: "client-1" } });
    await waitFor(() => expect($("integration-zoom").textContent).toContain("Video"));
    expect(document.getElementById("connect-zoom")).toBeNull();
    expect(document.body.textContent).not.toContain("s3cret");
  });

  it("signs in to Microsoft for Teams: shows the code and the link, then connects", async () => {
    const st = store();
    const finish = deferred<unknown>();
    const calls = mockCommands({
      ...st.handlers,
      teams_sign_in_start: () => ({ user_code: "FXK2-9QZP", verification_uri: "https://microsoft.com/devicelogin", message: "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FXK2-9QZP to authenticate.", expires_in: 900, interval: 5 }),
      teams_sign_in_finish: () => finish.promise,
    });
    render(Integrations);
    await waitFor(() => expect($("integrations-none")).not.toBeNull());
    expect(button("teams-sign-in").disabled).toBe(true);
    expect($("teams-tenant").getAttribute("placeholder")).toBe("organizations");
    await fireEvent.input($("teams-client"), { target: { value: "11111111-2222-3333-4444-555555555555" } });
    await fireEvent.click($("teams-sign-in"));
    await waitFor(() => expect($("teams-code").textContent).toBe("FXK2-9QZP"));
    expect(calls.find((c) => c.cmd === "teams_sign_in_start")!.args).toEqual({ settings: { client_id: "11111111-2222-3333-4444-555555555555" } });
    expect($<HTMLAnchorElement>("teams-link").getAttribute("href")).toBe("https://microsoft.com/devicelogin");
    expect($("connect-teams").textContent).toContain("To sign in, use a web browser");
    expect($("connect-teams").textContent).toContain("15 minutes");
    expect(document.getElementById("teams-sign-in")).toBeNull();
    await waitFor(() => expect(calls.some((c) => c.cmd === "teams_sign_in_finish")).toBe(true));
    st.s.rows = [integration("teams", { settings: { client_id: "11111111-2222-3333-4444-555555555555" } })];
    finish.resolve(st.s.rows[0]);
    await waitFor(() => expect($("integrations-message").textContent).toContain("Microsoft Teams connected"));
    await waitFor(() => expect(document.getElementById("connect-teams")).toBeNull());
    expect($("integration-teams").textContent).toContain("Calendar");
  });

  it("says why a Teams sign-in failed and lets it start again; Cancel hides the code", async () => {
    let finishes = 0;
    mockCommands({
      ...store().handlers,
      teams_sign_in_start: (a) =>
        a.settings.tenant === "bad tenant"
          ? Promise.reject({ code: "invalid_tenant", field: "tenant", message: "a tenant id or domain (contoso.onmicrosoft.com), or organizations" })
          : { user_code: "ABCD-EFGH", verification_uri: "https://microsoft.com/devicelogin", message: "Sign in", expires_in: 900, interval: 5 },
      teams_sign_in_finish: () => (++finishes === 1 ? Promise.reject({ code: "sign_in", field: null, message: "the sign-in was declined at Microsoft: start again" }) : new Promise(() => {})),
    });
    render(Integrations);
    await waitFor(() => expect($("integrations-none")).not.toBeNull());
    await fireEvent.input($("teams-client"), { target: { value: "app-id" } });
    await fireEvent.input($("teams-tenant"), { target: { value: "bad tenant" } });
    await fireEvent.click($("teams-sign-in"));
    await waitFor(() => expect($("teams-tenant-error").textContent).toContain("a tenant id or domain"));
    await fireEvent.input($("teams-tenant"), { target: { value: "" } });
    await fireEvent.click($("teams-sign-in"));
    await waitFor(() => expect($("teams-error").textContent).toBe("the sign-in was declined at Microsoft: start again"));
    expect(document.getElementById("teams-code")).toBeNull();
    expect(button("teams-sign-in").disabled).toBe(false);
    await fireEvent.click($("teams-sign-in"));
    await waitFor(() => expect($("teams-code").textContent).toBe("ABCD-EFGH"));
    expect($("teams-error").textContent).toBe("");
    await fireEvent.click($("teams-cancel"));
    expect(document.getElementById("teams-code")).toBeNull();
    expect(button("teams-sign-in").disabled).toBe(false);
  });

  it("changes how often a connection runs, and runs it now", async () => {
    const st = store([integration("zoom", { settings: { account_id: "a", client_id: "c" } })]);
    const calls = mockCommands({
      ...st.handlers,
      configure_integration: (a) => {
        if (a.settings.sync_frequency === "15m") return Promise.reject({ code: "invalid_choice", field: "sync_frequency", message: "not now" });
        st.s.rows = [integration("zoom", { settings: { ...st.s.rows[0].settings, ...a.settings } })];
        return st.s.rows[0];
      },
      run_integration: () => report("4 meetings read, 12 people: 3 attendees, 9 contacts"),
    });
    render(Integrations);
    const freq = () => $("integration-zoom").querySelector<HTMLSelectElement>(".frequency")!;
    await waitFor(() => expect(freq().value).toBe("hourly"));
    expect(freq().selectedOptions[0].textContent).toBe("Runs hourly");
    expect(document.querySelector("#integration-zoom .push")).toBeNull();
    await fireEvent.change(freq(), { target: { value: "daily" } });
    await waitFor(() => expect(calls.some((c) => c.cmd === "configure_integration")).toBe(true));
    expect(calls.find((c) => c.cmd === "configure_integration")!.args).toEqual({ provider: "zoom", settings: { sync_frequency: "daily" } });
    await waitFor(() => expect(freq().selectedOptions[0].textContent).toBe("Runs daily"));
    // A refused change says why and shows the frequency kept.
    await fireEvent.change(freq(), { target: { value: "15m" } });
    await waitFor(() => expect($("integrations-error").textContent).toBe("Zoom: sync_frequency: not now"));
    expect(freq().value).toBe("daily");
    await fireEvent.click(document.querySelector("#integration-zoom .run")!);
    await waitFor(() => expect($("integrations-message").textContent).toBe("Zoom: 4 meetings read, 12 people: 3 attendees, 9 contacts."));
    expect(document.getElementById("integrations-error")).toBeNull();
  });
});
