// Errors from the core arrive as {code, field, message}.
import type { ErrorPayload } from "./bindings";

export type { ErrorPayload };

export function asError(e: unknown): ErrorPayload {
  if (e && typeof e === "object" && "message" in e && "code" in e) {
    const o = e as { code: unknown; field?: unknown; message: unknown };
    return { code: String(o.code), field: typeof o.field === "string" ? o.field : null, message: String(o.message) };
  }
  if (e instanceof Error) return { code: "unknown", field: null, message: e.message };
  return { code: "unknown", field: null, message: String(e) };
}

/** "field: message", or the message alone when no field is named. */
export function errorText(e: ErrorPayload | null): string {
  if (!e) return "";
  return e.field ? `${e.field}: ${e.message}` : e.message;
}

/** The message for one field, or "" when the error is about another field. */
export function fieldError(e: ErrorPayload | null, field: string): string {
  return e && e.field === field ? e.message : "";
}

/** The message to show at form level: errors with no field, or a field the form does not show. */
export function formError(e: ErrorPayload | null, shown: readonly string[]): string {
  if (!e) return "";
  if (e.field && shown.includes(e.field)) return "";
  return errorText(e);
}
