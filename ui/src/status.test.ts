import { describe, expect, it } from "vitest";
import { syncLine } from "./status";
import type { SyncStatus } from "./commands";

const base: SyncStatus = { state: "idle", message: null, pending: 0, last_success: null, progress: null, files: null };

describe("syncLine", () => {
  it("says when the workspace is not linked to a server", () => {
    expect(syncLine(null, 3)).toBe("Offline workspace · 3 changes kept on this device");
    expect(syncLine(null, 1)).toBe("Offline workspace · 1 change kept on this device");
  });
  it("shows progress while syncing", () => {
    expect(syncLine({ ...base, state: "syncing", progress: { done: 500, total: 2000 } }, 0)).toBe("Syncing 500/2000");
  });
  it("treats offline as a state with pending changes, not an error", () => {
    expect(syncLine({ ...base, state: "offline", pending: 4, message: "cannot reach" }, 4)).toBe("Offline · 4 changes waiting, will retry");
    expect(syncLine({ ...base, state: "offline", pending: 1, message: "cannot reach" }, 1)).toBe("Offline · 1 change waiting, will retry");
    expect(syncLine({ ...base, state: "signed_out", pending: 1 }, 1)).toBe("Signed out · 1 change waiting for sign-in");
  });
  it("shows the last sync time when up to date", () => {
    expect(syncLine({ ...base, last_success: "2026-11-24T14:03:05.123456Z" }, 0, () => "14:03")).toBe("Up to date · last sync 14:03");
  });
  it("names the problem on error", () => {
    expect(syncLine({ ...base, state: "error", message: "server: bad gateway" }, 0)).toBe("Sync problem: server: bad gateway");
  });
});
