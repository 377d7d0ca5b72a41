import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import Duplicates from "../lib/Duplicates.svelte";
import { mockCommands, contact } from "./ipc";

const $ = (id: string) => document.getElementById(id) as HTMLElement;

describe("duplicates and merge", () => {
  it("lists the pairs, merges one side by side with the fields chosen, and undoes it", async () => {
    const a = contact("a", { first_name: "Grace", last_name: "Hopper", email: null, phone: "+1 202 555 0100", company: "Navy" });
    const b = contact("b", { first_name: "Grace", last_name: "Hopper", email: "grace@navy.test", phone: "+1 202 555 0199", company: "Navy" });
    let pairs = [{ a, b, reason: "same_name", why: "same name" }];
    const calls = mockCommands({
      duplicate_suggestions: () => pairs,
      get_record: (x) => (x.id === a.id ? a : b),
      merge_contacts: () => {
        pairs = [];
        return { merge_id: "m1", keep: a.id, merged: [b.id], interactions_moved: 1, files_moved: 0 };
      },
      undo_merge: () => {
        pairs = [{ a, b, reason: "same_name", why: "same name" }];
        return null;
      },
    });
    render(Duplicates);
    await waitFor(() => expect($("duplicate-pairs").textContent).toContain("same name"));
    await fireEvent.click(document.querySelector(".merge-open")!);
    await waitFor(() => expect(document.getElementById("merge-row-phone")).not.toBeNull());
    // Only the fields that differ are asked; an empty value defaults to the other's.
    expect(document.getElementById("merge-row-company")).toBeNull();
    const email = [...$("merge-row-email").querySelectorAll<HTMLInputElement>("input")];
    expect(email[1].checked).toBe(true);
    const phone = [...$("merge-row-phone").querySelectorAll<HTMLInputElement>("input")];
    expect(phone[0].checked).toBe(true);
    await fireEvent.click(phone[1]);
    await fireEvent.click($("merge-run"));
    await waitFor(() => expect($("merge-message").textContent).toContain("Merged 2 contacts into one: 1 interaction and 0 files moved."));
    const sent = calls.find((c) => c.cmd === "merge_contacts")!.args.request;
    expect(sent.keep).toBe(a.id);
    expect(sent.others).toEqual([b.id]);
    expect(sent.fields).toEqual({ email: b.id, phone: b.id });
    await waitFor(() => expect($("duplicates-none").textContent).toContain("No two contacts"));
    await fireEvent.click($("merge-undo"));
    await waitFor(() => expect($("merge-message").textContent).toContain("Merge undone"));
    expect(calls.find((c) => c.cmd === "undo_merge")!.args).toEqual({ mergeId: "m1" });
    await waitFor(() => expect($("duplicate-pairs").textContent).toContain("same name"));
  });
});
