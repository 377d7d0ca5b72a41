import { describe, expect, it, beforeEach } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import Contacts from "../screens/Contacts.svelte";
import { app } from "../lib/app.svelte";
import { go, route } from "../lib/router.svelte";
import { mockCommands, contact, deferred } from "./ipc";

const TOTAL = 100_000;

/** A keyset-paged table of 100k generated contacts; the cursor is the offset. */
function bigTable() {
  return mockCommands({
    count_records: () => TOTAL,
    list_records: (a) => {
      const from = a.request.cursor ? Number(a.request.cursor) : 0;
      const to = Math.min(TOTAL, from + (a.request.limit ?? 50));
      const items = [];
      for (let i = from; i < to; i++) items.push(contact(i));
      return { items, next_cursor: to < TOTAL ? String(to) : null };
    },
    search_contact_rows: () => [],
    count_contact_search: () => 0,
  });
}

const rows = () => Array.from(document.querySelectorAll<HTMLElement>("#contacts li.contact-row"));

describe("contacts list", () => {
  beforeEach(() => {
    app.query = "";
  });

  it("saves the search and filters as a list, and a list opened from the sidebar brings them back", async () => {
    let saved: unknown[] = [];
    const calls = mockCommands({
      count_records: (a) => (a.request.equals.tag === "investor" ? 3 : 10),
      list_records: () => ({ items: [contact(1)], next_cursor: null }),
      search_contact_rows: () => [],
      count_contact_search: () => 0,
      contact_tags: () => [{ tag: "investor", count: 3 }],
      save_list: (a) => {
        if (!a.name.trim()) throw { code: "required", field: "name", message: "a list needs a name" };
        const l = { id: "l1", name: a.name, query: a.query, request: a.request };
        saved = [l];
        return l;
      },
      saved_lists: () => saved,
    });
    render(Contacts);
    await waitFor(() => expect(document.querySelectorAll("#f-tag option").length).toBe(2));
    await fireEvent.change(document.getElementById("f-tag")!, { target: { value: "investor" } });
    await waitFor(() => expect(document.getElementById("contacts-total")!.textContent).toBe("3 contacts"));
    await fireEvent.click(document.getElementById("list-new")!);
    await fireEvent.click(document.getElementById("list-save")!);
    await waitFor(() => expect(document.getElementById("list-error")!.textContent).toContain("a list needs a name"));
    await fireEvent.input(document.getElementById("list-name")!, { target: { value: "Investors" } });
    await fireEvent.click(document.getElementById("list-save")!);
    await waitFor(() => expect(document.getElementById("list-message")!.textContent).toContain("Saved as “Investors”"));
    expect(calls.filter((c) => c.cmd === "save_list").pop()!.args.request.equals).toEqual({ tag: "investor" });
    await waitFor(() => expect(app.savedLists.length).toBe(1));
    // Elsewhere the filter is changed; opening the list from the sidebar brings it back.
    await fireEvent.change(document.getElementById("f-tag")!, { target: { value: "" } });
    await waitFor(() => expect(document.getElementById("contacts-total")!.textContent).toBe("10 contacts"));
    app.applyList = { equals: { tag: "investor" }, gte: {}, lte: {}, contains: {}, sort: null, descending: false, limit: null, cursor: null };
    await waitFor(() => expect(document.getElementById("contacts-total")!.textContent).toBe("3 contacts"));
    expect((document.getElementById("f-tag") as HTMLSelectElement).value).toBe("investor");
  });

  it("filters by a tag and tags every contact found, not only those shown", async () => {
    let tags = [{ tag: "investor", count: 3 }];
    const calls = mockCommands({
      count_records: (a) => (a.request.equals.tag === "investor" ? 3 : 1200),
      list_records: (a) => ({ items: a.request.equals.tag === "investor" ? [contact(1), contact(2), contact(3)] : [contact(1)], next_cursor: null }),
      search_contact_rows: () => [],
      count_contact_search: () => 0,
      contact_tags: () => tags,
      tag_matching_contacts: (a) => {
        if (a.add.includes("a,b")) throw { code: "invalid_tag", field: "tags", message: "'a,b' has ',', which a tag cannot hold" };
        tags = [...tags, { tag: "vip", count: 3 }];
        return { changed: 2, unchanged: 1 };
      },
    });
    render(Contacts);
    await waitFor(() => expect(document.querySelectorAll("#f-tag option").length).toBe(2));
    expect(document.getElementById("f-tag")!.textContent).toContain("#investor (3)");
    await fireEvent.change(document.getElementById("f-tag")!, { target: { value: "investor" } });
    await waitFor(() => expect(document.getElementById("contacts-total")!.textContent).toBe("3 contacts"));
    expect(document.getElementById("bulk-tag")!.textContent).toContain("Tag all 3 contacts found");
    await fireEvent.input(document.getElementById("bulk-tag-input")!, { target: { value: "VIP" } });
    await fireEvent.click(document.getElementById("bulk-tag-add")!);
    await waitFor(() => expect(document.getElementById("bulk-tag-message")!.textContent).toBe("Added #vip: 2 contacts changed, 1 contact already so"));
    const sent = calls.find((c) => c.cmd === "tag_matching_contacts")!.args;
    expect(sent.add).toEqual(["VIP"]);
    expect(sent.request.equals).toEqual({ tag: "investor" });
    await waitFor(() => expect(document.querySelectorAll("#f-tag option").length).toBe(3));
    await fireEvent.input(document.getElementById("bulk-tag-input")!, { target: { value: "a,b" } });
    await fireEvent.click(document.getElementById("bulk-tag-add")!);
    await waitFor(() => expect(document.getElementById("bulk-tag-error")!.textContent).toContain("which a tag cannot hold"));
  });

  it("renders only a window of rows out of 100k and the right rows after scrolling", async () => {
    const calls = bigTable();
    render(Contacts);
    await waitFor(() => expect(rows()[0]?.textContent).toContain("First0 Last0 · Co0"));
    expect(document.getElementById("contacts-total")!.textContent).toBe(`${(100_000).toLocaleString()} contacts`);
    expect(rows().length).toBeGreaterThan(5);
    expect(rows().length).toBeLessThan(60);
    const list = document.getElementById("contacts")!;
    expect(list.style.height).toBe(`${TOTAL * 44}px`);
    // Pages were fetched with the keyset cursor, not everything at once.
    const firstPages = calls.filter((c) => c.cmd === "list_records");
    expect(firstPages[0].args.request.cursor).toBeNull();
    expect(firstPages.length).toBeLessThan(3);

    const viewport = list.parentElement!;
    Object.defineProperty(viewport, "scrollTop", { configurable: true, writable: true, value: 44 * 5000 });
    await fireEvent.scroll(viewport);
    await waitFor(() => expect(document.querySelector('#contacts li[data-index="5000"]')?.textContent).toContain("First5000 Last5000 · Co5000"));
    expect(rows().length).toBeLessThan(60);
    expect(document.querySelector('#contacts li[data-index="0"]')).toBeNull();
    const pages = calls.filter((c) => c.cmd === "list_records");
    expect(pages.slice(1).every((c, k) => c.args.request.cursor === pages[k].args.request.cursor || c.args.request.cursor !== null)).toBe(true);
  });

  it("opens the contact detail on click", async () => {
    bigTable();
    render(Contacts);
    await waitFor(() => expect(rows()[2]?.textContent).toContain("First2"));
    await fireEvent.click(rows()[2]);
    expect(route).toEqual({ screen: "contact", id: "c2" });
    expect(location.hash).toBe("#/contact/c2");
  });

  it("searches as you type and ignores stale answers", async () => {
    const slow = deferred<unknown[]>();
    const calls = mockCommands({
      count_records: () => 0,
      list_records: () => ({ items: [], next_cursor: null }),
      search_contact_rows: (a) => (a.query === "gra" ? slow.promise : [contact("h", { first_name: "Grace", last_name: "Hopper", company: "Navy" })]),
      count_contact_search: (a) => (a.query === "gra" ? 7 : 1),
    });
    render(Contacts);
    app.query = "gra";
    await waitFor(() => expect(calls.filter((c) => c.cmd === "search_contact_rows")).toHaveLength(1));
    app.query = "grace h";
    await waitFor(() => expect(document.getElementById("contacts")!.textContent).toContain("Grace Hopper · Navy"));
    // The first, slower answer arrives last: it must not replace the newer one.
    slow.resolve([contact("t", { first_name: "Alan", last_name: "Turing", company: "Bletchley" })]);
    await new Promise((r) => setTimeout(r, 20));
    await tick();
    const text = document.getElementById("contacts")!.textContent!;
    expect(text).toContain("Grace Hopper");
    expect(text).not.toContain("Turing");
    expect(document.getElementById("contacts-total")!.textContent).toBe("1 contact found");
  });

  it("says how many a search finds in all when it shows the best of them", async () => {
    mockCommands({
      count_records: () => 0,
      list_records: () => ({ items: [], next_cursor: null }),
      search_contact_rows: () => Array.from({ length: 3 }, (_, i) => contact(`s${i}`, { first_name: `Sam${i}`, last_name: "Lee" })),
      count_contact_search: () => 1234,
    });
    render(Contacts);
    app.query = "sam";
    await waitFor(() => expect(document.getElementById("contacts-total")!.textContent).toBe("1,234 contacts found, the best 3 shown"));
  });

  it("passes the filters to the search", async () => {
    const calls = mockCommands({
      count_records: () => 0,
      list_records: () => ({ items: [], next_cursor: null }),
      search_contact_rows: () => [],
      count_contact_search: () => 0,
    });
    render(Contacts);
    await fireEvent.change(document.getElementById("f-status")!, { target: { value: "hot_lead" } });
    await fireEvent.input(document.getElementById("f-company")!, { target: { value: "acme" } });
    app.query = "ada";
    await waitFor(() => expect(calls.some((c) => c.cmd === "search_contact_rows")).toBe(true));
    const found = calls.filter((c) => c.cmd === "search_contact_rows");
    const s = found[found.length - 1];
    expect(s.args).toMatchObject({ query: "ada", request: { equals: { status: "hot_lead" }, contains: { company: "acme" } } });
  });

  it("finds companies by a part of their name", async () => {
    const calls = mockCommands({
      count_records: () => 3,
      list_records: () => ({ items: [], next_cursor: null }),
      search_contact_rows: () => [],
      count_contact_search: () => 0,
    });
    app.query = "";
    render(Contacts);
    await fireEvent.input(document.getElementById("f-company")!, { target: { value: "acme" } });
    await waitFor(() => expect(calls.some((c) => c.cmd === "count_records" && c.args.request.contains?.company === "acme")).toBe(true));
    const listed = calls.filter((c) => c.cmd === "list_records").pop()!;
    expect(listed.args.request).toMatchObject({ contains: { company: "acme" }, equals: {} });
  });

  it("picks contacts found by different searches, tags the picked ones, merges them side by side and undoes it", async () => {
    const grace = contact("g", { first_name: "Grace", last_name: "Hopper", email: null });
    const amazing = contact("a", { first_name: "Amazing", last_name: "Grace", email: "grace@navy.test" });
    let live = [grace, amazing];
    const calls = mockCommands({
      count_records: () => live.length,
      list_records: () => ({ items: live, next_cursor: null }),
      search_contact_rows: (a) => live.filter((c) => `${c.first_name} ${c.last_name}`.toLowerCase().includes(a.query.toLowerCase())),
      count_contact_search: (a) => live.filter((c) => `${c.first_name} ${c.last_name}`.toLowerCase().includes(a.query.toLowerCase())).length,
      contact_tags: () => [],
      tag_rows: (a) => ({ changed: a.ids.length, unchanged: 0 }),
      get_record: (a) => [grace, amazing].find((c) => c.id === a.id),
      merge_contacts: () => {
        live = [grace];
        return { merge_id: "m1", keep: grace.id, merged: [amazing.id], interactions_moved: 2, files_moved: 1 };
      },
      undo_merge: () => {
        live = [grace, amazing];
        return null;
      },
    });
    go("contacts");
    render(Contacts);
    const pick = (name: string) => rows().find((r) => r.textContent!.includes(name))!.querySelector<HTMLInputElement>("input.pick")!;
    app.query = "hopper";
    await waitFor(() => expect(rows().length).toBe(1));
    await fireEvent.click(pick("Grace Hopper"));
    // Picking does not open the contact.
    expect(route.screen).not.toBe("contact");
    expect(document.getElementById("picked-count")!.textContent).toBe("1 contact picked:");
    expect((document.getElementById("merge-picked") as HTMLButtonElement).disabled).toBe(true);
    app.query = "amazing";
    await waitFor(() => expect(rows()[0]?.textContent).toContain("Amazing Grace"));
    await fireEvent.click(pick("Amazing Grace"));
    expect(document.getElementById("picked-count")!.textContent).toBe("2 contacts picked:");
    expect(document.getElementById("picked")!.textContent).toContain("Grace Hopper, Amazing Grace");

    // The tag box now tags the picked contacts, not all found.
    expect(document.getElementById("bulk-tag")!.textContent).toContain("Tag the 2 contacts picked");
    await fireEvent.input(document.getElementById("bulk-tag-input")!, { target: { value: "navy" } });
    await fireEvent.click(document.getElementById("bulk-tag-add")!);
    await waitFor(() => expect(document.getElementById("bulk-tag-message")!.textContent).toContain("2 contacts changed"));
    expect(calls.find((c) => c.cmd === "tag_rows")!.args).toEqual({ table: "contacts", ids: ["cg", "ca"], add: ["navy"], remove: [] });

    await fireEvent.click(document.getElementById("merge-picked")!);
    await waitFor(() => expect(document.getElementById("merge-row-email")).not.toBeNull());
    // Grace Hopper, picked first, is kept; the email she lacks comes from the other.
    const email = [...document.getElementById("merge-row-email")!.querySelectorAll<HTMLInputElement>("input")];
    expect(email[1].checked).toBe(true);
    await fireEvent.click(document.getElementById("merge-run")!);
    await waitFor(() => expect(document.getElementById("merge-message")!.textContent).toContain("Merged 2 contacts into one: 2 interactions and 1 file moved."));
    expect(calls.find((c) => c.cmd === "merge_contacts")!.args.request).toEqual({ keep: "cg", others: ["ca"], fields: { email: "ca" } });
    expect(document.getElementById("picked")).toBeNull();
    app.query = "";
    await waitFor(() => expect(rows().length).toBe(1));
    await fireEvent.click(document.getElementById("merge-undo")!);
    await waitFor(() => expect(document.getElementById("merge-message")!.textContent).toContain("Merge undone"));
    await waitFor(() => expect(rows().length).toBe(2));
  });
});
