// Dates typed by people, read back in the one format of the window ("Dec 2, 2026, 8:40 PM" in
// English; the person's own language and order elsewhere). A date field shows that format and
// reads it back, along with what people type anyway: "2/12/2026 20:40" in the order of their
// language, "2026-12-02", "dec 2 3pm", "tomorrow 9:30", "now".

export type DateMode = "date" | "datetime";

const pad = (n: number) => String(n).padStart(2, "0");

/** A field value: "YYYY-MM-DD" (date) or "YYYY-MM-DDTHH:mm" (date and time), in local time. */
function value(y: number, m: number, d: number, mode: DateMode, h = 9, min = 0): string {
  const day = `${String(y).padStart(4, "0")}-${pad(m)}-${pad(d)}`;
  return mode === "date" ? day : `${day}T${pad(h)}:${pad(min)}`;
}

const FIELD = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/;

/** The field value as the window shows it; "" for none, and anything unreadable as it is. */
export function showDate(v: string, mode: DateMode, locale?: string): string {
  const m = FIELD.exec(v.trim());
  if (!m) return v;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
  if (isNaN(d.getTime())) return v;
  return mode === "date" ? d.toLocaleDateString(locale, { dateStyle: "medium" }) : d.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

/** The month names of a language (long and short, lower case), and English's. */
function monthNames(locale?: string): Map<string, number> {
  const names = new Map<string, number>();
  for (const loc of [locale, "en"]) {
    for (const style of ["long", "short"] as const) {
      const f = new Intl.DateTimeFormat(loc, { month: style, timeZone: "UTC" });
      for (let i = 0; i < 12; i++) {
        const n = f.format(new Date(Date.UTC(2026, i, 15))).toLowerCase().replace(/\.$/, "");
        if (!names.has(n)) names.set(n, i + 1);
      }
    }
  }
  names.set("sept", 9);
  return names;
}

/** The order of day, month and year in the language's numeric dates ("dmy" for en-GB). */
function numericOrder(locale?: string): string {
  const parts = new Intl.DateTimeFormat(locale, { year: "numeric", month: "numeric", day: "numeric" }).formatToParts(new Date(2026, 11, 2));
  return parts.map((p) => (p.type === "day" ? "d" : p.type === "month" ? "m" : p.type === "year" ? "y" : "")).join("");
}

const daysIn = (y: number, m: number) => new Date(y, m, 0).getDate();

/** Reads what was typed into a date field: its value, or why it cannot be read. */
export function readDate(text: string, mode: DateMode, locale?: string, now: Date = new Date()): { value: string } | { error: string } {
  const example = showDate(value(now.getFullYear(), 12, 2, mode, 20, 40), mode, locale);
  const bad = { error: `write a date like ${example}` };
  let s = text.trim().toLowerCase();
  if (!s) return { value: "" };
  const iso = FIELD.exec(s.toUpperCase().replace(" ", "T"));
  if (iso) {
    const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return bad;
    const [h, min] = [Number(iso[4] ?? 9), Number(iso[5] ?? 0)];
    if (h > 23 || min > 59) return { error: "the time is not a time of day" };
    return { value: value(y, m, d, mode, h, min) };
  }
  if (s === "now") return { value: value(now.getFullYear(), now.getMonth() + 1, now.getDate(), mode, now.getHours(), now.getMinutes()) };

  // The time: "20:40", "8:40 pm", "3pm", "15.30" after the date.
  let hour: number | null = null;
  let minute = 0;
  const t = /(?:^|[\s,]|at\s)(\d{1,2})(?:[:.h](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?\s*$/.exec(s);
  if (t && (t[2] !== undefined || t[3] !== undefined)) {
    hour = Number(t[1]);
    minute = Number(t[2] ?? 0);
    const half = t[3]?.replace(/\./g, "");
    if (half) {
      if (hour < 1 || hour > 12) return { error: "the time is not a time of day" };
      hour = (hour % 12) + (half === "pm" ? 12 : 0);
    }
    if (hour > 23 || minute > 59) return { error: "the time is not a time of day" };
    s = s.slice(0, t.index).replace(/[\s,]*(at)?\s*$/, "");
  }

  let y: number, m: number, d: number;
  const rel = { today: 0, tomorrow: 1, yesterday: -1 }[s];
  if (rel !== undefined) {
    const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() + rel);
    [y, m, d] = [day.getFullYear(), day.getMonth() + 1, day.getDate()];
  } else {
    const words = s.split(/[\s,./-]+/).filter(Boolean);
    const names = monthNames(locale);
    const nums: number[] = [];
    let month: number | null = null;
    for (const w of words) {
      if (/^\d+$/.test(w)) nums.push(Number(w));
      else if (names.has(w.replace(/\.$/, ""))) month = names.get(w.replace(/\.$/, ""))!;
      else if (/^\d+(st|nd|rd|th)$/.test(w)) nums.push(parseInt(w, 10));
      else if (!/^(the|of|at|on)$/.test(w) && !isWeekday(w, locale)) return bad;
    }
    if (month !== null) {
      // "Dec 2, 2026", "2 December 2026", "Dec 2" (this year).
      const year = nums.find((n) => n > 31);
      const day = nums.find((n) => n !== year);
      if (day === undefined || nums.length > 2) return bad;
      [y, m, d] = [year ?? now.getFullYear(), month, day];
    } else if (nums.length === 3) {
      const order = nums[0] > 31 ? "ymd" : numericOrder(locale);
      const at = (k: string) => nums[order.indexOf(k)];
      [y, m, d] = [at("y"), at("m"), at("d")];
      if (y < 100) y += 2000;
    } else {
      return bad;
    }
  }
  if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m) || y < 1900 || y > 9999) return bad;
  return { value: value(y, m, d, mode, hour ?? 9, minute) };
}

function isWeekday(w: string, locale?: string): boolean {
  for (const loc of [locale, "en"]) {
    for (const style of ["long", "short"] as const) {
      const f = new Intl.DateTimeFormat(loc, { weekday: style, timeZone: "UTC" });
      for (let i = 0; i < 7; i++) if (f.format(new Date(Date.UTC(2026, 10, 30 + i))).toLowerCase().replace(/\.$/, "") === w.replace(/\.$/, "")) return true;
    }
  }
  return false;
}
