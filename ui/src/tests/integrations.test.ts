import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import Integrations from "../screens/Integrations.svelte";
import { mockCommands } from "./ipc";

const $ = (id: string) => document.getElementById(id) as HTMLElement;

function hubspot(over: Record<string, unknown> = {}) {
  return {
    id: "i1", organization_id: "o1", provider: "hubspot", integration_type: "crm", credentials: { keychain_ref: "integration/o1/hubspot/x" }, settings: {},
    is_active: true, last_sync: null, status: "connected", metadata: {}, created_at: "2026-12-01T00:00:00Z", updated_at: "2026-12-01T00:00:00Z", is_deleted: false, deleted_at: null, ...over,
  };
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
        runs = [{ id: "l1", organization_id: "o1", integration_id: "i1", operation: "sync", status: "partial", message: "3 pulled, 250 created and 2 updated in HubSpot, 1 failed", request_data: null, response_data: null, started_at: "2026-12-02T20:40:00Z", completed_at: "2026-12-02T20:40:12Z", records_processed: 255, records_failed: 1, error_details: null, created_at: "2026-12-02T20:40:12Z" }];
        rows = [hubspot({ last_sync: "2026-12-02T20:40:12Z", status: "error", metadata: { last_error: "HubSpot refused the credential: reconnect" } })];
        return { log_id: "l1", status: "partial", message: "3 pulled, 250 created and 2 updated in HubSpot, 1 failed", counts: { pulled: 3, created: 250, updated: 2, skipped: 0, failed: [] }, requests: 5, throttled: 0 };
      },
    });
    render(Integrations);
    await waitFor(() => expect($("integrations-none").textContent).toContain("No connections yet"));
    expect(($("hubspot-connect") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input($("hubspot-token"), { target: { value: "pat-na1-secret" } });
    await fireEvent.click($("hubspot-connect"));
    await waitFor(() => expect($("integrations-message").textContent).toContain("HubSpot connected"));
    expect(calls.find((c) => c.cmd === "connect_integration")!.args).toEqual({ provider: "hubspot", integrationType: "crm", secret: "pat-na1-secret" });
    await waitFor(() => expect(document.getElementById("connect-hubspot")).toBeNull());
    expect(document.body.textContent).not.toContain("pat-na1-secret");
    await fireEvent.click(document.querySelector("#integration-hubspot .run")!);
    await waitFor(() => expect($("integrations-message").textContent).toContain("250 created"));
    await waitFor(() => expect($("logs-hubspot").textContent).toContain("255 records, 1 failed"));
    expect($("logs-hubspot").textContent).toContain("HubSpot runs");
    expect($("logs-hubspot").textContent).toContain("Partial");
    expect($("integration-hubspot").textContent).toContain("reconnect");
  });
});
