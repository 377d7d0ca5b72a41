// Generated from the Rust command list (src-tauri/src/commands.rs) by
// `UPDATE_BINDINGS=1 cargo test -p plugs-desktop`. Do not edit.

import { invoke } from "@tauri-apps/api/core";
import type { AppSettings, AuditLog, BackupInfo, BackupReport, BackupSettings, Bucket, Cadence, Capture, CaptureEvent, Captured, Contact, ContactPerformance, ContactRow, DuplicatePair, EventAnalytics, EventAttendee, EventLeads, Expense, ExpenseBucket, ExpenseTotal, HomeSummary, ImportReport, LikelyMatch, ListRequest, LosingTouch, Media, MergeReport, MergeRequest, NewWorkspace, Notification, Page, SavedList, Scanned, StagedRestore, SyncStatus, TagCadence, TagCount, TagReport, Touch, Upload, WorkspaceStatus, JsonValue } from "./bindings";
export type { AppSettings, AuditLog, BackupInfo, BackupReport, BackupSettings, Bucket, Cadence, Capture, CaptureEvent, Captured, Contact, ContactPerformance, ContactRow, DuplicatePair, EventAnalytics, EventAttendee, EventLeads, Expense, ExpenseBucket, ExpenseTotal, HomeSummary, ImportReport, LikelyMatch, ListRequest, LosingTouch, Media, MergeReport, MergeRequest, NewWorkspace, Notification, Page, SavedList, Scanned, StagedRestore, SyncStatus, TagCadence, TagCount, TagReport, Touch, Upload, WorkspaceStatus } from "./bindings";

/** One row: column name to value. */
export type Fields = { [key in string]?: JsonValue };

export const commands = {
  /** Whether a workspace exists, who works in it, and how many changes wait to sync. */
  workspaceStatus: () => invoke<WorkspaceStatus>("workspace_status"),
  /** First launch: creates the local organization and its admin user, with no server. */
  initWorkspace: (input: NewWorkspace) => invoke<null>("init_workspace", { input }),
  /** Creates a row of any table; the core validates and fills defaults. */
  createRecord: (table: string, fields: Fields) => invoke<Fields>("create_record", { table, fields }),
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
  /** Changes the given fields of a row. */
  updateRecord: (table: string, id: string, fields: Fields) => invoke<Fields>("update_record", { table, id, fields }),
  /** Soft-deletes a row (a tombstone that syncs). */
  deleteRecord: (table: string, id: string) => invoke<Fields>("delete_record", { table, id }),
  /** Brings a soft-deleted row back. */
  restoreRecord: (table: string, id: string) => invoke<Fields>("restore_record", { table, id }),
  /** One row by id. */
  getRecord: (table: string, id: string) => invoke<Fields>("get_record", { table, id }),
  /** One page of a table, filtered and sorted; `next_cursor` fetches the next page. */
  listRecords: (table: string, request: ListRequest) => invoke<Page<Fields>>("list_records", { table, request }),
  /** How many rows a list request shows over all its pages. */
  countRecords: (table: string, request: ListRequest) => invoke<number>("count_records", { table, request }),
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
};
