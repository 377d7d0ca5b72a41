// Small helpers shared by the screens.
import type { ListRequest, Fields } from "../commands";

export function req(p: Partial<ListRequest> = {}): ListRequest {
  return { equals: {}, gte: {}, lte: {}, contains: {}, sort: null, descending: false, limit: null, cursor: null, ...p };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A timestamp as a `datetime-local` input value, in local time. */
export function toLocalInput(ts: string | null | undefined): string {
  if (!ts) return "";
  const d = new Date(ts);
  if (isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (local time) as an RFC 3339 UTC timestamp; "" stays "". */
export function fromLocalInput(v: string): string {
  if (!v) return "";
  const d = new Date(v);
  return isNaN(d.getTime()) ? v : d.toISOString();
}

export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function nowLocalInput(offsetMinutes = 0): string {
  return toLocalInput(new Date(Date.now() + offsetMinutes * 60_000).toISOString());
}

/** A moment as every list and page shows it: "Dec 2, 2026, 8:40 PM" (in the person's language
    and time zone); "—" for none. The one date-time format of the window. */
export function formatDateTime(ts: string | null | undefined, where: { locale?: string; timeZone?: string } = {}): string {
  if (!ts) return "—";
  const d = new Date(ts);
  return isNaN(d.getTime()) ? String(ts) : d.toLocaleString(where.locale, { dateStyle: "medium", timeStyle: "short", timeZone: where.timeZone });
}

export function fmtDate(ts: string | null | undefined): string {
  if (!ts) return "—";
  const d = new Date(ts.length === 10 ? ts + "T00:00:00" : ts);
  return isNaN(d.getTime()) ? String(ts) : d.toLocaleDateString(undefined, { dateStyle: "medium" });
}

export function fmtTime(ts: string): string {
  const d = new Date(ts);
  return isNaN(d.getTime()) ? ts : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** Human label for an enum value: "hot_lead" -> "Hot lead". */
export function label(v: unknown): string {
  const s = String(v ?? "");
  return s ? s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, " ") : "";
}

/** Fields whose value changed; "" becomes null. */
export function changed(original: Fields, edited: Record<string, string>): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(edited)) {
    const before = original[k] ?? null;
    const after = v === "" ? null : v;
    if (String(before ?? "") !== String(after ?? "")) out[k] = after;
  }
  return out;
}

/** Only the fields with something typed in them. */
export function filled(fields: Record<string, string>): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) if (v.trim() !== "") out[k] = v.trim();
  return out;
}

export function readFileBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => {
      const s = String(r.result ?? "");
      resolve(s.slice(s.indexOf(",") + 1));
    };
    r.onerror = () => reject(r.error ?? new Error("cannot read the file"));
    r.readAsDataURL(file);
  });
}

export function download(text: string, fileName: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Sums decimal strings exactly (in cents). */
export function sumMoney(values: Array<string | null | undefined>): string {
  let cents = 0n;
  for (const v of values) {
    if (!v) continue;
    const neg = v.trim().startsWith("-");
    const [i, f = ""] = v.trim().replace("-", "").split(".");
    const c = BigInt(i || "0") * 100n + BigInt((f + "00").slice(0, 2));
    cents += neg ? -c : c;
  }
  const neg = cents < 0n;
  if (neg) cents = -cents;
  return `${neg ? "-" : ""}${cents / 100n}.${String(cents % 100n).padStart(2, "0")}`;
}

export function contactName(c: { first_name?: unknown; last_name?: unknown }): string {
  return `${c.first_name ?? ""} ${c.last_name ?? ""}`.trim();
}

/** A count in words: "1 contact", "2,400 contacts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export const inTauri = (): boolean => typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;

/** Up to two initials of a name: "Grace Hopper" -> "GH", "cher" -> "C"; "?" for no name. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter((w) => /\p{L}|\p{N}/u.test(w));
  if (words.length === 0) return "?";
  const first = (w: string) => [...w].find((ch) => /\p{L}|\p{N}/u.test(ch)) ?? "";
  const picked = words.length === 1 ? [words[0]] : [words[0], words[words.length - 1]];
  return picked.map(first).join("").toUpperCase();
}

/** A hue (0–359) for a name: the same name always gets the same colour. */
export function avatarHue(name: string): number {
  let h = 0;
  for (const ch of name.trim().toLowerCase()) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return h % 360;
}

/** "Rear Admiral at US Navy", "Rear Admiral", "US Navy" or "". */
export function roleLine(jobTitle: unknown, company: unknown): string {
  const t = String(jobTitle ?? "").trim();
  const c = String(company ?? "").trim();
  return t && c ? `${t} at ${c}` : t || c;
}

export const mailHref = (email: string): string => `mailto:${encodeURI(email.trim())}`;

/** A tel: link keeps the leading + and the digits only (spaces and dashes are for reading). */
export const telHref = (phone: string): string => `tel:${phone.trim().replace(/(?!^\+)[^\d]/g, "")}`;

/** A web address as a link: https:// added when missing; anything but http(s) is not a link. */
export function webHref(url: string): string | null {
  const u = url.trim();
  if (!u) return null;
  const full = /^[a-z][a-z0-9+.-]*:/i.test(u) ? u : `https://${u}`;
  return /^https?:\/\//i.test(full) ? full : null;
}

/** An address as people read it: no scheme, no "www.", no trailing slash. */
export const shortUrl = (url: string): string => url.trim().replace(/^https?:\/\//i, "").replace(/^www\./i, "").replace(/\/$/, "");

/** A keep-in-touch cadence in words: "every week", "every 2 weeks", "never". */
export function everyText(c: { every: number; unit: "days" | "weeks" | "months" }): string {
  if (c.every === 0) return "never";
  const one = c.unit.slice(0, -1);
  return c.every === 1 ? `every ${one}` : `every ${c.every} ${c.unit}`;
}
