import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import TagCadences from "../lib/TagCadences.svelte";
import { mockCommands } from "./ipc";

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;

describe("keep in touch by tag", () => {
  it("lists the defaults, sets one for a tag and removes one", async () => {
    let list = [{ tag: "investor", cadence: { every: 1, unit: "months" } }];
    const calls = mockCommands({
      tag_cadences: () => list,
      contact_tags: () => [{ tag: "investor", count: 3 }, { tag: "speaker", count: 1 }],
      set_tag_cadence: (a) => {
        if (a.tag.includes(",")) throw { code: "invalid_tag", field: "tags", message: "'a,b' has ',', which a tag cannot hold" };
        list = a.cadence ? [...list.filter((c) => c.tag !== a.tag), { tag: a.tag, cadence: a.cadence }] : list.filter((c) => c.tag !== a.tag);
        return null;
      },
    });
    render(TagCadences);
    await waitFor(() => expect($("tag-cadence-list").textContent).toContain("#investor"));
    expect($("tag-cadence-list").textContent).toContain("every month");
    await fireEvent.input($("tag-cadence-tag"), { target: { value: "speaker" } });
    await fireEvent.change($<HTMLSelectElement>("tag-cadence-every"), { target: { value: "2 weeks" } });
    await fireEvent.click($("tag-cadence-save"));
    await waitFor(() => expect($("tag-cadence-list").textContent).toContain("every 2 weeks"));
    expect(calls.find((c) => c.cmd === "set_tag_cadence")!.args).toEqual({ tag: "speaker", cadence: { every: 2, unit: "weeks" } });
    await waitFor(() => expect($("tag-cadence-tag").value).toBe(""));
    await fireEvent.input($("tag-cadence-tag"), { target: { value: "a,b" } });
    await fireEvent.click($("tag-cadence-save"));
    await waitFor(() => expect($("tag-cadence-error").textContent).toContain("which a tag cannot hold"));
    const rm = document.querySelector<HTMLButtonElement>('[aria-label="Remove the default of investor"]')!;
    expect(rm).not.toBeNull();
    await fireEvent.click(rm);
    await waitFor(() => expect(calls.filter((c) => c.cmd === "set_tag_cadence").length).toBe(3));
    await waitFor(() => expect($("tag-cadence-list").textContent).not.toContain("#investor"));
  });
});
