// Calls into the Rust commands. Errors arrive as {code, field, message}.
import { invoke } from "@tauri-apps/api/core";
import type { Contact, ErrorPayload } from "./bindings";

export type { Contact, ErrorPayload };
export type Row = Record<string, unknown> & { id: string };
export type Page = { items: Row[]; next_cursor: string | null };
export type SyncStatus = {
  state: "idle" | "syncing" | "offline" | "error" | "signed_out";
  message: string | null;
  pending: number;
  last_success: string | null;
  progress: { done: number; total: number } | null;
};
export type WorkspaceStatus = { initialized: boolean; user_id: string | null; organization_id: string | null; pending_changes: number };

export const api = {
  status: () => invoke<WorkspaceStatus>("workspace_status"),
  init: (input: { organization_name: string; first_name: string; last_name: string; email: string }) => invoke<void>("init_workspace", { input }),
  create: (table: string, fields: Record<string, unknown>) => invoke<Row>("create_record", { table, fields }),
  update: (table: string, id: string, fields: Record<string, unknown>) => invoke<Row>("update_record", { table, id, fields }),
  list: (table: string, request: { equals?: Record<string, unknown>; sort?: string; descending?: boolean; limit?: number; cursor?: string } = {}) =>
    invoke<Page>("list_records", { table, request }),
  syncStatus: () => invoke<SyncStatus | null>("sync_status"),
  syncNow: () => invoke<void>("sync_now"),
  search: (query: string, limit = 50) => invoke<Contact[]>("search_contacts", { query, limit }),
};

export function asError(e: unknown): ErrorPayload {
  if (e && typeof e === "object" && "code" in e) return e as ErrorPayload;
  return { code: "unknown", field: null, message: String(e) };
}
