// How the sync status reads in the window.
import type { SyncStatus } from "./commands";
import { plural } from "./lib/util";

export function syncLine(s: SyncStatus | null, pending: number, now: (iso: string) => string = (iso) => new Date(iso).toLocaleTimeString()): string {
  if (!s) return `Offline workspace · ${plural(pending, "change")} kept on this device`;
  switch (s.state) {
    case "idle":
      return `Up to date${s.last_success ? ` · last sync ${now(s.last_success)}` : ""}`;
    case "syncing":
      return s.progress ? `Syncing ${s.progress.done}/${s.progress.total}` : "Syncing…";
    case "offline":
      return `Offline · ${plural(s.pending, "change")} waiting, will retry`;
    case "signed_out":
      return `Signed out · ${plural(s.pending, "change")} waiting for sign-in`;
    default:
      return `Sync problem: ${s.message ?? "unknown"}`;
  }
}
