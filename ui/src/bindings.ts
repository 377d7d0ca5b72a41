// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p plugs-core --test bindings`. Do not edit.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;

export type Timestamp = string;

export type Money = string;

export type AuditAction = "create" | "update" | "delete" | "restore";

export type InteractionType = "meeting" | "call" | "email" | "linkedin" | "event" | "follow_up";

export type InteractionStatus = "completed" | "scheduled" | "cancelled";

export type ContactType = "target" | "contact" | "plug";

export type ContactStatus = "new_client" | "existing_client" | "hot_lead" | "cold_lead";

export type Priority = "high" | "medium" | "low";

export type AgendaType = "presentation" | "break" | "networking" | "workshop";

export type AgendaStatus = "scheduled" | "ongoing" | "completed" | "cancelled";

export type AttendeeStatus = "registered" | "confirmed" | "attended" | "no_show" | "cancelled";

export type EventType = "conference" | "workshop" | "networking" | "meeting";

export type EventStatus = "draft" | "published" | "ongoing" | "completed" | "cancelled";

export type ExpenseType = "travel" | "accommodation" | "catering" | "venue" | "marketing" | "other";

export type ExpenseStatus = "pending" | "approved" | "rejected" | "paid";

export type IntegrationOperation = "sync" | "export" | "import" | "webhook";

export type IntegrationLogStatus = "success" | "failed" | "partial";

export type Provider = "hubspot" | "mailchimp" | "zoom" | "teams";

export type IntegrationType = "crm" | "email" | "video" | "calendar";

export type IntegrationStatus = "connected" | "disconnected" | "error";

export type MediaType = "image" | "video" | "document" | "audio";

export type MediaStatus = "processing" | "ready" | "failed";

export type AccessLevel = "public" | "private" | "organization";

export type CollectionType = "event_photos" | "contact_media" | "general";

export type NotificationType = "info" | "success" | "warning" | "error" | "reminder";

export type Channel = "in_app" | "email" | "sms" | "push";

export type AnalyticsEvent = { id: string, organization_id: string | null, user_id: string | null, event_name: string, event_category: string, properties: JsonValue, session_id: string | null, ip_address: string | null, user_agent: string | null, event_timestamp: Timestamp, created_at: Timestamp, };

export type AuditLog = { id: string, organization_id: string, user_id: string | null, table_name: string, record_id: string, action: AuditAction, old_values: JsonValue | null, new_values: JsonValue | null, metadata: JsonValue, created_at: Timestamp, };

export type ContactInteraction = { id: string, organization_id: string, contact_id: string, user_id: string, interaction_type: InteractionType, subject: string | null, description: string | null, outcome: string | null, interaction_date: Timestamp, status: InteractionStatus, metadata: JsonValue, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, };

export type Contact = { id: string, organization_id: string, created_by: string, first_name: string, last_name: string, email: string | null, phone: string | null, company: string | null, job_title: string | null, linkedin_url: string | null, bio: string | null, avatar_url: string | null, contact_type: ContactType, status: ContactStatus, priority: Priority, business_type: string | null, network_type: string | null, industry: string | null, notes: string | null, metadata: JsonValue, lead_score: number, last_interaction: Timestamp | null, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, updated_by: string | null, };

export type EventAgendaItem = { id: string, organization_id: string, event_id: string, created_by: string, title: string, description: string | null, start_time: Timestamp, end_time: Timestamp, agenda_type: AgendaType, location: string | null, speaker_id: string | null, sort_order: number, status: AgendaStatus, metadata: JsonValue, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, };

export type EventAttendee = { id: string, organization_id: string, event_id: string, user_id: string, status: AttendeeStatus, registration_date: Timestamp, check_in_time: Timestamp | null, check_out_time: Timestamp | null, notes: string | null, metadata: JsonValue, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, };

export type Event = { id: string, organization_id: string, created_by: string, title: string, description: string | null, event_type: EventType, status: EventStatus, start_date: Timestamp, end_date: Timestamp, timezone: string, location: string | null, venue: string | null, venue_details: JsonValue, budget: Money, currency: string, max_attendees: number | null, current_attendees: number, registration_url: string | null, settings: JsonValue, metadata: JsonValue, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, updated_by: string | null, };

export type Expense = { id: string, organization_id: string, created_by: string, event_id: string | null, title: string, description: string | null, amount: Money, currency: string, category: string | null, expense_type: ExpenseType, expense_date: string, status: ExpenseStatus, receipt_url: string | null, notes: string | null, approved_by: string | null, approved_at: Timestamp | null, metadata: JsonValue, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, };

export type IntegrationLog = { id: string, organization_id: string, integration_id: string, operation: IntegrationOperation, status: IntegrationLogStatus, message: string | null, request_data: JsonValue | null, response_data: JsonValue | null, started_at: Timestamp, completed_at: Timestamp | null, records_processed: number, records_failed: number, error_details: JsonValue | null, created_at: Timestamp, };

export type Integration = { id: string, organization_id: string, provider: Provider, integration_type: IntegrationType, credentials: JsonValue, settings: JsonValue, is_active: boolean, last_sync: Timestamp | null, status: IntegrationStatus, metadata: JsonValue, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, };

export type Media = { id: string, organization_id: string, uploaded_by: string, title: string, description: string | null, file_name: string, file_path: string, file_url: string | null, media_type: MediaType, mime_type: string, file_size: number, metadata: JsonValue, status: MediaStatus, related_event: string | null, related_contact: string | null, access_level: AccessLevel, tags: JsonValue, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, };

export type MediaCollectionItem = { id: string, collection_id: string, media_id: string, sort_order: number, created_at: Timestamp, };

export type MediaCollection = { id: string, organization_id: string, created_by: string, name: string, description: string | null, collection_type: CollectionType, settings: JsonValue, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, };

export type Notification = { id: string, organization_id: string, user_id: string, title: string, message: string, notification_type: NotificationType, channel: Channel, data: JsonValue, is_read: boolean, read_at: Timestamp | null, expires_at: Timestamp | null, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, };

export type Organization = { id: string, name: string, domain: string | null, subscription_plan: string, settings: JsonValue, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, };

export type User = { id: string, organization_id: string, email: string, password_hash: string, first_name: string, last_name: string, phone: string | null, bio: string | null, avatar_url: string | null, job_title: string | null, company: string | null, linkedin_url: string | null, is_active: boolean, is_verified: boolean, is_admin: boolean, verified_at: Timestamp | null, last_login: Timestamp | null, created_at: Timestamp, updated_at: Timestamp, is_deleted: boolean, deleted_at: Timestamp | null, created_by: string | null, updated_by: string | null, };

export type NewAnalyticsEvent = { event_name?: string, event_category?: string, properties?: JsonValue, session_id?: string | null, ip_address?: string | null, user_agent?: string | null, event_timestamp?: Timestamp, };

export type AnalyticsEventPatch = Record<symbol, never>;

export type AnalyticsEventId = string;

export type NewAuditLog = Record<symbol, never>;

export type AuditLogPatch = Record<symbol, never>;

export type AuditLogId = string;

export type NewContactInteraction = { contact_id?: string, user_id?: string, interaction_type?: InteractionType, subject?: string | null, description?: string | null, outcome?: string | null, interaction_date?: Timestamp, status?: InteractionStatus, metadata?: JsonValue, };

export type ContactInteractionPatch = { interaction_type?: InteractionType, subject?: string | null, description?: string | null, outcome?: string | null, interaction_date?: Timestamp, status?: InteractionStatus, metadata?: JsonValue, };

export type ContactInteractionId = string;

export type NewContact = { first_name?: string, last_name?: string, email?: string | null, phone?: string | null, company?: string | null, job_title?: string | null, linkedin_url?: string | null, bio?: string | null, avatar_url?: string | null, contact_type?: ContactType, status?: ContactStatus, priority?: Priority, business_type?: string | null, network_type?: string | null, industry?: string | null, notes?: string | null, metadata?: JsonValue, lead_score?: number, };

export type ContactPatch = { first_name?: string, last_name?: string, email?: string | null, phone?: string | null, company?: string | null, job_title?: string | null, linkedin_url?: string | null, bio?: string | null, avatar_url?: string | null, contact_type?: ContactType, status?: ContactStatus, priority?: Priority, business_type?: string | null, network_type?: string | null, industry?: string | null, notes?: string | null, metadata?: JsonValue, lead_score?: number, };

export type ContactId = string;

export type NewEventAgendaItem = { event_id?: string, title?: string, description?: string | null, start_time?: Timestamp, end_time?: Timestamp, agenda_type?: AgendaType, location?: string | null, speaker_id?: string | null, sort_order?: number, status?: AgendaStatus, metadata?: JsonValue, };

export type EventAgendaItemPatch = { title?: string, description?: string | null, start_time?: Timestamp, end_time?: Timestamp, agenda_type?: AgendaType, location?: string | null, speaker_id?: string | null, sort_order?: number, status?: AgendaStatus, metadata?: JsonValue, };

export type EventAgendaItemId = string;

export type NewEventAttendee = { event_id?: string, user_id?: string, status?: AttendeeStatus, notes?: string | null, metadata?: JsonValue, };

export type EventAttendeePatch = { status?: AttendeeStatus, notes?: string | null, metadata?: JsonValue, };

export type EventAttendeeId = string;

export type NewEvent = { title?: string, description?: string | null, event_type?: EventType, status?: EventStatus, start_date?: Timestamp, end_date?: Timestamp, timezone?: string, location?: string | null, venue?: string | null, venue_details?: JsonValue, budget?: Money, currency?: string, max_attendees?: number | null, registration_url?: string | null, settings?: JsonValue, metadata?: JsonValue, };

export type EventPatch = { title?: string, description?: string | null, event_type?: EventType, status?: EventStatus, start_date?: Timestamp, end_date?: Timestamp, timezone?: string, location?: string | null, venue?: string | null, venue_details?: JsonValue, budget?: Money, currency?: string, max_attendees?: number | null, registration_url?: string | null, settings?: JsonValue, metadata?: JsonValue, };

export type EventId = string;

export type NewExpense = { event_id?: string | null, title?: string, description?: string | null, amount?: Money, currency?: string, category?: string | null, expense_type?: ExpenseType, expense_date?: string, receipt_url?: string | null, notes?: string | null, metadata?: JsonValue, };

export type ExpensePatch = { event_id?: string | null, title?: string, description?: string | null, amount?: Money, currency?: string, category?: string | null, expense_type?: ExpenseType, expense_date?: string, receipt_url?: string | null, notes?: string | null, metadata?: JsonValue, };

export type ExpenseId = string;

export type NewIntegrationLog = { integration_id?: string, operation?: IntegrationOperation, status?: IntegrationLogStatus, message?: string | null, request_data?: JsonValue | null, response_data?: JsonValue | null, started_at?: Timestamp, completed_at?: Timestamp | null, records_processed?: number, records_failed?: number, error_details?: JsonValue | null, };

export type IntegrationLogPatch = Record<symbol, never>;

export type IntegrationLogId = string;

export type NewIntegration = { provider?: Provider, integration_type?: IntegrationType, credentials?: JsonValue, settings?: JsonValue, is_active?: boolean, status?: IntegrationStatus, metadata?: JsonValue, };

export type IntegrationPatch = { integration_type?: IntegrationType, credentials?: JsonValue, settings?: JsonValue, is_active?: boolean, status?: IntegrationStatus, metadata?: JsonValue, };

export type IntegrationId = string;

export type NewMedia = { title?: string, description?: string | null, file_name?: string, file_path?: string, file_url?: string | null, media_type?: MediaType, mime_type?: string, file_size?: number, metadata?: JsonValue, status?: MediaStatus, related_event?: string | null, related_contact?: string | null, access_level?: AccessLevel, tags?: JsonValue, };

export type MediaPatch = { title?: string, description?: string | null, file_name?: string, file_path?: string, file_url?: string | null, media_type?: MediaType, mime_type?: string, file_size?: number, metadata?: JsonValue, status?: MediaStatus, related_event?: string | null, related_contact?: string | null, access_level?: AccessLevel, tags?: JsonValue, };

export type MediaId = string;

export type NewMediaCollectionItem = { collection_id?: string, media_id?: string, sort_order?: number, };

export type MediaCollectionItemPatch = { sort_order?: number, };

export type MediaCollectionItemId = string;

export type NewMediaCollection = { name?: string, description?: string | null, collection_type?: CollectionType, settings?: JsonValue, };

export type MediaCollectionPatch = { name?: string, description?: string | null, collection_type?: CollectionType, settings?: JsonValue, };

export type MediaCollectionId = string;

export type NewNotification = { user_id?: string, title?: string, message?: string, notification_type?: NotificationType, channel?: Channel, data?: JsonValue, expires_at?: Timestamp | null, };

export type NotificationPatch = { title?: string, message?: string, notification_type?: NotificationType, channel?: Channel, data?: JsonValue, expires_at?: Timestamp | null, };

export type NotificationId = string;

export type NewOrganization = { name?: string, domain?: string | null, settings?: JsonValue, is_active?: boolean, };

export type OrganizationPatch = { name?: string, domain?: string | null, settings?: JsonValue, is_active?: boolean, };

export type OrganizationId = string;

export type NewUser = { email?: string, first_name?: string, last_name?: string, phone?: string | null, bio?: string | null, avatar_url?: string | null, job_title?: string | null, company?: string | null, linkedin_url?: string | null, is_active?: boolean, is_admin?: boolean, };

export type UserPatch = { email?: string, first_name?: string, last_name?: string, phone?: string | null, bio?: string | null, avatar_url?: string | null, job_title?: string | null, company?: string | null, linkedin_url?: string | null, is_active?: boolean, is_admin?: boolean, };

export type UserId = string;

export type ErrorPayload = { code: string, field: string | null, message: string, };

export type Page<T> = { items: Array<T>, next_cursor: string | null, };

export type ListRequest = { equals: { [key in string]?: JsonValue }, gte: { [key in string]?: JsonValue }, lte: { [key in string]?: JsonValue }, 
/**
 * Text fields that contain a part, without case.
 */
contains: { [key in string]?: JsonValue }, sort: string | null, descending: boolean, limit: number | null, cursor: string | null, };

export type NewWorkspace = { organization_name: string, first_name: string, last_name: string, email: string, };

export type WorkspaceStatus = { initialized: boolean, user: User | null, organization: Organization | null, is_admin: boolean, pending_changes: number, };

export type FollowUp = { interaction: ContactInteraction, contact_name: string, overdue: boolean, };

export type HomeSummary = { follow_ups: Array<FollowUp>, events_today: Array<Event>, events_upcoming: Array<Event>, unread: Array<Notification>, unread_count: number, pending_changes: number, 
/**
 * The people the signed-in user met lately (contacts they added in the last two weeks),
 * newest first.
 */
recent_captures: Array<Contact>, 
/**
 * Contacts whose next touch has passed, the most overdue first (the first 20).
 */
losing_touch: Array<LosingTouch>, };

export type ExpenseTotal = { currency: string, event_id: string | null, event_name: string | null, count: number, total: string, };

export type Bucket = { key: string, count: number, };

export type ExpenseBucket = { expense_type: ExpenseType, currency: string, count: number, total: string, };

export type ContactPerformance = { contact_type: ContactType, status: ContactStatus, total_contacts: number, avg_lead_score: number, total_interactions: number, last_interaction_date: Timestamp | null, };

export type EventAnalytics = { event_type: EventType, status: EventStatus, event_count: number, avg_attendees: number, total_expenses: Money | null, avg_expense_per_event: string | null, 
/**
 * The people met at these events (by a capture there; one person met at two events counts twice).
 */
leads: number, };

export type Upload = { file_name: string, mime_type: string, data_base64: string, title: string | null, related_contact: string | null, related_event: string | null, expense_id: string | null, };

export type AppSettings = { theme: "light" | "dark", 
/**
 * Whether closing the window keeps reminders and sync running behind the tray.
 */
keep_running: boolean, 
/**
 * How long before a follow-up, agenda item or event its reminder fires.
 */
reminder_lead_minutes: number, 
/**
 * How much room downloaded files may take on this device, in MB.
 */
media_cache_mb: number, server_url: string | null, signed_in_as: string | null, 
/**
 * How the store is kept on this device ("encrypted (SQLCipher); key in the OS keychain").
 */
at_rest: string, };

export type SyncState = "idle" | "syncing" | "offline" | "error" | "signed_out";

export type Progress = { done: number, total: number, };

export type FileProgress = { 
/**
 * `upload` or `download`.
 */
direction: string, file_name: string, done: number, total: number, 
/**
 * Files still waiting after this one.
 */
queued: number, };

export type FileHere = "here" | "on_server" | "not_yet_uploaded" | "failed";

export type SyncStatus = { state: SyncState, 
/**
 * Why it is offline, failing or signed out.
 */
message: string | null, pending: number, last_success: Timestamp | null, progress: Progress | null, 
/**
 * The file being uploaded or downloaded, while one is.
 */
files: FileProgress | null, };

export type ContactRow = { id: string, first_name: string, last_name: string, company: string | null, email: string | null, contact_type: ContactType, status: ContactStatus, priority: Priority, lead_score: number, };

export type TagCount = { tag: string, count: number, };

export type TagReport = { 
/**
 * Rows whose tags changed.
 */
changed: number, 
/**
 * Rows that already were as asked.
 */
unchanged: number, };

export type Failed = { 
/**
 * The row here (a contact, an event), when there is one.
 */
record_id: string | null, 
/**
 * The record's id at the provider, when it has one.
 */
remote_id: string | null, reason: string, };

export type RunCounts = { 
/**
 * Records changed here from the provider.
 */
pulled: number, 
/**
 * Records created and updated at the provider.
 */
created: number, updated: number, 
/**
 * Records not sent (a contact without an email, which HubSpot could not find again).
 */
skipped: number, failed: Array<Failed>, };

export type RunReport = { log_id: string, 
/**
 * `success`, `partial` (some records failed, named in the log) or `failed`.
 */
status: string, message: string, counts: RunCounts, 
/**
 * Requests sent to the provider, and how many it answered 429.
 */
requests: number, throttled: number, };

export type DeviceCode = { user_code: string, verification_uri: string, 
/**
 * Microsoft's own words for the person ("To sign in, use a web browser to open…").
 */
message: string, 
/**
 * Seconds the code stays good, and between two polls.
 */
expires_in: number, interval: number, };

export type SavedList = { id: string, name: string, 
/**
 * What was typed in the search box (words and `#tags`), "" for none.
 */
query: string, request: ListRequest, };

export type Cadence = { 
/**
 * How many units between touches; 0 means never (a contact opting out of its tags' default).
 */
every: number, unit: CadenceUnit, };

export type CadenceUnit = "days" | "weeks" | "months";

export type Touch = { cadence: Cadence, 
/**
 * The tag whose default applies, when the contact has no cadence of its own.
 */
from_tag: string | null, 
/**
 * The last completed interaction (or, never in touch yet, when the contact was added).
 */
last_touch: string, next_touch: string, snoozed_until: string | null, };

export type MergeRequest = { keep: string, others: Array<string>, fields: { [key in string]?: string }, };

export type MergeReport = { 
/**
 * Undoes it (`undo_merge`).
 */
merge_id: string, keep: string, merged: Array<string>, interactions_moved: number, files_moved: number, };

export type DuplicatePair = { a: ContactRow, b: ContactRow, reason: Reason, 
/**
 * The reason in words ("same email").
 */
why: string, };

export type TagCadence = { tag: string, cadence: Cadence, };

export type LosingTouch = { contact_id: string, first_name: string, last_name: string, company: string | null, cadence: Cadence, from_tag: string | null, last_touch: string, next_touch: string, 
/**
 * Whole days past the next touch.
 */
days_overdue: number, };

export type ImportNote = { location: string, reason: string, };

export type ImportMerge = { location: string, contact_id: string, name: string, 
/**
 * The fields the entry filled (or replaced); empty when it added nothing new.
 */
fields: Array<string>, };

export type ImportReport = { format: string, encoding: string, dry_run: boolean, 
/**
 * Entries read from the file (cards or rows), readable or not.
 */
entries: number, created: number, merged: number, media: number, refused: Array<ImportNote>, merges: Array<ImportMerge>, warnings: Array<ImportNote>, };

export type Reason = "same_email" | "same_name_at_company" | "same_phone" | "same_name" | "similar_name";

export type Capture = { 
/**
 * The person as typed: `first_name`, `last_name`, `company`, `job_title`, `email`, `phone`,
 * `notes`, `contact_type`, `status`, `priority`… (a single name is enough).
 */
contact: { [key in string]?: JsonValue }, 
/**
 * The event where we met; none when not at an event.
 */
event_id: string | null, 
/**
 * A follow-up this many days from now (1 to 365).
 */
follow_up_days: number | null, 
/**
 * Log the meeting on this existing contact instead of creating one (a person already
 * known); its empty fields are filled from what was typed.
 */
add_to: string | null, 
/**
 * The scanned card's picture, kept as the contact's media in the same transaction.
 */
card?: Upload, };

export type Captured = { contact: Contact, 
/**
 * A new contact (false: the meeting was added to a known one).
 */
created: boolean, 
/**
 * The fields of the known contact filled from the capture.
 */
filled: Array<string>, met_at: ContactInteraction | null, follow_up: ContactInteraction | null, };

export type CaptureEvent = { event: Event, 
/**
 * Chosen for today (false: going on now).
 */
chosen: boolean, };

export type LikelyMatch = { contact: ContactRow, phone: string | null, reason: Reason, 
/**
 * The reason in words ("same email").
 */
why: string, };

export type Lead = { contact: ContactRow, met_at: Timestamp, captured_by: string, captured_by_name: string, };

export type Scanned = { 
/**
 * `qr` or `ocr`.
 */
source: string, 
/**
 * What the code or card held: `vcard`, `mecard`, `bizcard`, `url`, `email`, `phone`,
 * `text` (a QR code of plain lines) or `card` (OCR).
 */
kind: string, 
/**
 * The capture form's fields (`first_name`, `last_name`, `company`, `job_title`, `email`,
 * `phone`, `linkedin_url`, `metadata` with the rest).
 */
contact: { [key in string]?: JsonValue }, 
/**
 * Each filled field with its confidence, in form order.
 */
fields: Array<ScannedField>, 
/**
 * Text lines that were read but placed in no field (an address, a slogan…).
 */
other_lines: Array<string>, 
/**
 * The text as read.
 */
text: string, };

export type ScannedField = { field: string, value: string, confidence: number, };

export type MemberLeads = { user_id: string, name: string, leads: number, };

export type EventLeads = { leads: Array<Lead>, per_member: Array<MemberLeads>, };

export type TableCount = { table: string, rows: number, };

export type FileEntry = { name: string, bytes: number, sha256: string, };

export type BackupInfo = { format: number, created_at: string, app_version: string, schema_version: number, device_id: string, organization: string | null, 
/**
 * Rows per table (the schema's tables, in the schema's order).
 */
tables: Array<TableCount>, 
/**
 * Files kept on the device that the backup carries.
 */
files: Array<FileEntry>, };

export type BackupReport = { file: string, bytes: number, info: BackupInfo, took_ms: number, };

export type StagedRestore = { info: BackupInfo, 
/**
 * Restored on another device: the store takes a new device id (sign in again to sync).
 */
new_device: boolean, };

export type BackupSettings = { 
/**
 * Where automatic backups go.
 */
dir: string, 
/**
 * Hours between automatic backups (0: off).
 */
every_hours: number, 
/**
 * How many automatic backups are kept (the oldest go first).
 */
keep: number, 
/**
 * When the last automatic backup was made.
 */
last_at: string | null, 
/**
 * Whether the passphrase of automatic backups is saved in the keychain (they run only then).
 */
has_passphrase: boolean, };
