// How the sync status reads in the window.
import type { SyncStatus } from "./commands";

export function syncLine(s: SyncStatus | null, pending: number, now: (iso: string) => string = (iso) => new Date(iso).toLocaleTimeString()): string {
  if (!s) return `Offline workspace · ${pending} changes kept on this device`;
  switch (s.state) {
    case "idle":
      return `Up to date${s.last_success ? ` · last sync ${now(s.last_success)}` : ""}`;
    case "syncing":
      return s.progress ? `Syncing ${s.progress.done}/${s.progress.total}` : "Syncing…";
    case "offline":
      return `Offline · ${s.pending} changes waiting, will retry`;
    case "signed_out":
      return `Signed out · ${s.pending} changes waiting for sign-in`;
    default:
      return `Sync problem: ${s.message ?? "unknown"}`;
  }
}
