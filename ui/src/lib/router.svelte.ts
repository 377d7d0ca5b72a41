// A small hash router: #/screen or #/screen/id.
export const SCREENS = ["home", "contacts", "contact", "events", "event", "expenses", "media", "notifications", "analytics", "integrations", "settings"] as const;
export type Screen = (typeof SCREENS)[number];

export const route = $state<{ screen: Screen; id: string | null }>({ screen: "home", id: null });

export function parseHash(hash: string): { screen: Screen; id: string | null } {
  const [screen, id] = hash.replace(/^#\/?/, "").split("/");
  if ((SCREENS as readonly string[]).includes(screen)) return { screen: screen as Screen, id: id ? decodeURIComponent(id) : null };
  return { screen: "home", id: null };
}

export function go(screen: Screen, id: string | null = null): void {
  route.screen = screen;
  route.id = id;
  const hash = `#/${screen}${id ? "/" + encodeURIComponent(id) : ""}`;
  if (typeof location !== "undefined" && location.hash !== hash) history.pushState(null, "", hash);
}

/** Follows the address bar (back/forward). */
export function followHash(): () => void {
  const apply = () => {
    const r = parseHash(location.hash);
    route.screen = r.screen;
    route.id = r.id;
  };
  if (location.hash) apply();
  window.addEventListener("popstate", apply);
  window.addEventListener("hashchange", apply);
  return () => {
    window.removeEventListener("popstate", apply);
    window.removeEventListener("hashchange", apply);
  };
}

export type NavigatePayload = { screen: string; id: string | null };

/** Where a `navigate` event from the shell (notification click, tray) leads. */
export function handleNavigate(p: NavigatePayload | null | undefined): void {
  if (!p) return go("home");
  switch (p.screen) {
    case "contact":
      return p.id ? go("contact", p.id) : go("contacts");
    case "event":
      return p.id ? go("event", p.id) : go("events");
    case "notifications":
      return go("notifications");
    default:
      if ((SCREENS as readonly string[]).includes(p.screen)) return go(p.screen as Screen, p.id ?? null);
      return go("home");
  }
}

/** Subscribes to the shell's `navigate` event; does nothing outside the desktop shell. */
export async function listenNavigate(): Promise<() => void> {
  if (typeof window === "undefined" || !("__TAURI_INTERNALS__" in window)) return () => {};
  try {
    const { listen } = await import("@tauri-apps/api/event");
    return await listen<NavigatePayload>("navigate", (e) => handleNavigate(e.payload));
  } catch {
    return () => {};
  }
}

/** Subscribes to the shell's `store-damaged` event (the background integrity check failed). */
export async function listenDamage(onDamage: (message: string) => void): Promise<() => void> {
  if (typeof window === "undefined" || !("__TAURI_INTERNALS__" in window)) return () => {};
  try {
    const { listen } = await import("@tauri-apps/api/event");
    return await listen<{ message: string }>("store-damaged", (e) => onDamage(e.payload.message));
  } catch {
    return () => {};
  }
}
