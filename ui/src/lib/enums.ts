// The choices the schema's CHECK constraints allow.
export const CONTACT_TYPES = ["target", "contact", "plug"] as const;
export const CONTACT_STATUSES = ["new_client", "existing_client", "hot_lead", "cold_lead"] as const;
export const PRIORITIES = ["high", "medium", "low"] as const;
export const INTERACTION_TYPES = ["meeting", "call", "email", "linkedin", "event", "follow_up"] as const;
export const INTERACTION_STATUSES = ["completed", "scheduled", "cancelled"] as const;
export const EVENT_TYPES = ["conference", "workshop", "networking", "meeting"] as const;
export const EVENT_STATUSES = ["draft", "published", "ongoing", "completed", "cancelled"] as const;
export const ATTENDEE_STATUSES = ["registered", "confirmed", "attended", "no_show", "cancelled"] as const;
export const AGENDA_TYPES = ["presentation", "break", "networking", "workshop"] as const;
export const AGENDA_STATUSES = ["scheduled", "ongoing", "completed", "cancelled"] as const;
export const EXPENSE_TYPES = ["travel", "accommodation", "catering", "venue", "marketing", "other"] as const;
export const EXPENSE_STATUSES = ["pending", "approved", "rejected", "paid"] as const;
export const COLLECTION_TYPES = ["event_photos", "contact_media", "general"] as const;
export const ACCESS_LEVELS = ["public", "private", "organization"] as const;
export const IMPORT_FORMATS = ["auto", "vcard", "linkedin", "google", "csv"] as const;
export const CURRENCIES = ["USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY"] as const;
