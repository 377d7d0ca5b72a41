// Keyboard shortcuts for the main moves.
import type { Screen } from "./router.svelte";

export const GO_KEYS: Record<string, Screen> = {
  h: "home", c: "contacts", e: "events", x: "expenses", m: "media", n: "notifications", a: "analytics", s: "settings", i: "integrations",
};

export const SHORTCUTS: Array<[string, string]> = [
  ["Ctrl+N", "Quick capture (from any screen)"],
  ["Ctrl+K or /", "Search contacts"],
  ["g then h", "Home"],
  ["g then c", "Contacts"],
  ["g then e", "Events"],
  ["g then x", "Expenses"],
  ["g then m", "Media"],
  ["g then n", "Notifications"],
  ["g then a", "Analytics"],
  ["g then i", "Integrations"],
  ["g then s", "Settings"],
  ["e", "Edit the contact you are looking at"],
  ["Enter", "Save the form you are in"],
  ["?", "This help"],
  ["Esc", "Close overlays and panels"],
];

/** One-key shortcuts of the screen on show (e: edit this contact); a screen adds its own while
    it is mounted and removes them when it goes. Typing in a field never triggers them. */
export const screenKeys = new Map<string, () => void>();

export function screenKey(key: string, action: () => void): () => void {
  screenKeys.set(key, action);
  return () => {
    if (screenKeys.get(key) === action) screenKeys.delete(key);
  };
}

export type ShortcutActions = {
  capture: () => void;
  search: () => void;
  go: (s: Screen) => void;
  help: () => void;
  escape: () => void;
};

function typing(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

export function keyHandler(a: ShortcutActions): (e: KeyboardEvent) => void {
  let gAt = 0;
  return (e: KeyboardEvent) => {
    const key = e.key;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && key.toLowerCase() === "n") {
      e.preventDefault();
      return a.capture();
    }
    if ((e.ctrlKey || e.metaKey) && !e.altKey && key.toLowerCase() === "k") {
      e.preventDefault();
      return a.search();
    }
    if (key === "Escape") return a.escape();
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (key === "?") {
      e.preventDefault();
      return a.help();
    }
    if (key === "/") {
      e.preventDefault();
      return a.search();
    }
    const now = Date.now();
    const afterG = gAt && now - gAt < 1500;
    if (afterG && GO_KEYS[key]) {
      gAt = 0;
      e.preventDefault();
      return a.go(GO_KEYS[key]);
    }
    const own = afterG ? undefined : screenKeys.get(key);
    if (own) {
      gAt = 0;
      e.preventDefault();
      return own();
    }
    gAt = key === "g" ? now : 0;
  };
}
