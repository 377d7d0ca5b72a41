import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import ImportExport from "../lib/ImportExport.svelte";
import { mockCommands, reject } from "./ipc";

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;

async function choose(name: string, text: string) {
  const input = $("import-file");
  const file = new File([text], name, { type: "text/vcard" });
  Object.defineProperty(input, "files", { value: [file], configurable: true });
  await fireEvent.change(input);
}

const report = (over: Record<string, unknown> = {}) => ({
  format: "vcard", encoding: "utf-8", dry_run: false, entries: 3, created: 2, merged: 1, media: 1,
  refused: [], warnings: [], merges: [], ...over,
});

describe("import", () => {
  it("shows what the import did: photos saved, notes by card, merges with the fields they filled", async () => {
    const calls = mockCommands({
      import_contacts: () =>
        report({
          warnings: [{ location: "card 2 (line 8)", reason: "PHOTO https://photos.test/k.jpg: not downloaded: the host could not be reached; kept as the contact's avatar link" }],
          merges: [{ location: "card 3 (line 15)", contact_id: "c9", name: "Ada Lovelace", fields: ["phone", "job_title"] }],
        }),
    });
    render(ImportExport);
    await choose("people.vcf", "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nEND:VCARD\r\n");
    await fireEvent.click($("import-dry-run"));
    await fireEvent.submit($("import-run").closest("form")!);
    await waitFor(() => expect($("import-created").textContent).toBe("2 contacts"));
    expect($("import-merged").textContent).toBe("1 contact");
    expect($("import-refused").textContent).toBe("0 entries");
    expect($("import-media").textContent).toBe("1 photo");
    expect($("import-report").querySelector("p")!.textContent).toBe("Imported (vcard): 2 contacts created, 1 contact merged, 0 entries refused, 1 photo saved.");
    const notes = [...document.querySelectorAll(".warning-row")].map((r) => r.textContent);
    expect(notes).toEqual([expect.stringContaining("card 2 (line 8)")]);
    expect(notes[0]).toContain("kept as the contact's avatar link");
    const merge = document.querySelector(".merge-row")!.textContent!;
    expect(merge).toContain("Ada Lovelace");
    expect(merge).toContain("phone, job_title");
    const sent = calls.find((c) => c.cmd === "import_contacts")!.args;
    expect(sent.dryRun).toBe(false);
  });

  it("names the problem and shows no report when the file is refused whole", async () => {
    mockCommands({ import_contacts: reject("file", "no BEGIN:VCARD in this file; is it a CSV?") });
    render(ImportExport);
    await choose("notes.txt", "hello");
    await fireEvent.submit($("import-run").closest("form")!);
    await waitFor(() => expect($("import-error").textContent).toBe("file: no BEGIN:VCARD in this file; is it a CSV?"));
    expect(document.getElementById("import-report")).toBeNull();
    expect(document.getElementById("import-media")).toBeNull();
  });
});
