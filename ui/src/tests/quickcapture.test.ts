import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import QuickCapture from "../lib/QuickCapture.svelte";
import { mockCommands, reject } from "./ipc";

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;

async function type(id: string, value: string) {
  await fireEvent.input($(id), { target: { value } });
}

describe("quick capture", () => {
  it("keeps what was typed and names the field when the save is refused", async () => {
    mockCommands({ create_record: reject("email", "not an email address") });
    render(QuickCapture);
    await type("cap-first", "Alan");
    await type("cap-last", "Turing");
    await type("cap-email", "not-an-email");
    await type("cap-note", "met at booth 4");
    await fireEvent.click($("cap-save"));
    await waitFor(() => expect($("cap-error").textContent).toBe("email: not an email address"));
    expect($("cap-first").value).toBe("Alan");
    expect($("cap-last").value).toBe("Turing");
    expect($("cap-email").value).toBe("not-an-email");
    expect($<HTMLTextAreaElement>("cap-note").value).toBe("met at booth 4");
    expect($("cap-email").getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById("cap-saved")).toBeNull();
  });

  it("saves the note into the contact, clears, refocuses first name and confirms", async () => {
    const calls = mockCommands({ create_record: (a) => ({ id: "c1", ...a.fields }) });
    render(QuickCapture);
    await type("cap-first", "Grace");
    await type("cap-last", "Hopper");
    await type("cap-company", "Navy");
    await type("cap-note", "wants a demo");
    await fireEvent.change($<HTMLSelectElement>("cap-status"), { target: { value: "hot_lead" } });
    await fireEvent.submit(document.getElementById("capture")!);
    await waitFor(() => expect($("cap-saved").textContent).toBe("Saved Grace Hopper"));
    const sent = calls.find((c) => c.cmd === "create_record")!.args;
    expect(sent.table).toBe("contacts");
    expect(sent.fields).toEqual({ first_name: "Grace", last_name: "Hopper", company: "Navy", notes: "wants a demo", contact_type: "target", status: "hot_lead", priority: "medium" });
    expect($("cap-first").value).toBe("");
    expect($("cap-company").value).toBe("");
    expect($<HTMLTextAreaElement>("cap-note").value).toBe("");
    await waitFor(() => expect(document.activeElement).toBe($("cap-first")));
    expect(document.getElementById("cap-error")).toBeNull();
  });

  it("Enter in the note saves", async () => {
    const calls = mockCommands({ create_record: (a) => ({ id: "c2", ...a.fields }) });
    render(QuickCapture);
    await type("cap-first", "Ada");
    await type("cap-last", "King");
    await fireEvent.keyDown($("cap-note"), { key: "Enter" });
    await waitFor(() => expect($("cap-saved").textContent).toBe("Saved Ada King"));
    expect(calls.filter((c) => c.cmd === "create_record")).toHaveLength(1);
  });
});
