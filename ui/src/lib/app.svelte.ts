// State the whole window shares: workspace, sync, unread count, overlays, theme.
import { commands, type SyncStatus, type WorkspaceStatus } from "../commands";
import type { ListRequest, SavedList } from "../bindings";
import { req } from "./util";

export const app = $state({
  status: null as WorkspaceStatus | null,
  sync: null as SyncStatus | null,
  pending: 0,
  unread: 0,
  captureOpen: false,
  helpOpen: false,
  theme: "light" as "light" | "dark",
  /** The contacts search box (in the top bar) and the contacts list share it. */
  query: "",
  /** The contacts list's "met at" event filter ("" for any); an event's page sets it. */
  contactsEvent: "",
  /** Bumped when something the lists show changed elsewhere (quick capture, import). */
  contactsVersion: 0,
  /** The saved lists, shown in the sidebar. */
  savedLists: [] as SavedList[],
  /** A saved list's filters for the contacts list to take when it opens (then cleared). */
  applyList: null as ListRequest | null,
});

export async function refreshSavedLists(): Promise<void> {
  try {
    app.savedLists = await commands.savedLists();
  } catch {
    /* keep what we had */
  }
}

/** Opens the contacts list with a saved list's search and filters. */
export function openSavedList(l: SavedList): void {
  app.query = l.query;
  app.contactsEvent = "";
  app.applyList = l.request;
  app.contactsVersion++;
}

export function isAdmin(): boolean {
  return !!app.status?.is_admin;
}

export function me(): string | null {
  return app.status?.user?.id ?? null;
}

export async function refreshStatus(): Promise<void> {
  try {
    app.status = await commands.workspaceStatus();
    app.pending = app.status.pending_changes;
  } catch {
    /* keep what we had */
  }
}

export async function refreshSync(): Promise<void> {
  try {
    app.sync = await commands.syncStatus();
    const s = await commands.workspaceStatus();
    app.status = s;
    app.pending = s.pending_changes;
  } catch {
    /* the next poll tries again */
  }
}

export async function refreshUnread(): Promise<void> {
  try {
    const equals: Record<string, string | boolean> = { is_read: false };
    const id = me();
    if (id) equals.user_id = id;
    app.unread = await commands.countNotifications(req({ equals }));
  } catch {
    /* keep the last count */
  }
}

export function applyTheme(theme: "light" | "dark"): void {
  app.theme = theme;
  if (typeof document !== "undefined") {
    document.documentElement.classList.toggle("dark", theme === "dark");
    document.documentElement.dataset.theme = theme;
  }
}

let usersCache: Promise<import("../bindings").User[]> | null = null;

/** The workspace's users (attendees, speakers); fetched once per session, refreshed on demand. */
export function users(refresh = false): Promise<import("../bindings").User[]> {
  if (!usersCache || refresh) {
    usersCache = commands
      .listUsers(req({ sort: "last_name", limit: 1000 }))
      .then((p) => p.items)
      .catch(() => {
        usersCache = null;
        return [];
      });
  }
  return usersCache;
}

/** Events for pickers (expenses, media); the newest first. */
export async function eventChoices(): Promise<Array<{ id: string; title: string }>> {
  try {
    const p = await commands.listEvents(req({ sort: "start_date", descending: true, limit: 500 }));
    return p.items.map((e) => ({ id: String(e.id), title: String(e.title) }));
  } catch {
    return [];
  }
}
