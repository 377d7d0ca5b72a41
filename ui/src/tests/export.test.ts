import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import ImportExport from "../lib/ImportExport.svelte";
import { mockCommands } from "./ipc";

const $ = (id: string) => document.getElementById(id) as HTMLElement;

describe("export", () => {
  it("goes through the save dialog and says where the file went; a cancel says nothing; a failure says why", async () => {
    let answer: unknown = "/home/ada/Downloads/the-plugs-contacts-2026-12-02.vcf";
    const calls = mockCommands({
      export_to_file: () => {
        if (answer instanceof Error) throw { code: "not_written", field: "file", message: "/read-only/x.vcf could not be written: permission denied" };
        return answer;
      },
    });
    render(ImportExport);
    await fireEvent.click($("export-vcard"));
    await waitFor(() => expect($("export-done").textContent).toBe("Contacts (vCard) saved to /home/ada/Downloads/the-plugs-contacts-2026-12-02.vcf"));
    expect(calls.find((c) => c.cmd === "export_to_file")!.args).toEqual({ format: "vcard" });
    answer = null;
    await fireEvent.click($("export-csv"));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "export_to_file").length).toBe(2));
    await waitFor(() => expect(document.getElementById("export-done")).toBeNull());
    answer = new Error("x");
    await fireEvent.click($("export-ics"));
    await waitFor(() => expect($("export-error").textContent).toContain("permission denied"));
  });
});
