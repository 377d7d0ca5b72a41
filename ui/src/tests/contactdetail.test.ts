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

/** The page opens to read; the form is one click on Edit away. */
async function openForm() {
  await waitFor(() => expect($("contact-edit")).not.toBeNull());
  await fireEvent.click($("contact-edit"));
}

describe("contact detail", () => {
  it("sets a cadence, shows the next touch, and logs a touch", async () => {
    let meta: Record<string, unknown> = {};
    let touch: Record<string, unknown> | null = null;
    const calls = mocks({
      get_record: () => contact(1, { first_name: "Grace", last_name: "Hopper", metadata: meta }),
      touch_of: () => touch,
      set_keep_in_touch: (a) => {
        meta = { keep_in_touch: a.cadence };
        touch = { cadence: a.cadence, from_tag: null, last_touch: "2026-11-01T10:00:00Z", next_touch: "2026-11-15T10:00:00Z", snoozed_until: null };
        return null;
      },
      log_touch: () => {
        touch = { ...touch!, last_touch: new Date().toISOString(), next_touch: new Date(Date.now() + 14 * 86400_000).toISOString() };
        return "i9";
      },
    });
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($<HTMLSelectElement>("touch-cadence").value).toBe(""));
    expect(document.getElementById("touch-next")).toBeNull();
    await fireEvent.change($<HTMLSelectElement>("touch-cadence"), { target: { value: "2 weeks" } });
    await waitFor(() => expect($("touch-next").textContent).toContain("every 2 weeks"));
    expect(calls.find((c) => c.cmd === "set_keep_in_touch")!.args).toEqual({ contactId: "c1", cadence: { every: 2, unit: "weeks" } });
    expect($("touch-next").textContent).toContain("(overdue)");
    await fireEvent.click($("touch-log"));
    await waitFor(() => expect($("touch-next").textContent).not.toContain("(overdue)"));
    expect($<HTMLSelectElement>("touch-cadence").value).toBe("2 weeks");
  });

  it("shows the tags, adds one typed in and removes one with its button", async () => {
    let tags = ["investor"];
    const calls = mocks({
      get_record: () => contact(1, { first_name: "Grace", last_name: "Hopper", metadata: { tags } }),
      contact_tags: () => [{ tag: "investor", count: 3 }, { tag: "speaker", count: 1 }],
      tag_rows: (a) => {
        if (a.add.includes("a,b")) throw { code: "invalid_tag", field: "tags", message: "'a,b' has ',', which a tag cannot hold" };
        tags = [...tags.filter((t) => !a.remove.includes(t)), ...a.add.map((t: string) => t.toLowerCase())].sort();
        return { changed: 1, unchanged: 0 };
      },
    });
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($("contact-tags").textContent).toContain("#investor"));
    await waitFor(() => expect(document.querySelectorAll("#known-tags option").length).toBe(1));
    await fireEvent.input($("tag-input"), { target: { value: "Speaker" } });
    await fireEvent.submit($("tag-input").closest("form")!);
    await waitFor(() => expect($("contact-tags").textContent).toContain("#speaker"));
    expect(calls.find((c) => c.cmd === "tag_rows")!.args).toEqual({ table: "contacts", ids: ["c1"], add: ["Speaker"], remove: [] });
    await waitFor(() => expect($("tag-input").value).toBe(""));
    await fireEvent.input($("tag-input"), { target: { value: "a,b" } });
    await fireEvent.submit($("tag-input").closest("form")!);
    await waitFor(() => expect($("tag-error").textContent).toContain("which a tag cannot hold"));
    expect($("tag-input").value).toBe("a,b");
    await fireEvent.click(document.querySelector('[aria-label="Remove the tag investor"]')!);
    await waitFor(() => expect($("contact-tags").textContent).not.toContain("#investor"));
    expect($("contact-tags").textContent).toContain("#speaker");
  });

  it("shows the core's error next to its field and keeps the values", async () => {
    const calls = mocks({ update_record: reject("email", "not an email address") });
    render(ContactDetail, { id: "c1" });
    await openForm();
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
    await openForm();
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
    expect($("audit").textContent).toContain("Company changed from Navy to US Navy");
    expect($("audit").textContent).toContain("Changed");
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

describe("contact page, read view", () => {
  const grace = { first_name: "Grace", last_name: "Hopper", email: "grace@navy.test", phone: "+1 (555) 010-0199", company: "US Navy", job_title: "Rear Admiral", linkedin_url: "https://www.linkedin.com/in/grace-hopper", status: "hot_lead", notes: "Wants a demo.\nPrefers email." };
  const metAt = { ...interaction, id: "i9", interaction_type: "event", subject: "Met at Web Summit", metadata: { event_id: "e7", source: "capture" } };

  function viewMocks(over: Record<string, (a: Record<string, any>) => unknown> = {}) {
    return mocks({
      get_record: () => contact(1, grace),
      list_records: (a) => ({ items: a.table === "contact_interactions" ? [metAt, interaction] : [], next_cursor: null }),
      ...over,
    });
  }

  it("opens to read: name, title at company, links, status, notes and where they were met", async () => {
    viewMocks();
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($("contact-name").textContent).toBe("Grace Hopper"));
    expect($("contact-role").textContent).toBe("Rear Admiral at US Navy");
    expect($("contact-form")).toBeNull();
    expect($<HTMLAnchorElement>("contact-email").getAttribute("href")).toBe("mailto:grace@navy.test");
    expect($("contact-email").textContent!.trim()).toBe("grace@navy.test");
    expect($<HTMLAnchorElement>("contact-phone").getAttribute("href")).toBe("tel:+15550100199");
    const li = $<HTMLAnchorElement>("contact-linkedin");
    expect(li.getAttribute("href")).toBe("https://www.linkedin.com/in/grace-hopper");
    // No new window: the shell opens web, mail and phone links in the desktop's own apps.
    expect(li.getAttribute("target")).toBeNull();
    expect(li.textContent!.trim()).toBe("linkedin.com/in/grace-hopper");
    expect($("contact-status").textContent).toBe("Hot lead");
    expect($("contact-notes").textContent).toBe("Wants a demo.\nPrefers email.");
    await waitFor(() => expect($("contact-met-at").textContent).toContain("Web Summit"));
    expect($("contact-met-at").textContent).not.toContain("Met at");
  });

  it("shows initials on a colour when there is no photo", async () => {
    viewMocks();
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($("contact-avatar")).not.toBeNull());
    const av = $("contact-avatar");
    expect(av.tagName).toBe("SPAN");
    expect(av.textContent).toBe("GH");
    expect(av.getAttribute("role")).toBe("img");
    expect(av.getAttribute("aria-label")).toBe("Grace Hopper");
    expect(av.style.backgroundColor).not.toBe("");
  });

  it("shows the contact's photo when one is attached", async () => {
    const photo = { id: "m1", media_type: "image", title: "photo.jpg", tags: ["photo"], is_deleted: false };
    const card = { id: "m2", media_type: "image", title: "Business card of Grace Hopper", tags: [], is_deleted: false };
    const calls = viewMocks({
      list_records: (a) => ({ items: a.table === "media" ? [card, photo] : [], next_cursor: null }),
      media_preview: (a) => (a.id === "m1" ? "data:image/png;base64,AAAA" : Promise.reject({ code: "x", field: null, message: "no" })),
    });
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($("contact-avatar").tagName).toBe("IMG"));
    expect($<HTMLImageElement>("contact-avatar").getAttribute("src")).toBe("data:image/png;base64,AAAA");
    expect($<HTMLImageElement>("contact-avatar").alt).toBe("Grace Hopper");
    expect(calls.find((c) => c.cmd === "media_preview")!.args.id).toBe("m1");
  });

  it("never shows a header like 'Name · Company', and a title or a company alone reads well", async () => {
    viewMocks({ get_record: () => contact(1, { ...grace, job_title: null }) });
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($("contact-role").textContent).toBe("US Navy"));
    expect($("contact-name").textContent).toBe("Grace Hopper");
  });

  it("adds https:// to a LinkedIn address without one, and never links anything else", async () => {
    viewMocks({ get_record: () => contact(1, { ...grace, linkedin_url: "linkedin.com/in/grace" }) });
    const first = render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($<HTMLAnchorElement>("contact-linkedin").getAttribute("href")).toBe("https://linkedin.com/in/grace"));
    first.unmount();
    viewMocks({ get_record: () => contact(1, { ...grace, linkedin_url: "javascript:alert(1)" }) });
    render(ContactDetail, { id: "c1" });
    await waitFor(() => expect($("contact-name").textContent).toBe("Grace Hopper"));
    expect($("contact-linkedin")).toBeNull();
  });

  it("Edit shows the form; Cancel comes back to the view and drops what was typed", async () => {
    const calls = viewMocks();
    render(ContactDetail, { id: "c1" });
    await openForm();
    await waitFor(() => expect($("edit-first_name").value).toBe("Grace"));
    expect(document.activeElement?.id).toBe("edit-first_name");
    expect($("contact-view")).toBeNull();
    expect($("contact-edit")).toBeNull();
    await fireEvent.input($("edit-company"), { target: { value: "Navy Reserve" } });
    await fireEvent.click($("edit-cancel"));
    await waitFor(() => expect($("contact-view")).not.toBeNull());
    expect($("contact-form")).toBeNull();
    expect($("contact-role").textContent).toBe("Rear Admiral at US Navy");
    expect(calls.some((c) => c.cmd === "update_record")).toBe(false);
    await openForm();
    expect($("edit-company").value).toBe("US Navy");
  });

  it("Save comes back to the view with the new values", async () => {
    const calls = viewMocks({ update_record: (a) => contact(1, { ...grace, ...a.fields }), audit_history: () => [] });
    render(ContactDetail, { id: "c1" });
    await openForm();
    await fireEvent.input($("edit-job_title"), { target: { value: "Commodore" } });
    await fireEvent.click($("edit-save"));
    await waitFor(() => expect($("contact-view")).not.toBeNull());
    expect($("contact-role").textContent).toBe("Commodore at US Navy");
    expect($("edit-saved").textContent).toBe("Saved");
    expect(calls.find((c) => c.cmd === "update_record")!.args.fields).toEqual({ job_title: "Commodore" });
  });
});
