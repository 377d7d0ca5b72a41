import { describe, expect, it } from "vitest";
import { asError, errorText, fieldError, formError } from "../errors";
import { changed, filled, fromLocalInput, sumMoney, toLocalInput } from "../lib/util";

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
