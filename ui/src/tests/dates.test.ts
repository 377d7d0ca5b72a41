import { describe, expect, it } from "vitest";
import { render, fireEvent } from "@testing-library/svelte";
import { readDate, showDate } from "../lib/dates";
import { formatDateTime, fromLocalInput } from "../lib/util";
import DateField from "../lib/DateField.svelte";

const now = new Date(2026, 11, 2, 20, 40);
const read = (t: string, locale = "en-US", mode: "date" | "datetime" = "datetime") => readDate(t, mode, locale, now);

describe("date fields", () => {
  it("show a value exactly as lists show a moment, and read it back", () => {
    const v = "2026-12-02T20:40";
    const shown = showDate(v, "datetime", "en-US");
    expect(shown).toBe(formatDateTime(fromLocalInput(v), { locale: "en-US" }));
    expect(shown).toBe("Dec 2, 2026, 8:40 PM");
    expect(read(shown)).toEqual({ value: v });
    expect(showDate("2026-12-02", "date", "en-US")).toBe("Dec 2, 2026");
    for (const locale of ["en-GB", "de-DE", "fr-FR", "ja-JP"]) {
      expect(read(showDate(v, "datetime", locale), locale)).toEqual({ value: v });
      expect(read(showDate("2026-02-28", "date", locale), locale, "date")).toEqual({ value: "2026-02-28" });
    }
  });

  it("read what people type, in the order of their language", () => {
    expect(read("12/2/2026 20:40")).toEqual({ value: "2026-12-02T20:40" });
    expect(read("2/12/2026 20:40", "en-GB")).toEqual({ value: "2026-12-02T20:40" });
    expect(read("2.12.26 15.30", "de-DE")).toEqual({ value: "2026-12-02T15:30" });
    expect(read("2026-12-02")).toEqual({ value: "2026-12-02T09:00" });
    expect(read("dec 24 3pm")).toEqual({ value: "2026-12-24T15:00" });
    expect(read("24 December 2027 at 12:15 am")).toEqual({ value: "2027-12-24T00:15" });
    expect(read("Thursday, Dec 3, 2026")).toEqual({ value: "2026-12-03T09:00" });
    expect(read("tomorrow 9:30")).toEqual({ value: "2026-12-03T09:30" });
    expect(read("yesterday", "en-US", "date")).toEqual({ value: "2026-12-01" });
    expect(read("now")).toEqual({ value: "2026-12-02T20:40" });
    expect(read("  ")).toEqual({ value: "" });
  });

  it("say why a text is not a date", () => {
    expect(read("Feb 30, 2026")).toEqual({ error: "write a date like Dec 2, 2026, 8:40 PM" });
    expect(read("next blursday")).toHaveProperty("error");
    expect(read("13/13/2026")).toHaveProperty("error");
    expect(read("Dec 2, 2026, 25:10")).toEqual({ error: "the time is not a time of day" });
    expect(read("Dec 2, 2026, 13:10 pm")).toEqual({ error: "the time is not a time of day" });
  });

  it("bind the field value, keep a text it cannot read with the reason, and step by a day", async () => {
    let bound = "2026-12-02T20:40";
    const r = render(DateField, { props: { id: "d", get value() { return bound; }, set value(v: string) { bound = v; } } });
    const input = document.getElementById("d") as HTMLInputElement;
    expect(input.value).toBe(showDate("2026-12-02T20:40", "datetime"));
    await fireEvent.input(input, { target: { value: "2026-12-24 18:05" } });
    expect(bound).toBe("2026-12-24T18:05");
    await fireEvent.blur(input);
    expect(input.value).toBe(showDate("2026-12-24T18:05", "datetime"));
    await fireEvent.keyDown(input, { key: "ArrowUp" });
    expect(bound).toBe("2026-12-25T18:05");
    await fireEvent.keyDown(input, { key: "ArrowDown", shiftKey: true });
    expect(bound).toBe("2026-12-25T17:05");
    await fireEvent.input(input, { target: { value: "soonish" } });
    expect(bound).toBe("soonish");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById("d-problem")!.textContent).toMatch(/^write a date like /);
    r.unmount();
  });
});
