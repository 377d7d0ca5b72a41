// Generated from the Rust command list (src-tauri/src/commands.rs) by
// `UPDATE_BINDINGS=1 cargo test -p plugs-desktop`. Do not edit.

import { invoke } from "@tauri-apps/api/core";
import type { AppSettings, AuditLog, BackupInfo, BackupReport, BackupSettings, Bucket, Cadence, Capture, CaptureEvent, Captured, Contact, ContactId, ContactInteraction, ContactInteractionId, ContactInteractionPatch, ContactPatch, ContactPerformance, ContactRow, DeviceCode, DuplicatePair, Event, EventAgendaItem, EventAgendaItemId, EventAgendaItemPatch, EventAnalytics, EventAttendee, EventAttendeeId, EventAttendeePatch, EventId, EventLeads, EventPatch, Expense, ExpenseBucket, ExpenseId, ExpensePatch, ExpenseTotal, HomeSummary, ImportReport, Integration, IntegrationId, IntegrationLog, IntegrationPatch, LikelyMatch, ListRequest, LosingTouch, Media, MediaCollection, MediaCollectionId, MediaCollectionItem, MediaCollectionItemId, MediaCollectionItemPatch, MediaCollectionPatch, MediaId, MediaPatch, MergeReport, MergeRequest, NewContact, NewContactInteraction, NewEvent, NewEventAgendaItem, NewEventAttendee, NewExpense, NewIntegration, NewMedia, NewMediaCollection, NewMediaCollectionItem, NewNotification, NewUser, NewWorkspace, Notification, NotificationId, NotificationPatch, Page, RunReport, SavedList, Scanned, StagedRestore, SyncStatus, TagCadence, TagCount, TagReport, Touch, Upload, User, UserId, UserPatch, WorkspaceStatus, JsonValue } from "./bindings";
export type { AppSettings, AuditLog, BackupInfo, BackupReport, BackupSettings, Bucket, Cadence, Capture, CaptureEvent, Captured, Contact, ContactId, ContactInteraction, ContactInteractionId, ContactInteractionPatch, ContactPatch, ContactPerformance, ContactRow, DeviceCode, DuplicatePair, Event, EventAgendaItem, EventAgendaItemId, EventAgendaItemPatch, EventAnalytics, EventAttendee, EventAttendeeId, EventAttendeePatch, EventId, EventLeads, EventPatch, Expense, ExpenseBucket, ExpenseId, ExpensePatch, ExpenseTotal, HomeSummary, ImportReport, Integration, IntegrationId, IntegrationLog, IntegrationPatch, LikelyMatch, ListRequest, LosingTouch, Media, MediaCollection, MediaCollectionId, MediaCollectionItem, MediaCollectionItemId, MediaCollectionItemPatch, MediaCollectionPatch, MediaId, MediaPatch, MergeReport, MergeRequest, NewContact, NewContactInteraction, NewEvent, NewEventAgendaItem, NewEventAttendee, NewExpense, NewIntegration, NewMedia, NewMediaCollection, NewMediaCollectionItem, NewNotification, NewUser, NewWorkspace, Notification, NotificationId, NotificationPatch, Page, RunReport, SavedList, Scanned, StagedRestore, SyncStatus, TagCadence, TagCount, TagReport, Touch, Upload, User, UserId, UserPatch, WorkspaceStatus } from "./bindings";

/** One row: column name to value. */
export type Fields = { [key in string]?: JsonValue };

export const commands = {
  /** Whether a workspace exists, who works in it, and how many changes wait to sync. */
  workspaceStatus: () => invoke<WorkspaceStatus>("workspace_status"),
  /** First launch: creates the local organization and its admin user, with no server. */
  initWorkspace: (input: NewWorkspace) => invoke<null>("init_workspace", { input }),
  /** Captures someone just met (one transaction): a new contact, or the meeting added to a known */
  /** one; linked to the event met at; with an optional follow-up. */
  captureContact: (capture: Capture) => invoke<Captured>("capture_contact", { capture }),
  /** Reads a business card photo or a badge QR code (offline) into a draft for the capture form: */
  /** nothing is saved until the person checks it and presses Save. */
  scanCard: (image: Upload) => invoke<Scanned>("scan_card", { image }),
  /** The event captures are linked to now (chosen for today, or going on), if any. */
  captureEvent: () => invoke<CaptureEvent | null>("capture_event"),
  /** Links today's captures on this device to an event (null: to none). */
  chooseCaptureEvent: (eventId: string | null) => invoke<null>("choose_capture_event", { eventId }),
  /** Known contacts who look like the person being typed. */
  likelyMatches: (fields: Fields) => invoke<Array<LikelyMatch>>("likely_matches", { fields }),
  /** The people met at an event, with the count per team member. */
  eventLeads: (eventId: string) => invoke<EventLeads>("event_leads", { eventId }),
  /** The workspace's companies, most used first (capture's autocomplete). */
  companies: () => invoke<Array<string>>("companies"),
  /** Full-text contact search (names weigh most), with equality filters. */
  searchContacts: (query: string, equals: Fields, limit: number) => invoke<Array<Contact>>("search_contacts", { query, equals, limit }),
  /** The same search, answering only the fields a result list shows, with the list's filters */
  /** (equality, ranges, parts of text). */
  searchContactRows: (query: string, request: ListRequest, limit: number) => invoke<Array<ContactRow>>("search_contact_rows", { query, request, limit }),
  /** How many contacts the same search finds in all (the list shows the best of them). */
  countContactSearch: (query: string, request: ListRequest) => invoke<number>("count_contact_search", { query, request }),
  /** Adds and removes tags on contacts or events, all or nothing (a bad tag changes no row). */
  tagRows: (table: string, ids: Array<string>, add: Array<string>, remove: Array<string>) => invoke<TagReport>("tag_rows", { table, ids, add, remove }),
  /** Adds and removes tags on every contact a search or the list's filters find (all of them, not */
  /** only those shown), all or nothing. */
  tagMatchingContacts: (query: string, request: ListRequest, add: Array<string>, remove: Array<string>) => invoke<TagReport>("tag_matching_contacts", { query, request, add, remove }),
  /** Connects a provider (again: the credential is swapped): the credential goes to the OS */
  /** keychain, the row keeps a reference to it. */
  connectIntegration: (provider: string, integrationType: string, secret: string, settings: Fields) => invoke<Integration>("connect_integration", { provider, integrationType, secret, settings }),
  /** Changes a connection's settings (what Mailchimp is sent, how often it runs, …). */
  configureIntegration: (provider: string, settings: Fields) => invoke<Integration>("configure_integration", { provider, settings }),
  /** Starts signing in to Microsoft for Teams: the code to show, and where to type it. */
  teamsSignInStart: (settings: Fields) => invoke<DeviceCode>("teams_sign_in_start", { settings }),
  /** Waits for the Microsoft sign-in started last, then connects Teams (the refresh token into */
  /** the keychain). */
  teamsSignInFinish: () => invoke<Integration>("teams_sign_in_finish"),
  /** Disconnects a provider: its credential leaves the keychain, the connection is switched off. */
  disconnectIntegration: (provider: string) => invoke<Integration>("disconnect_integration", { provider }),
  /** Runs a connection now (docs/integrations.md), off the window's threads: pulls, pushes, logs. */
  runIntegration: (provider: string) => invoke<RunReport>("run_integration", { provider }),
  /** A connection's runs, newest first. */
  integrationLogs: (provider: string, limit: number) => invoke<Array<IntegrationLog>>("integration_logs", { provider, limit }),
  /** Merges contacts into one, keeping the chosen value of each field (plugs_core::merge); the */
  /** report's merge_id undoes it. */
  mergeContacts: (request: MergeRequest) => invoke<MergeReport>("merge_contacts", { request }),
  /** Undoes a merge: the merged contacts back as they were, with their history. */
  undoMerge: (mergeId: string) => invoke<null>("undo_merge", { mergeId }),
  /** Contacts that look like one person across the whole base, strongest reasons first. */
  duplicateSuggestions: (limit: number) => invoke<Array<DuplicatePair>>("duplicate_suggestions", { limit }),
  /** The saved lists (a name for a search and the contacts list's filters), by name. */
  savedLists: () => invoke<Array<SavedList>>("saved_lists"),
  /** Saves a search and filters under a name (a list of the same name is replaced). */
  saveList: (name: string, query: string, request: ListRequest) => invoke<SavedList>("save_list", { name, query, request }),
  /** Forgets a saved list. */
  deleteSavedList: (id: string) => invoke<null>("delete_saved_list", { id }),
  /** The tags on live contacts, with how many carry each, by name. */
  contactTags: () => invoke<Array<TagCount>>("contact_tags"),
  /** A contact's keep-in-touch (its cadence or its tag's, last and next touch, snooze), if any. */
  touchOf: (contactId: string) => invoke<Touch | null>("touch_of", { contactId }),
  /** Sets a contact's own cadence (null: back to its tags' default; every 0: never). */
  setKeepInTouch: (contactId: string, cadence: Cadence | null) => invoke<null>("set_keep_in_touch", { contactId, cadence }),
  /** Puts a contact's next touch off until a time (null ends the snooze). */
  snoozeTouch: (contactId: string, until: string | null) => invoke<null>("snooze_touch", { contactId, until }),
  /** Logs a touch: a completed interaction now (a call unless said), which moves the next touch. */
  logTouch: (contactId: string, interactionType: string | null) => invoke<string>("log_touch", { contactId, interactionType }),
  /** The contacts whose next touch has passed, the most overdue first. */
  losingTouch: (limit: number) => invoke<Array<LosingTouch>>("losing_touch", { limit }),
  /** The default cadence per tag. */
  tagCadences: () => invoke<Array<TagCadence>>("tag_cadences"),
  /** Sets (or with null clears) a tag's default cadence. */
  setTagCadence: (tag: string, cadence: Cadence | null) => invoke<null>("set_tag_cadence", { tag, cadence }),
  /** Due follow-ups, today's and upcoming events, unread notifications, pending changes. */
  homeSummary: () => invoke<HomeSummary>("home_summary"),
  /** The audit trail of one record, newest first. */
  auditHistory: (table: string, id: string) => invoke<Array<AuditLog>>("audit_history", { table, id }),
  /** Checks an attendee in (capacity and order rules in the core). */
  checkIn: (attendeeId: string) => invoke<EventAttendee>("check_in", { attendeeId }),
  /** Checks an attendee out. */
  checkOut: (attendeeId: string) => invoke<EventAttendee>("check_out", { attendeeId }),
  /** Approves an expense (admins). */
  approveExpense: (id: string) => invoke<Expense>("approve_expense", { id }),
  /** Rejects an expense (admins). */
  rejectExpense: (id: string) => invoke<Expense>("reject_expense", { id }),
  /** Marks an approved expense paid (admins). */
  payExpense: (id: string) => invoke<Expense>("pay_expense", { id }),
  /** Marks one notification read (sets read_at). */
  markNotificationRead: (id: string) => invoke<Notification>("mark_notification_read", { id }),
  /** Marks all of the user's notifications read; answers how many. */
  markAllNotificationsRead: () => invoke<number>("mark_all_notifications_read"),
  /** Marks a scheduled follow-up done. */
  completeFollowUp: (interactionId: string) => invoke<null>("complete_follow_up", { interactionId }),
  /** Expense totals per currency and per event, for the same filters as the list. */
  expenseTotals: (request: ListRequest) => invoke<Array<ExpenseTotal>>("expense_totals", { request }),
  /** The `contact_performance_summary` view. */
  contactPerformance: () => invoke<Array<ContactPerformance>>("contact_performance"),
  /** The `event_analytics` view. */
  eventAnalytics: () => invoke<Array<EventAnalytics>>("event_analytics"),
  /** Contacts per lead status. */
  leadStatusBreakdown: () => invoke<Array<Bucket>>("lead_status_breakdown"),
  /** Spending per expense type and currency. */
  expenseBreakdown: () => invoke<Array<ExpenseBucket>>("expense_breakdown"),
  /** Attaches a file to a contact, an event or an expense (its receipt). */
  attachMedia: (upload: Upload) => invoke<Media>("attach_media", { upload }),
  /** An attached image as a data: URL, for a preview (its thumbnail when it has one). */
  mediaPreview: (id: string) => invoke<string>("media_preview", { id }),
  /** An attached image whole, as a data: URL (downloaded first when it is on the server only). */
  mediaFull: (id: string) => invoke<string>("media_full", { id }),
  /** Saves a file into the Downloads folder (downloaded first when it is on the server only), */
  /** never overwriting: the path written. */
  mediaDownload: (id: string) => invoke<string>("media_download", { id }),
  /** The device's preferences and server link. */
  getSettings: () => invoke<AppSettings>("get_settings"),
  /** Changes one preference (theme, keep_running, reminder_lead_minutes). */
  setSetting: (key: string, value: string) => invoke<null>("set_setting", { key, value }),
  /** The automatic backup's settings (folder, how often, how many kept, whether its passphrase */
  /** is saved in the keychain). */
  backupSettings: () => invoke<BackupSettings>("backup_settings"),
  /** Changes the automatic backup's settings (every_hours 0: off). */
  setBackupSettings: (dir: string, everyHours: number, keep: number) => invoke<BackupSettings>("set_backup_settings", { dir, everyHours, keep }),
  /** Saves the automatic backups' passphrase in the OS keychain (null: forgets it, and automatic */
  /** backups stop). */
  saveBackupPassphrase: (passphrase: string | null) => invoke<null>("save_backup_passphrase", { passphrase }),
  /** Writes an encrypted backup now: to `file`, or into the backup folder; with the given */
  /** passphrase, or the one saved in the keychain. */
  backupNow: (file: string | null, passphrase: string | null) => invoke<BackupReport>("backup_now", { file, passphrase }),
  /** Opens and verifies a backup without changing anything: what a restore would bring back. */
  checkBackup: (file: string, passphrase: string) => invoke<BackupInfo>("check_backup", { file, passphrase }),
  /** Verifies a backup and stages it: it replaces this device's data when the app starts again */
  /** (the data it replaces is kept aside). The UI then restarts the app. */
  restoreBackup: (file: string, passphrase: string) => invoke<StagedRestore>("restore_backup", { file, passphrase }),
  /** Restarts the app (after a restore is staged). */
  restartApp: () => invoke<null>("restart_app"),
  /** Signs in to a server; this device's offline workspace joins that account's organization. */
  signIn: (server: string, email: string, password: string) => invoke<null>("sign_in", { server, email, password }),
  /** Registers this workspace on a server as a new organization, and signs in. */
  registerOnServer: (server: string, password: string) => invoke<null>("register_on_server", { server, password }),
  /** Signs out: the server session ends and the keychain forgets the tokens; data stays. */
  signOut: () => invoke<null>("sign_out"),
  /** The sync engine's status (null when this device does not sync with a server). */
  syncStatus: () => invoke<SyncStatus | null>("sync_status"),
  /** "Sync now". */
  syncNow: () => invoke<null>("sync_now"),
  /** The window's first screen is interactive. With PLUGS_READY_FILE set (start-up benchmark), */
  /** the time since the process started is written there, in milliseconds. */
  uiReady: () => invoke<null>("ui_ready"),
  /** Imports contacts from a file (vCard, LinkedIn, Google or any CSV; format "auto" detects), */
  /** on its own connection so the window stays usable; progress arrives as `import-progress` */
  /** events `{done, total}`. A dry run reports what would happen and changes nothing; */
  /** `overwrite` lets merges replace non-empty fields; `mapping` overrides CSV columns */
  /** ("Surname=last_name,Fax=ignore"). */
  importContacts: (fileName: string, dataBase64: string, format: string, dryRun: boolean, overwrite: boolean, mapping: string) => invoke<ImportReport>("import_contacts", { fileName, dataBase64, format, dryRun, overwrite, mapping }),
  /** Exports contacts (vcard, csv), events with agenda and follow-ups (ics) or expenses */
  /** (expenses-csv); answers the file's text. */
  exportData: (format: string) => invoke<string>("export_data", { format }),
  /** Exports to a file the user picks in the system's save dialog (its folder and name proposed: */
  /** Downloads, `the-plugs-contacts-2026-12-02.vcf`): the path written, or null when the dialog */
  /** was cancelled. `PLUGS_EXPORT_DIR` skips the dialog and writes there (scripts and tests). */
  exportToFile: (format: string) => invoke<string | null>("export_to_file", { format }),
  /** Creates a row of `contacts`; the core validates it and fills the defaults. */
  createContact: (fields: NewContact) => invoke<Contact>("create_contact", { fields }),
  /** One row of `contacts` by id (a soft-deleted one too). */
  getContact: (id: ContactId) => invoke<Contact>("get_contact", { id }),
  /** Changes the given fields of a row of `contacts` (null clears one). */
  updateContact: (id: ContactId, fields: ContactPatch) => invoke<Contact>("update_contact", { id, fields }),
  /** Deletes a row of `contacts` (a tombstone that syncs, where the table keeps them). */
  deleteContact: (id: ContactId) => invoke<Contact>("delete_contact", { id }),
  /** Brings a soft-deleted row of `contacts` back. */
  restoreContact: (id: ContactId) => invoke<Contact>("restore_contact", { id }),
  /** One page of `contacts`, filtered and sorted; `next_cursor` fetches the next. */
  listContacts: (request: ListRequest) => invoke<Page<Contact>>("list_contacts", { request }),
  /** How many rows of `contacts` a list request shows over all its pages. */
  countContacts: (request: ListRequest) => invoke<number>("count_contacts", { request }),
  /** Creates a row of `contact_interactions`; the core validates it and fills the defaults. */
  createContactInteraction: (fields: NewContactInteraction) => invoke<ContactInteraction>("create_contact_interaction", { fields }),
  /** One row of `contact_interactions` by id (a soft-deleted one too). */
  getContactInteraction: (id: ContactInteractionId) => invoke<ContactInteraction>("get_contact_interaction", { id }),
  /** Changes the given fields of a row of `contact_interactions` (null clears one). */
  updateContactInteraction: (id: ContactInteractionId, fields: ContactInteractionPatch) => invoke<ContactInteraction>("update_contact_interaction", { id, fields }),
  /** Deletes a row of `contact_interactions` (a tombstone that syncs, where the table keeps them). */
  deleteContactInteraction: (id: ContactInteractionId) => invoke<ContactInteraction>("delete_contact_interaction", { id }),
  /** Brings a soft-deleted row of `contact_interactions` back. */
  restoreContactInteraction: (id: ContactInteractionId) => invoke<ContactInteraction>("restore_contact_interaction", { id }),
  /** One page of `contact_interactions`, filtered and sorted; `next_cursor` fetches the next. */
  listContactInteractions: (request: ListRequest) => invoke<Page<ContactInteraction>>("list_contact_interactions", { request }),
  /** How many rows of `contact_interactions` a list request shows over all its pages. */
  countContactInteractions: (request: ListRequest) => invoke<number>("count_contact_interactions", { request }),
  /** Creates a row of `events`; the core validates it and fills the defaults. */
  createEvent: (fields: NewEvent) => invoke<Event>("create_event", { fields }),
  /** One row of `events` by id (a soft-deleted one too). */
  getEvent: (id: EventId) => invoke<Event>("get_event", { id }),
  /** Changes the given fields of a row of `events` (null clears one). */
  updateEvent: (id: EventId, fields: EventPatch) => invoke<Event>("update_event", { id, fields }),
  /** Deletes a row of `events` (a tombstone that syncs, where the table keeps them). */
  deleteEvent: (id: EventId) => invoke<Event>("delete_event", { id }),
  /** Brings a soft-deleted row of `events` back. */
  restoreEvent: (id: EventId) => invoke<Event>("restore_event", { id }),
  /** One page of `events`, filtered and sorted; `next_cursor` fetches the next. */
  listEvents: (request: ListRequest) => invoke<Page<Event>>("list_events", { request }),
  /** How many rows of `events` a list request shows over all its pages. */
  countEvents: (request: ListRequest) => invoke<number>("count_events", { request }),
  /** Creates a row of `event_attendees`; the core validates it and fills the defaults. */
  createEventAttendee: (fields: NewEventAttendee) => invoke<EventAttendee>("create_event_attendee", { fields }),
  /** One row of `event_attendees` by id (a soft-deleted one too). */
  getEventAttendee: (id: EventAttendeeId) => invoke<EventAttendee>("get_event_attendee", { id }),
  /** Changes the given fields of a row of `event_attendees` (null clears one). */
  updateEventAttendee: (id: EventAttendeeId, fields: EventAttendeePatch) => invoke<EventAttendee>("update_event_attendee", { id, fields }),
  /** Deletes a row of `event_attendees` (a tombstone that syncs, where the table keeps them). */
  deleteEventAttendee: (id: EventAttendeeId) => invoke<EventAttendee>("delete_event_attendee", { id }),
  /** Brings a soft-deleted row of `event_attendees` back. */
  restoreEventAttendee: (id: EventAttendeeId) => invoke<EventAttendee>("restore_event_attendee", { id }),
  /** One page of `event_attendees`, filtered and sorted; `next_cursor` fetches the next. */
  listEventAttendees: (request: ListRequest) => invoke<Page<EventAttendee>>("list_event_attendees", { request }),
  /** How many rows of `event_attendees` a list request shows over all its pages. */
  countEventAttendees: (request: ListRequest) => invoke<number>("count_event_attendees", { request }),
  /** Creates a row of `event_agenda_items`; the core validates it and fills the defaults. */
  createEventAgendaItem: (fields: NewEventAgendaItem) => invoke<EventAgendaItem>("create_event_agenda_item", { fields }),
  /** One row of `event_agenda_items` by id (a soft-deleted one too). */
  getEventAgendaItem: (id: EventAgendaItemId) => invoke<EventAgendaItem>("get_event_agenda_item", { id }),
  /** Changes the given fields of a row of `event_agenda_items` (null clears one). */
  updateEventAgendaItem: (id: EventAgendaItemId, fields: EventAgendaItemPatch) => invoke<EventAgendaItem>("update_event_agenda_item", { id, fields }),
  /** Deletes a row of `event_agenda_items` (a tombstone that syncs, where the table keeps them). */
  deleteEventAgendaItem: (id: EventAgendaItemId) => invoke<EventAgendaItem>("delete_event_agenda_item", { id }),
  /** Brings a soft-deleted row of `event_agenda_items` back. */
  restoreEventAgendaItem: (id: EventAgendaItemId) => invoke<EventAgendaItem>("restore_event_agenda_item", { id }),
  /** One page of `event_agenda_items`, filtered and sorted; `next_cursor` fetches the next. */
  listEventAgendaItems: (request: ListRequest) => invoke<Page<EventAgendaItem>>("list_event_agenda_items", { request }),
  /** How many rows of `event_agenda_items` a list request shows over all its pages. */
  countEventAgendaItems: (request: ListRequest) => invoke<number>("count_event_agenda_items", { request }),
  /** Creates a row of `expenses`; the core validates it and fills the defaults. */
  createExpense: (fields: NewExpense) => invoke<Expense>("create_expense", { fields }),
  /** One row of `expenses` by id (a soft-deleted one too). */
  getExpense: (id: ExpenseId) => invoke<Expense>("get_expense", { id }),
  /** Changes the given fields of a row of `expenses` (null clears one). */
  updateExpense: (id: ExpenseId, fields: ExpensePatch) => invoke<Expense>("update_expense", { id, fields }),
  /** Deletes a row of `expenses` (a tombstone that syncs, where the table keeps them). */
  deleteExpense: (id: ExpenseId) => invoke<Expense>("delete_expense", { id }),
  /** Brings a soft-deleted row of `expenses` back. */
  restoreExpense: (id: ExpenseId) => invoke<Expense>("restore_expense", { id }),
  /** One page of `expenses`, filtered and sorted; `next_cursor` fetches the next. */
  listExpenses: (request: ListRequest) => invoke<Page<Expense>>("list_expenses", { request }),
  /** How many rows of `expenses` a list request shows over all its pages. */
  countExpenses: (request: ListRequest) => invoke<number>("count_expenses", { request }),
  /** Creates a row of `media`; the core validates it and fills the defaults. */
  createMedia: (fields: NewMedia) => invoke<Media>("create_media", { fields }),
  /** One row of `media` by id (a soft-deleted one too). */
  getMedia: (id: MediaId) => invoke<Media>("get_media", { id }),
  /** Changes the given fields of a row of `media` (null clears one). */
  updateMedia: (id: MediaId, fields: MediaPatch) => invoke<Media>("update_media", { id, fields }),
  /** Deletes a row of `media` (a tombstone that syncs, where the table keeps them). */
  deleteMedia: (id: MediaId) => invoke<Media>("delete_media", { id }),
  /** Brings a soft-deleted row of `media` back. */
  restoreMedia: (id: MediaId) => invoke<Media>("restore_media", { id }),
  /** One page of `media`, filtered and sorted; `next_cursor` fetches the next. */
  listMedia: (request: ListRequest) => invoke<Page<Media>>("list_media", { request }),
  /** How many rows of `media` a list request shows over all its pages. */
  countMedia: (request: ListRequest) => invoke<number>("count_media", { request }),
  /** Creates a row of `media_collections`; the core validates it and fills the defaults. */
  createMediaCollection: (fields: NewMediaCollection) => invoke<MediaCollection>("create_media_collection", { fields }),
  /** One row of `media_collections` by id (a soft-deleted one too). */
  getMediaCollection: (id: MediaCollectionId) => invoke<MediaCollection>("get_media_collection", { id }),
  /** Changes the given fields of a row of `media_collections` (null clears one). */
  updateMediaCollection: (id: MediaCollectionId, fields: MediaCollectionPatch) => invoke<MediaCollection>("update_media_collection", { id, fields }),
  /** Deletes a row of `media_collections` (a tombstone that syncs, where the table keeps them). */
  deleteMediaCollection: (id: MediaCollectionId) => invoke<MediaCollection>("delete_media_collection", { id }),
  /** Brings a soft-deleted row of `media_collections` back. */
  restoreMediaCollection: (id: MediaCollectionId) => invoke<MediaCollection>("restore_media_collection", { id }),
  /** One page of `media_collections`, filtered and sorted; `next_cursor` fetches the next. */
  listMediaCollections: (request: ListRequest) => invoke<Page<MediaCollection>>("list_media_collections", { request }),
  /** How many rows of `media_collections` a list request shows over all its pages. */
  countMediaCollections: (request: ListRequest) => invoke<number>("count_media_collections", { request }),
  /** Creates a row of `media_collection_items`; the core validates it and fills the defaults. */
  createMediaCollectionItem: (fields: NewMediaCollectionItem) => invoke<MediaCollectionItem>("create_media_collection_item", { fields }),
  /** One row of `media_collection_items` by id (a soft-deleted one too). */
  getMediaCollectionItem: (id: MediaCollectionItemId) => invoke<MediaCollectionItem>("get_media_collection_item", { id }),
  /** Changes the given fields of a row of `media_collection_items` (null clears one). */
  updateMediaCollectionItem: (id: MediaCollectionItemId, fields: MediaCollectionItemPatch) => invoke<MediaCollectionItem>("update_media_collection_item", { id, fields }),
  /** Deletes a row of `media_collection_items` (a tombstone that syncs, where the table keeps them). */
  deleteMediaCollectionItem: (id: MediaCollectionItemId) => invoke<MediaCollectionItem>("delete_media_collection_item", { id }),
  /** Brings a soft-deleted row of `media_collection_items` back. */
  restoreMediaCollectionItem: (id: MediaCollectionItemId) => invoke<MediaCollectionItem>("restore_media_collection_item", { id }),
  /** One page of `media_collection_items`, filtered and sorted; `next_cursor` fetches the next. */
  listMediaCollectionItems: (request: ListRequest) => invoke<Page<MediaCollectionItem>>("list_media_collection_items", { request }),
  /** How many rows of `media_collection_items` a list request shows over all its pages. */
  countMediaCollectionItems: (request: ListRequest) => invoke<number>("count_media_collection_items", { request }),
  /** Creates a row of `notifications`; the core validates it and fills the defaults. */
  createNotification: (fields: NewNotification) => invoke<Notification>("create_notification", { fields }),
  /** One row of `notifications` by id (a soft-deleted one too). */
  getNotification: (id: NotificationId) => invoke<Notification>("get_notification", { id }),
  /** Changes the given fields of a row of `notifications` (null clears one). */
  updateNotification: (id: NotificationId, fields: NotificationPatch) => invoke<Notification>("update_notification", { id, fields }),
  /** Deletes a row of `notifications` (a tombstone that syncs, where the table keeps them). */
  deleteNotification: (id: NotificationId) => invoke<Notification>("delete_notification", { id }),
  /** Brings a soft-deleted row of `notifications` back. */
  restoreNotification: (id: NotificationId) => invoke<Notification>("restore_notification", { id }),
  /** One page of `notifications`, filtered and sorted; `next_cursor` fetches the next. */
  listNotifications: (request: ListRequest) => invoke<Page<Notification>>("list_notifications", { request }),
  /** How many rows of `notifications` a list request shows over all its pages. */
  countNotifications: (request: ListRequest) => invoke<number>("count_notifications", { request }),
  /** Creates a row of `integrations`; the core validates it and fills the defaults. */
  createIntegration: (fields: NewIntegration) => invoke<Integration>("create_integration", { fields }),
  /** One row of `integrations` by id (a soft-deleted one too). */
  getIntegration: (id: IntegrationId) => invoke<Integration>("get_integration", { id }),
  /** Changes the given fields of a row of `integrations` (null clears one). */
  updateIntegration: (id: IntegrationId, fields: IntegrationPatch) => invoke<Integration>("update_integration", { id, fields }),
  /** Deletes a row of `integrations` (a tombstone that syncs, where the table keeps them). */
  deleteIntegration: (id: IntegrationId) => invoke<Integration>("delete_integration", { id }),
  /** Brings a soft-deleted row of `integrations` back. */
  restoreIntegration: (id: IntegrationId) => invoke<Integration>("restore_integration", { id }),
  /** One page of `integrations`, filtered and sorted; `next_cursor` fetches the next. */
  listIntegrations: (request: ListRequest) => invoke<Page<Integration>>("list_integrations", { request }),
  /** How many rows of `integrations` a list request shows over all its pages. */
  countIntegrations: (request: ListRequest) => invoke<number>("count_integrations", { request }),
  /** Creates a row of `users`; the core validates it and fills the defaults. */
  createUser: (fields: NewUser) => invoke<User>("create_user", { fields }),
  /** One row of `users` by id (a soft-deleted one too). */
  getUser: (id: UserId) => invoke<User>("get_user", { id }),
  /** Changes the given fields of a row of `users` (null clears one). */
  updateUser: (id: UserId, fields: UserPatch) => invoke<User>("update_user", { id, fields }),
  /** Deletes a row of `users` (a tombstone that syncs, where the table keeps them). */
  deleteUser: (id: UserId) => invoke<User>("delete_user", { id }),
  /** Brings a soft-deleted row of `users` back. */
  restoreUser: (id: UserId) => invoke<User>("restore_user", { id }),
  /** One page of `users`, filtered and sorted; `next_cursor` fetches the next. */
  listUsers: (request: ListRequest) => invoke<Page<User>>("list_users", { request }),
  /** How many rows of `users` a list request shows over all its pages. */
  countUsers: (request: ListRequest) => invoke<number>("count_users", { request }),
};
