// A command table for mockIPC: each test answers only the commands it cares about.
import { mockIPC } from "@tauri-apps/api/mocks";

export type Handler = (args: Record<string, any>) => unknown;
export type Call = { cmd: string; args: Record<string, any> };

export function mockCommands(handlers: Record<string, Handler>, options?: { events?: boolean }): Call[] {
  const calls: Call[] = [];
  mockIPC(
    (cmd, args) => {
      let a = (args ?? {}) as Record<string, any>;
      // A table's typed command (`list_contacts`, `update_contact`) reaches the test's handler of
      // the record command it stands for (`list_records` with `table: "contacts"`), unless the
      // test answers the typed command itself.
      const typed = handlers[cmd] ? null : recordCommand(cmd);
      if (typed) [cmd, a] = [typed.cmd, { table: typed.table, ...a }];
      calls.push({ cmd, args: a });
      const h = handlers[cmd];
      if (!h) return Promise.reject({ code: "unmocked", field: null, message: `no mock for ${cmd}` });
      return h(a);
    },
    { shouldMockEvents: options?.events ?? false },
  );
  return calls;
}

const TABLES: Record<string, string> = {
  contact: "contacts", contact_interaction: "contact_interactions", event: "events", event_attendee: "event_attendees",
  event_agenda_item: "event_agenda_items", expense: "expenses", media: "media", media_collection: "media_collections",
  media_collection_item: "media_collection_items", notification: "notifications", integration: "integrations", user: "users",
};
const PLURAL = Object.fromEntries(Object.values(TABLES).map((t) => [t, t]));

function recordCommand(cmd: string): { cmd: string; table: string } | null {
  const m = /^(create|get|update|delete|restore|list|count)_(\w+)$/.exec(cmd);
  if (!m) return null;
  const many = m[1] === "list" || m[1] === "count";
  const table = many ? PLURAL[m[2]] : TABLES[m[2]];
  if (!table) return null;
  return { cmd: many ? `${m[1]}_records` : `${m[1]}_record`, table };
}

export const reject = (field: string | null, message: string, code = "invalid") => () => Promise.reject({ code, field, message });

export function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const user = {
  id: "u1", organization_id: "o1", email: "ada@acme.test", password_hash: "", first_name: "Ada", last_name: "Lovelace", phone: null, bio: null, avatar_url: null,
  job_title: null, company: null, linkedin_url: null, is_active: true, is_verified: true, is_admin: true, verified_at: null, last_login: null,
  created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", is_deleted: false, deleted_at: null, created_by: null, updated_by: null,
};

export const workspace = (over: Record<string, unknown> = {}) => ({
  initialized: true, user, organization: { id: "o1", name: "Acme Events" }, is_admin: true, pending_changes: 3, ...over,
});

export function contact(i: number | string, over: Record<string, unknown> = {}) {
  return {
    id: `c${i}`, organization_id: "o1", created_by: "u1", first_name: `First${i}`, last_name: `Last${i}`, email: null, phone: null, company: `Co${i}`,
    job_title: null, linkedin_url: null, bio: null, avatar_url: null, contact_type: "target", status: "cold_lead", priority: "medium",
    business_type: null, network_type: null, industry: null, notes: null, metadata: {}, lead_score: 0, last_interaction: null,
    created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", is_deleted: false, deleted_at: null, updated_by: null, ...over,
  };
}
