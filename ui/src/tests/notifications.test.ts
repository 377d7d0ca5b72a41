import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import Notifications from "../screens/Notifications.svelte";
import { app } from "../lib/app.svelte";
import { mockCommands, workspace } from "./ipc";

const note = (id: string, is_read = false) => ({
  id, organization_id: "o1", user_id: "u1", title: `Note ${id}`, message: "Follow up with Grace", notification_type: "reminder", channel: "in_app", data: {},
  is_read, read_at: null, expires_at: null, created_at: "2026-11-20T10:00:00Z", updated_at: "2026-11-20T10:00:00Z", is_deleted: false,
});

describe("notifications", () => {
  it("mark all read updates the unread count", async () => {
    app.status = workspace() as never;
    let unread = 2;
    const calls = mockCommands({
      list_records: () => ({ items: [note("n1"), note("n2"), note("n3", true)], next_cursor: null }),
      count_records: () => unread,
      mark_all_notifications_read: () => {
        const n = unread;
        unread = 0;
        return n;
      },
    });
    render(Notifications);
    await waitFor(() => expect(document.getElementById("notif-count")!.textContent).toBe("2"));
    expect(document.querySelectorAll("#notif-list .notif-row")).toHaveLength(3);
    expect(calls.find((c) => c.cmd === "list_records")!.args.request.equals).toEqual({ user_id: "u1" });
    await fireEvent.click(document.getElementById("notif-read-all")!);
    await waitFor(() => expect(document.getElementById("notif-count")!.textContent).toBe("0"));
    expect(app.unread).toBe(0);
    expect(document.querySelectorAll('#notif-list .notif-row[data-read="false"]')).toHaveLength(0);
  });

  it("marks one read", async () => {
    app.status = workspace() as never;
    let unread = 1;
    mockCommands({
      list_records: () => ({ items: [note("n1")], next_cursor: null }),
      count_records: () => unread,
      mark_notification_read: (a) => {
        unread = 0;
        return note(a.id, true);
      },
    });
    render(Notifications);
    await waitFor(() => expect(document.querySelector(".notif-read")).not.toBeNull());
    await fireEvent.click(document.querySelector(".notif-read")!);
    await waitFor(() => expect(document.getElementById("notif-count")!.textContent).toBe("0"));
  });
});
