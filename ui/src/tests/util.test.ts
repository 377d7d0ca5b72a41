import { describe, expect, it } from "vitest";
import { asError, errorText, fieldError, formError } from "../errors";
import { avatarHue, plural, changed, filled, fromLocalInput, initials, roleLine, sumMoney, telHref, toLocalInput, webHref } from "../lib/util";

describe("errors", () => {
  it("reads the core's payload and anything else", () => {
    expect(asError({ code: "invalid", field: "email", message: "bad" })).toEqual({ code: "invalid", field: "email", message: "bad" });
    expect(asError("command not found")).toEqual({ code: "unknown", field: null, message: "command not found" });
    expect(asError(new Error("boom")).message).toBe("boom");
  });
  it("places messages by field", () => {
    const e = { code: "invalid", field: "email", message: "bad" };
    expect(errorText(e)).toBe("email: bad");
    expect(fieldError(e, "email")).toBe("bad");
    expect(fieldError(e, "phone")).toBe("");
    expect(formError(e, ["email"])).toBe("");
    expect(formError(e, ["phone"])).toBe("email: bad");
  });
});

describe("util", () => {
  it("sends only changed fields, empty as null", () => {
    expect(changed({ a: "x", b: null, c: 5 }, { a: "x", b: "", c: "6" })).toEqual({ c: "6" });
    expect(changed({ a: "x" }, { a: "" })).toEqual({ a: null });
    expect(filled({ a: " x ", b: "  " })).toEqual({ a: "x" });
  });
  it("round-trips local times as UTC", () => {
    const iso = "2026-11-24T14:03:00.000Z";
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
  });
  it("adds money exactly", () => {
    expect(sumMoney(["0.10", "0.20", "12.5", null])).toBe("12.80");
    expect(sumMoney(["-1.05", "1"])).toBe("-0.05");
  });
});

describe("contact page helpers", () => {
  it("takes initials from the first and last words", () => {
    expect(initials("Grace Hopper")).toBe("GH");
    expect(initials("Grace Brewster Murray Hopper")).toBe("GH");
    expect(initials("cher")).toBe("C");
    expect(initials("  ")).toBe("?");
    expect(initials("Élodie (Lo) Ångström")).toBe("ÉÅ");
  });
  it("gives the same colour to the same name", () => {
    expect(avatarHue("Grace Hopper")).toBe(avatarHue(" grace hopper "));
    expect(avatarHue("Grace Hopper")).toBeGreaterThanOrEqual(0);
    expect(avatarHue("Grace Hopper")).toBeLessThan(360);
  });
  it("says title at company", () => {
    expect(roleLine("Rear Admiral", "US Navy")).toBe("Rear Admiral at US Navy");
    expect(roleLine(null, "US Navy")).toBe("US Navy");
    expect(roleLine("Rear Admiral", "")).toBe("Rear Admiral");
    expect(roleLine(null, null)).toBe("");
  });
  it("makes links people can follow", () => {
    expect(telHref("+1 (555) 010-0199")).toBe("tel:+15550100199");
    expect(telHref("020 7946 0958")).toBe("tel:02079460958");
    expect(webHref("linkedin.com/in/x")).toBe("https://linkedin.com/in/x");
    expect(webHref("http://example.test")).toBe("http://example.test");
    expect(webHref("javascript:alert(1)")).toBeNull();
    expect(webHref("")).toBeNull();
  });
});

describe("counts in words", () => {
  it("says one thing and many things", () => {
    expect(plural(1, "contact")).toBe("1 contact");
    expect(plural(0, "contact")).toBe("0 contacts");
    expect(plural(2400, "contact")).toBe(`${(2400).toLocaleString()} contacts`);
    expect(plural(1, "person", "people")).toBe("1 person");
    expect(plural(3, "person", "people")).toBe("3 people");
    expect(plural(2, "entry", "entries")).toBe("2 entries");
  });
});
