// Quick capture's draft: it outlives the panel (Esc, closing, reopening) until it is saved.
export type CaptureForm = {
  first_name: string;
  last_name: string;
  company: string;
  job_title: string;
  email: string;
  phone: string;
  notes: string;
};

export const blankForm = (): CaptureForm => ({ first_name: "", last_name: "", company: "", job_title: "", email: "", phone: "", notes: "" });

import type { JsonValue } from "../bindings";
import type { ScannedField, Upload } from "../bindings";

/** A scanned card or badge: what it said, and its picture (kept as the contact's media on save). */
export type CardScan = {
  source: string;
  kind: string;
  fields: ScannedField[];
  other_lines: string[];
  /** Fields beyond the form's (LinkedIn, metadata with web sites and the text read). */
  extra: Record<string, JsonValue>;
  picture: Upload;
  /** A preview of the picture (an object URL). */
  url: string;
};

export const draft = $state({
  form: blankForm(),
  /** The choices stay as they were for the next person. */
  choices: { contact_type: "target", status: "cold_lead", priority: "medium" },
  /** Days to a follow-up; 0 for none. */
  followUp: 0,
  /** A known contact the meeting is added to instead of a new one. */
  addTo: null as null | { id: string; name: string },
  /** The card or badge scanned for this person, if any. */
  scan: null as null | CardScan,
});

/** The capture form's fields in words, for errors shown by their field. */
export const FIELD_LABELS: Record<string, string> = {
  first_name: "First name",
  last_name: "Last name",
  company: "Company",
  job_title: "Job title",
  email: "Email",
  phone: "Phone",
  notes: "Note",
  contact_type: "Type",
  status: "Status",
  priority: "Priority",
  event_id: "Event",
  follow_up_days: "Follow-up",
  add_to: "Known contact",
};
