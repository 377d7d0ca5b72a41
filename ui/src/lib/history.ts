// A record's history in words: "Email changed from — to grace@navy.test".
import type { AuditLog, JsonValue } from "../bindings";
import { fmtDate, formatDateTime, label } from "./util";

/** Field names people know them by; others are turned from snake_case into "Sentence case". */
export const FIELD_NAMES: Record<string, string> = {
  first_name: "First name",
  last_name: "Last name",
  email: "Email",
  phone: "Phone",
  company: "Company",
  job_title: "Job title",
  linkedin_url: "LinkedIn",
  avatar_url: "Photo link",
  website: "Web site",
  contact_type: "Type",
  lead_score: "Lead score",
  last_interaction: "Last interaction",
  business_type: "Business type",
  network_type: "Network type",
  bio: "Bio",
  notes: "Notes",
  metadata: "Other details",
  is_deleted: "Deleted",
  deleted_at: "Deleted on",
  start_date: "Start",
  end_date: "End",
  timezone: "Time zone",
  max_attendees: "Capacity",
  current_attendees: "Attendees",
  registration_url: "Registration link",
  event_type: "Type",
  expense_type: "Type",
  expense_date: "Date",
  event_id: "Event",
  receipt_url: "Receipt link",
  approved_by: "Approved by",
  approved_at: "Approved on",
  interaction_type: "Type",
  interaction_date: "Date",
  is_admin: "Admin",
  is_active: "Active",
  is_read: "Read",
};

/** Fields whose values are choices from a list ("hot_lead" reads "Hot lead"). */
const CHOICES = new Set([
  "status", "contact_type", "priority", "event_type", "expense_type", "interaction_type", "agenda_type", "media_type", "collection_type",
  "access_level", "notification_type", "channel", "provider", "integration_type",
]);

/** Amounts of money: shown with the record's currency. */
const MONEY = new Set(["amount", "budget", "total", "total_expenses"]);

/** Bookkeeping that changes with every save and says nothing to a person. */
const QUIET = new Set(["id", "organization_id", "created_at", "created_by", "updated_at", "updated_by", "version", "row_version", "device_id", "sync_state"]);

const WORDS: Record<string, string> = { url: "link", id: "", ids: "" };

/** "linkedin_url" -> "LinkedIn", "job_title" -> "Job title", "registration_url" -> "Registration link". */
export function fieldName(field: string): string {
  if (FIELD_NAMES[field]) return FIELD_NAMES[field];
  const words = field
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => (w.toLowerCase() in WORDS ? WORDS[w.toLowerCase()] : w.toLowerCase()))
    .filter(Boolean);
  const s = words.join(" ");
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : field;
}

const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export type ValueContext = {
  /** The currency of money in this record. */
  currency?: string | null;
  /** How a moment is written (the window's formatter unless a test fixes the zone). */
  dateTime?: (ts: string) => string;
};

/** "1250.5" with "EUR" -> "1,250.50 EUR": the digits as stored (no rounding), grouped. */
export function formatMoney(value: string | number, currency?: string | null): string {
  const raw = String(value).trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(raw);
  let amount = raw;
  if (m) {
    const cents = (m[3] ?? "").padEnd(2, "0");
    amount = `${m[1]}${BigInt(m[2]).toLocaleString()}.${cents}`;
  }
  return currency ? `${amount} ${currency}` : amount;
}

const EMPTY = "—";

/** One value as a person reads it: dates in the window's format, money with its currency,
    Yes/No, choices in words, "—" for nothing. */
export function formatValue(field: string, value: JsonValue | undefined, ctx: ValueContext = {}): string {
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number") return MONEY.has(field) ? formatMoney(value, ctx.currency) : value.toLocaleString();
  if (Array.isArray(value)) return value.length ? value.map((v) => formatValue(field, v, ctx)).join(", ") : EMPTY;
  if (typeof value === "object") return Object.keys(value).length ? "details" : EMPTY;
  const s = value.trim();
  if (s === "") return EMPTY;
  if (MONEY.has(field)) return formatMoney(s, ctx.currency);
  if (ISO_MOMENT.test(s)) return (ctx.dateTime ?? formatDateTime)(s);
  if (ISO_DATE.test(s)) return fmtDate(s);
  if (CHOICES.has(field)) return label(s);
  return s.length > 140 ? `${s.slice(0, 139)}…` : s;
}

/** "Email changed from — to grace@navy.test". */
export function describeChange(field: string, before: JsonValue | undefined, after: JsonValue | undefined, ctx: ValueContext = {}): string {
  const name = fieldName(field);
  // Structured details (metadata) do not read well as values: say that they changed.
  const structured = (v: JsonValue | undefined) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (structured(before) || structured(after)) return `${name} changed`;
  return `${name} changed from ${formatValue(field, before, ctx)} to ${formatValue(field, after, ctx)}`;
}

const same = (a: JsonValue | undefined, b: JsonValue | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const obj = (v: JsonValue | null): Record<string, JsonValue> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, JsonValue>) : {});

/** What happened, in a word: "Created", "Changed", "Deleted", "Restored". */
export function actionWord(action: string): string {
  return ({ create: "Created", update: "Changed", delete: "Deleted", restore: "Restored" } as Record<string, string>)[action] ?? label(action);
}

/** The changes of one history entry as sentences (none for a creation, deletion or restore). */
export function changeSentences(a: Pick<AuditLog, "action" | "old_values" | "new_values">, ctx: ValueContext = {}): string[] {
  if (a.action !== "update") return [];
  const before = obj(a.old_values);
  const after = obj(a.new_values);
  const currency = (typeof after.currency === "string" && after.currency) || (typeof before.currency === "string" && before.currency) || ctx.currency || null;
  const keys = Object.keys(after).filter((k) => !QUIET.has(k) && !same(before[k], after[k]));
  return keys.map((k) => describeChange(k, before[k], after[k], { ...ctx, currency }));
}
