import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import Backup from "../lib/Backup.svelte";
import { mockCommands, reject } from "./ipc";

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;

const settings = { dir: "/home/ada/.local/share/com.theplugs.app/backups", every_hours: 24, keep: 7, last_at: null, has_passphrase: false };
const info = {
  format: 1,
  created_at: "2026-12-01T09:30:00.000000Z",
  app_version: "0.1.0",
  schema_version: 9,
  device_id: "d1",
  organization: "Acme",
  tables: [
    { table: "contacts", rows: 42 },
    { table: "contact_interactions", rows: 120 },
    { table: "events", rows: 3 },
    { table: "expenses", rows: 1 },
  ],
  files: [{ name: "ab", bytes: 10, sha256: "x" }],
};

describe("backup", () => {
  it("asks for the passphrase twice, saves it when asked, and names the file written", async () => {
    const calls = mockCommands({
      backup_settings: () => settings,
      backup_now: () => ({ file: "/tmp/b.plugsbackup", bytes: 2_400_000, info, took_ms: 900 }),
      save_backup_passphrase: () => null,
    });
    render(Backup);
    await waitFor(() => expect($("backup-dir").value).toBe(settings.dir));
    await fireEvent.click($("backup-now"));
    await waitFor(() => expect(document.querySelector("#backup-form")!.textContent).toContain("type a passphrase"));
    await fireEvent.input($("backup-pass"), { target: { value: "a long passphrase" } });
    await fireEvent.input($("backup-pass2"), { target: { value: "a long passphrasf" } });
    await fireEvent.click($("backup-now"));
    await waitFor(() => expect(document.querySelector("#backup-form")!.textContent).toContain("the two passphrases differ"));
    expect(calls.some((c) => c.cmd === "backup_now")).toBe(false);
    await fireEvent.input($("backup-pass2"), { target: { value: "a long passphrase" } });
    await fireEvent.click($("backup-now"));
    await waitFor(() => expect($("backup-done").textContent).toBe("Backup saved to /tmp/b.plugsbackup: 42 contacts, 120 interactions, 3 events, 1 expense, 1 file (2.3 MB)."));
    expect(calls.find((c) => c.cmd === "backup_now")!.args).toEqual({ file: null, passphrase: "a long passphrase" });
    expect(calls.find((c) => c.cmd === "save_backup_passphrase")!.args).toEqual({ passphrase: "a long passphrase" });
    expect($("backup-pass").value).toBe("");
  });

  it("shows a refused setting next to its field", async () => {
    mockCommands({ backup_settings: () => settings, set_backup_settings: reject("dir", "a full folder path, such as /home/you/Backups") });
    render(Backup);
    await waitFor(() => expect($("backup-dir").value).toBe(settings.dir));
    await fireEvent.input($("backup-dir"), { target: { value: "Backups" } });
    await fireEvent.click($("backup-auto-save"));
    await waitFor(() => expect(document.querySelector("#backup-auto")!.textContent).toContain("a full folder path"));
  });

  it("checks a backup, says what it holds, and restores only after a confirmation", async () => {
    const wrong = reject("passphrase", "this passphrase does not open the backup", "wrong_passphrase");
    const calls = mockCommands({
      backup_settings: () => settings,
      check_backup: (a) => (a.passphrase === "right passphrase" ? info : wrong()),
      restore_backup: () => ({ info, new_device: false }),
      restart_app: () => null,
    });
    render(Backup);
    await fireEvent.input($("restore-file"), { target: { value: "/tmp/b.plugsbackup" } });
    await fireEvent.input($("restore-pass"), { target: { value: "wrong one" } });
    await fireEvent.click($("restore-check"));
    await waitFor(() => expect(document.querySelector("#restore-form")!.textContent).toContain("this passphrase does not open the backup"));
    expect($("restore-checked")).toBeNull();
    await fireEvent.input($("restore-pass"), { target: { value: "right passphrase" } });
    await fireEvent.click($("restore-check"));
    await waitFor(() => expect($("restore-checked").textContent).toContain("with 42 contacts, 120 interactions, 3 events, 1 expense, 1 file"));
    expect(calls.some((c) => c.cmd === "restore_backup")).toBe(false);
    await fireEvent.click($("restore-start"));
    expect($("restore-warning").textContent).toContain("kept aside");
    await fireEvent.click($("restore-confirm"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "restart_app")).toBe(true));
    expect(calls.find((c) => c.cmd === "restore_backup")!.args).toEqual({ file: "/tmp/b.plugsbackup", passphrase: "right passphrase" });
  });
});
