import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import ContactDetail from "../screens/ContactDetail.svelte";
import { mockCommands, contact, reject } from "./ipc";

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;

const interaction = { id: "i1", organization_id: "o1", contact_id: "c1", user_id: "u1", interaction_type: "call", subject: "Intro call", description: null, outcome: null, interaction_date: "2026-11-20T10:00:00Z", status: "completed", metadata: {}, created_at: "2026-11-20T10:00:00Z", updated_at: "2026-11-20T10:00:00Z", is_deleted: false, deleted_at: null };

function mocks(over: Record<string, (a: Record<string, any>) => unknown> = {}) {
  return mockCommands({
    get_record: () => contact(1, { first_name: "Grace", last_name: "Hopper", email: "grace@navy.test" }),
    list_records: (a) => ({ items: a.table === "contact_interactions" ? [interaction] : [], next_cursor: null }),
    audit_history: () => [{ id: "a1", organization_id: "o1", user_id: "u1", table_name: "contacts", record_id: "c1", action: "update", old_values: { company: "Navy" }, new_values: { company: "US Navy" }, metadata: {}, created_at: "2026-11-21T10:00:00Z" }],
    ...over,
  });
}

describe("contact detail", () => {
  it("shows the core's error next to its field and keeps the values", async () => {
    const calls = mocks({ update_record: reject("email", "not an email address") });
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($("edit-email").value).toBe("grace@navy.test"));
    await fireEvent.input($("edit-email"), { target: { value: "grace-at-navy" } });
    await fireEvent.input($("edit-job_title"), { target: { value: "Rear Admiral" } });
    await fireEvent.click($("edit-save"));
    await waitFor(() => expect($("err-email").textContent).toBe("not an email address"));
    expect($("err-first_name").textContent).toBe("");
    expect($("edit-email").value).toBe("grace-at-navy");
    expect($("edit-job_title").value).toBe("Rear Admiral");
    // Only the changed fields were sent.
    const sent = calls.find((c) => c.cmd === "update_record")!.args;
    expect(sent).toEqual({ table: "contacts", id: "c1", fields: { email: "grace-at-navy", job_title: "Rear Admiral" } });
  });

  it("shows an error with no field at form level", async () => {
    mocks({ update_record: reject(null, "the contact was deleted meanwhile", "conflict") });
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($("edit-company").value).toBe("Co1"));
    await fireEvent.input($("edit-company"), { target: { value: "Navy" } });
    await fireEvent.click($("edit-save"));
    await waitFor(() => expect($("edit-error").textContent).toBe("the contact was deleted meanwhile"));
    expect($("edit-company").value).toBe("Navy");
  });

  it("lists the timeline and history, and logs an interaction", async () => {
    const calls = mocks({ create_record: (a) => ({ id: "i2", ...a.fields }) });
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($("timeline").textContent).toContain("Intro call"));
    expect($("audit").textContent).toContain("company: Navy → US Navy");
    const tl = calls.find((c) => c.cmd === "list_records" && c.args.table === "contact_interactions")!.args.request;
    expect(tl).toMatchObject({ equals: { contact_id: "c1" }, sort: "interaction_date", descending: true });
    await fireEvent.change($<HTMLSelectElement>("int-type"), { target: { value: "meeting" } });
    await fireEvent.input($("int-subject"), { target: { value: "Booth chat" } });
    await fireEvent.click($("int-save"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "create_record")).toBe(true));
    const f = calls.find((c) => c.cmd === "create_record")!.args;
    expect(f.table).toBe("contact_interactions");
    expect(f.fields).toMatchObject({ contact_id: "c1", interaction_type: "meeting", subject: "Booth chat", status: "completed" });
    expect(f.fields.interaction_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
