import { beforeEach, describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import QuickCapture from "../lib/QuickCapture.svelte";
import { mockCommands, reject } from "./ipc";
import { blankForm, draft } from "../lib/capture.svelte";

beforeEach(() => {
  draft.form = blankForm();
  draft.addTo = null;
  draft.followUp = 0;
  draft.scan = null;
  draft.choices = { contact_type: "target", status: "cold_lead", priority: "medium" };
});

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;

async function type(id: string, value: string) {
  await fireEvent.input($(id), { target: { value } });
}

describe("quick capture", () => {
  it("keeps what was typed and names the field when the save is refused", async () => {
    mockCommands({ capture_contact: reject("email", "'not-an-email' is not an email address"), capture_event: () => null, companies: () => [], likely_matches: () => [] });
    render(QuickCapture);
    await type("cap-first", "Alan");
    await type("cap-last", "Turing");
    await type("cap-email", "not-an-email");
    await type("cap-note", "met at booth 4");
    await fireEvent.click($("cap-save"));
    await waitFor(() => expect($("cap-email-error").textContent).toBe("Email 'not-an-email' is not an email address"));
    expect(document.getElementById("cap-error")).toBeNull();
    expect($("cap-first").value).toBe("Alan");
    expect($("cap-last").value).toBe("Turing");
    expect($("cap-email").value).toBe("not-an-email");
    expect($<HTMLTextAreaElement>("cap-note").value).toBe("met at booth 4");
    expect($("cap-email").getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById("cap-saved")).toBeNull();
  });

  it("saves the note into the contact, clears, refocuses first name and confirms", async () => {
    const calls = mockCommands({ capture_contact: (a) => captured(a), capture_event: () => null, companies: () => [], likely_matches: () => [] });
    render(QuickCapture);
    await type("cap-first", "Grace");
    await type("cap-last", "Hopper");
    await type("cap-company", "Navy");
    await type("cap-note", "wants a demo");
    await fireEvent.change($<HTMLSelectElement>("cap-status"), { target: { value: "hot_lead" } });
    await fireEvent.submit(document.getElementById("capture")!);
    await waitFor(() => expect($("cap-saved").textContent).toBe("Saved Grace Hopper"));
    const sent = calls.find((c) => c.cmd === "capture_contact")!.args.capture;
    expect(sent.contact).toEqual({ first_name: "Grace", last_name: "Hopper", company: "Navy", notes: "wants a demo", contact_type: "target", status: "hot_lead", priority: "medium" });
    expect(sent.event_id).toBeNull();
    expect(sent.follow_up_days).toBeNull();
    expect($("cap-first").value).toBe("");
    expect($("cap-company").value).toBe("");
    expect($<HTMLTextAreaElement>("cap-note").value).toBe("");
    await waitFor(() => expect(document.activeElement).toBe($("cap-first")));
    expect(document.getElementById("cap-error")).toBeNull();
  });

  it("Enter in the note saves", async () => {
    const calls = mockCommands({ capture_contact: (a) => captured(a), capture_event: () => null, companies: () => [], likely_matches: () => [] });
    render(QuickCapture);
    await type("cap-first", "Ada");
    await type("cap-last", "King");
    await fireEvent.keyDown($("cap-note"), { key: "Enter" });
    await waitFor(() => expect($("cap-saved").textContent).toBe("Saved Ada King"));
    expect(calls.filter((c) => c.cmd === "capture_contact")).toHaveLength(1);
  });

  it("links to the event going on, schedules a follow-up and offers a known person", async () => {
    const summit = { event: { id: "e1", title: "Lisbon Summit" }, chosen: false };
    const known = { contact: { id: "k1", first_name: "Li", last_name: "Wei", company: "Kestrel", email: null }, phone: "+1 212 555 0100", reason: "same_phone", why: "same phone" };
    const calls = mockCommands({
      capture_event: () => summit,
      companies: () => ["Kestrel", "Nimbus"],
      likely_matches: (a) => (a.fields.phone ? [known] : []),
      capture_contact: (a) => captured(a, a.capture.add_to ? { created: false, filled: ["email"] } : {}),
    });
    render(QuickCapture);
    await waitFor(() => expect($("cap-at").textContent).toContain("Lisbon Summit"));
    expect(document.activeElement).toBe($("cap-first"));
    await type("cap-first", "Jun");
    await fireEvent.change($<HTMLSelectElement>("cap-follow"), { target: { value: "3" } });
    await fireEvent.submit(document.getElementById("capture")!);
    await waitFor(() => expect($("cap-saved").textContent).toBe("Saved Jun · met at Lisbon Summit · follow-up in 3 days"));
    const first = calls.find((c) => c.cmd === "capture_contact")!.args.capture;
    expect(first).toEqual({ contact: { first_name: "Jun", contact_type: "target", status: "cold_lead", priority: "medium" }, event_id: "e1", follow_up_days: 3, add_to: null });
    // A phone already known: the match is offered, and the meeting goes to that contact.
    await type("cap-first", "Li");
    await type("cap-phone", "212.555.0100");
    await type("cap-email", "li@kestrel.test");
    await waitFor(() => expect($("cap-matches").textContent).toContain("Li Wei"));
    expect($("cap-matches").textContent).toContain("same phone");
    await fireEvent.click(document.querySelector<HTMLButtonElement>("#cap-matches .add-to")!);
    expect($("cap-adding").textContent).toContain("Li Wei");
    await fireEvent.submit(document.getElementById("capture")!);
    await waitFor(() => expect($("cap-saved").textContent).toBe("Added the meeting to Li Wei (filled email) · met at Lisbon Summit"));
    const second = calls.filter((c) => c.cmd === "capture_contact")[1].args.capture;
    expect(second.add_to).toBe("k1");
  });

  it("drops an answer about likely matches that arrives after the save cleared the form", async () => {
    const pending: ((v: unknown) => void)[] = [];
    const known = { contact: { id: "k9", first_name: "Katherine", last_name: "Johnson", company: null, email: "k@nasa.test" }, phone: null, reason: "same_email", why: "same email" };
    mockCommands({
      capture_event: () => null,
      companies: () => [],
      likely_matches: () => new Promise((resolve) => pending.push(resolve)),
      capture_contact: (a) => captured(a),
    });
    render(QuickCapture);
    await type("cap-first", "Katherine");
    await type("cap-last", "Johnson");
    await type("cap-email", "k@nasa.test");
    // The lookup a moment after the last key is on its way when the person presses Save.
    await waitFor(() => expect(pending.length).toBeGreaterThan(0));
    await fireEvent.submit(document.getElementById("capture")!);
    await waitFor(() => expect($("cap-saved").textContent).toBe("Saved Katherine Johnson"));
    // Its answer (the person just saved is now "known") arrives after the form was cleared.
    pending.forEach((resolve) => resolve([known]));
    await new Promise((r) => setTimeout(r, 200));
    expect(document.getElementById("cap-matches")).toBeNull();
    expect($("cap-first").value).toBe("");
  });

  it("keeps the draft when closed and reopened", async () => {
    mockCommands({ capture_event: () => null, companies: () => [], likely_matches: () => [] });
    const first = render(QuickCapture);
    await type("cap-first", "Half");
    await type("cap-company", "Typed");
    first.unmount();
    render(QuickCapture);
    expect($("cap-first").value).toBe("Half");
    expect($("cap-company").value).toBe("Typed");
    await fireEvent.click($("cap-clear"));
    expect($("cap-first").value).toBe("");
  });
});


describe("scanning a card", () => {
  const scanned = {
    source: "ocr",
    kind: "card",
    contact: {
      first_name: "Jun",
      last_name: "Park",
      company: "Nimbus Robotics",
      email: "jun.park@nimbus-robotics.com",
      linkedin_url: "https://www.linkedin.com/in/junpark",
      metadata: { urls: [{ value: "https://www.nimbus-robotics.com" }], scan: { text: "Jun Park" } },
    },
    fields: [
      { field: "first_name", value: "Jun", confidence: 0.95 },
      { field: "last_name", value: "Park", confidence: 0.95 },
      { field: "company", value: "Nimbus Robotics", confidence: 0.45 },
      { field: "email", value: "jun.park@nimbus-robotics.com", confidence: 0.92 },
      { field: "linkedin_url", value: "https://www.linkedin.com/in/junpark", confidence: 0.9 },
    ],
    other_lines: ["12 rue de la Paix"],
    text: "Jun Park",
  };

  it("fills the empty fields for a check, marks the unsure ones, and saves the picture with the person", async () => {
    URL.createObjectURL = () => "blob:card";
    URL.revokeObjectURL = () => {};
    const calls = mockCommands({ scan_card: () => scanned, capture_contact: (a) => captured(a), capture_event: () => null, companies: () => [], likely_matches: () => [] });
    render(QuickCapture);
    await type("cap-company", "Nimbus");
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], "card.jpg", { type: "image/jpeg" });
    await fireEvent.change($("cap-scan-file"), { target: { files: [file] } });
    await waitFor(() => expect($("cap-first").value).toBe("Jun"));
    // What was typed is kept; what the card said fills the rest; nothing is saved yet.
    expect($("cap-company").value).toBe("Nimbus");
    expect($("cap-email").value).toBe("jun.park@nimbus-robotics.com");
    expect(calls.some((c) => c.cmd === "capture_contact")).toBe(false);
    const unsure = document.querySelector("#cap-scanned li[data-field=company]")!;
    expect(unsure.classList.contains("unsure")).toBe(true);
    expect(unsure.textContent).toContain("45%, check it");
    expect(document.querySelector("#cap-scanned li[data-field=email]")!.classList.contains("unsure")).toBe(false);
    expect($("cap-scanned").textContent).toContain("Also on the card: 12 rue de la Paix");
    expect(calls.find((c) => c.cmd === "scan_card")!.args.image.data_base64).toBe("/9j/4A==");

    await fireEvent.submit(document.getElementById("capture")!);
    await waitFor(() => expect($("cap-saved").textContent).toBe("Saved Jun Park"));
    const sent = calls.find((c) => c.cmd === "capture_contact")!.args.capture;
    expect(sent.contact.company).toBe("Nimbus");
    expect(sent.contact.linkedin_url).toBe("https://www.linkedin.com/in/junpark");
    expect(sent.contact.metadata.urls[0].value).toBe("https://www.nimbus-robotics.com");
    expect(sent.card.file_name).toBe("card.jpg");
    expect(document.getElementById("cap-scanned")).toBeNull();
  });

  const card = () => new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], "", { type: "image/jpeg" });

  it("reads a pasted picture, and leaves pasted text to the field", async () => {
    URL.createObjectURL = () => "blob:card";
    URL.revokeObjectURL = () => {};
    const calls = mockCommands({ scan_card: () => scanned, capture_event: () => null, companies: () => [], likely_matches: () => [] });
    render(QuickCapture);
    // Text pasted into a field is not a picture: nothing is scanned.
    await fireEvent.paste($("cap-email"), { clipboardData: { items: [{ kind: "string", type: "text/plain", getAsFile: () => null }] } });
    expect(calls.some((c) => c.cmd === "scan_card")).toBe(false);
    const f = card();
    await fireEvent.paste($("cap-first"), { clipboardData: { items: [{ kind: "file", type: "image/jpeg", getAsFile: () => f }] } });
    await waitFor(() => expect($("cap-first").value).toBe("Jun"));
    const sent = calls.find((c) => c.cmd === "scan_card")!.args.image;
    expect(sent.file_name).toBe("pasted-card.png");
    expect(sent.data_base64).toBe("/9j/4A==");
    expect($("cap-scanned").textContent).toContain("Read from the card");
  });

  it("reads a picture dropped on the form, the image among the dropped files", async () => {
    URL.createObjectURL = () => "blob:card";
    URL.revokeObjectURL = () => {};
    const calls = mockCommands({ scan_card: () => scanned, capture_event: () => null, companies: () => [], likely_matches: () => [] });
    render(QuickCapture);
    const form = document.querySelector("section.capture")!;
    await fireEvent.dragOver(form, { dataTransfer: { files: [] } });
    expect(form.classList.contains("dragging")).toBe(true);
    const notes = new File(["hello"], "notes.txt", { type: "text/plain" });
    const photo = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], "badge.jpg", { type: "image/jpeg" });
    await fireEvent.drop(form, { dataTransfer: { files: [notes, photo] } });
    expect(form.classList.contains("dragging")).toBe(false);
    await waitFor(() => expect($("cap-email").value).toBe("jun.park@nimbus-robotics.com"));
    expect(calls.filter((c) => c.cmd === "scan_card").map((c) => c.args.image.file_name)).toEqual(["badge.jpg"]);
  });

  it("takes the picture with the camera where the webview has one, and lets the camera go", async () => {
    URL.createObjectURL = () => "blob:card";
    URL.revokeObjectURL = () => {};
    let stopped = 0;
    const stream = { getTracks: () => [{ stop: () => stopped++ }] };
    Object.defineProperty(navigator, "mediaDevices", { configurable: true, value: { getUserMedia: async () => stream } });
    HTMLMediaElement.prototype.play = async () => {};
    HTMLCanvasElement.prototype.getContext = (() => ({ drawImage() {} })) as never;
    HTMLCanvasElement.prototype.toBlob = function (cb: BlobCallback, type?: string) {
      cb(new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], { type }));
    };
    const calls = mockCommands({ scan_card: () => scanned, capture_event: () => null, companies: () => [], likely_matches: () => [] });
    try {
      render(QuickCapture);
      await fireEvent.click($("cap-camera"));
      await waitFor(() => expect(document.getElementById("cap-camera-view")).not.toBeNull());
      expect($<HTMLButtonElement>("cap-camera").disabled).toBe(true);
      await fireEvent.click($("cap-camera-take"));
      await waitFor(() => expect($("cap-first").value).toBe("Jun"));
      const sent = calls.find((c) => c.cmd === "scan_card")!.args.image;
      expect([sent.file_name, sent.mime_type, sent.data_base64]).toEqual(["camera-card.jpg", "image/jpeg", "/9j/4A=="]);
      expect(stopped).toBe(1);
      expect(document.getElementById("cap-camera-view")).toBeNull();
    } finally {
      Object.defineProperty(navigator, "mediaDevices", { configurable: true, value: undefined });
    }
  });

  it("says why the camera cannot be opened", async () => {
    Object.defineProperty(navigator, "mediaDevices", {
      configurable: true,
      value: {
        getUserMedia: async () => {
          throw new DOMException("Permission denied", "NotAllowedError");
        },
      },
    });
    mockCommands({ capture_event: () => null, companies: () => [], likely_matches: () => [] });
    try {
      render(QuickCapture);
      await fireEvent.click($("cap-camera"));
      await waitFor(() => expect($("cap-scan-error").textContent).toBe("The camera cannot be opened: access to it was refused. A photo file, a paste or a drop works too."));
      expect(document.getElementById("cap-camera-view")).toBeNull();
    } finally {
      Object.defineProperty(navigator, "mediaDevices", { configurable: true, value: undefined });
    }
  });

  it("says in words why a picture could not be read, and keeps the draft", async () => {
    mockCommands({ scan_card: reject("scan", "this file is not an image (PNG, JPEG, WebP, GIF, BMP or TIFF are read)"), capture_event: () => null, companies: () => [], likely_matches: () => [] });
    render(QuickCapture);
    await type("cap-first", "Ada");
    await fireEvent.change($("cap-scan-file"), { target: { files: [new File(["MZ"], "setup.exe", { type: "" })] } });
    await waitFor(() => expect($("cap-scan-error").textContent).toBe("this file is not an image (PNG, JPEG, WebP, GIF, BMP or TIFF are read)"));
    expect($("cap-first").value).toBe("Ada");
  });
});

function captured(a: Record<string, any>, over: Record<string, unknown> = {}) {
  const c = a.capture;
  const base = c.add_to ? { id: c.add_to, first_name: "Li", last_name: "Wei" } : { id: "new", ...c.contact, last_name: c.contact.last_name ?? "" };
  return {
    contact: base,
    created: true,
    filled: [],
    met_at: c.event_id ? { id: "m1", subject: "Met at" } : null,
    follow_up: c.follow_up_days ? { id: "f1" } : null,
    ...over,
  };
}
