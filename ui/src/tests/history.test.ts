import { describe, expect, it } from "vitest";
import { actionWord, changeSentences, describeChange, fieldName, formatMoney, formatValue } from "../lib/history";
import { formatDateTime } from "../lib/util";

// A fixed language and zone, so the sentences read the same on every machine.
const utc = { dateTime: (ts: string) => formatDateTime(ts, { locale: "en-US", timeZone: "UTC" }) };
const spaces = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");

describe("history in words", () => {
  it("names fields as people know them", () => {
    expect(fieldName("email")).toBe("Email");
    expect(fieldName("linkedin_url")).toBe("LinkedIn");
    expect(fieldName("job_title")).toBe("Job title");
    expect(fieldName("last_interaction")).toBe("Last interaction");
    expect(fieldName("lead_score")).toBe("Lead score");
    // Unknown fields: snake_case becomes Sentence case; ids and urls read as words.
    expect(fieldName("favourite_colour")).toBe("Favourite colour");
    expect(fieldName("speaker_id")).toBe("Speaker");
    expect(fieldName("ticket_url")).toBe("Ticket link");
  });

  it("says what changed, from what to what", () => {
    expect(describeChange("email", null, "grace@navy.test")).toBe("Email changed from — to grace@navy.test");
    expect(spaces(describeChange("last_interaction", null, "2026-12-02T20:40:00.000000Z", utc))).toBe("Last interaction changed from — to Dec 2, 2026, 8:40 PM");
    expect(describeChange("linkedin_url", "", "https://www.linkedin.com/in/grace")).toBe("LinkedIn changed from — to https://www.linkedin.com/in/grace");
    expect(describeChange("status", "cold_lead", "hot_lead")).toBe("Status changed from Cold lead to Hot lead");
    expect(describeChange("metadata", { a: 1 }, { a: 2 })).toBe("Other details changed");
  });

  it("writes moments with the window's one date-time format", () => {
    const iso = "2026-11-30T20:00:00.000000Z";
    expect(formatValue("last_interaction", iso)).toBe(formatDateTime(iso));
    expect(spaces(formatValue("last_interaction", iso, utc))).toBe("Nov 30, 2026, 8:00 PM");
    expect(spaces(formatDateTime(iso, { locale: "en-US", timeZone: "UTC" }))).toBe("Nov 30, 2026, 8:00 PM");
    expect(formatValue("expense_date", "2026-11-30")).not.toContain("2026-11-30");
  });

  it("shows money with its currency, yes/no, numbers and nothing", () => {
    expect(formatMoney("1250.5", "EUR")).toBe("1,250.50 EUR");
    expect(formatMoney("-3", "USD")).toBe("-3.00 USD");
    expect(formatMoney("12.345", null)).toBe("12.345");
    expect(formatValue("budget", "12000.00", { currency: "EUR" })).toBe("12,000.00 EUR");
    expect(formatValue("is_admin", true)).toBe("Yes");
    expect(formatValue("is_admin", false)).toBe("No");
    expect(formatValue("lead_score", 1200)).toBe((1200).toLocaleString());
    expect(formatValue("notes", null)).toBe("—");
    expect(formatValue("notes", "   ")).toBe("—");
    expect(formatValue("tags", ["photo", "card"])).toBe("photo, card");
    expect(formatValue("notes", "x".repeat(300)).length).toBe(140);
  });

  it("turns an update into sentences, leaving bookkeeping out", () => {
    const a = {
      action: "update" as const,
      old_values: { email: null, lead_score: 10, amount: "10.00", updated_at: "2026-11-30T20:00:00Z", company: "Navy" },
      new_values: { email: "grace@navy.test", lead_score: 72, amount: "12.50", currency: "EUR", updated_at: "2026-12-01T20:00:00Z", company: "Navy" },
    };
    expect(changeSentences(a)).toEqual([
      "Email changed from — to grace@navy.test",
      "Lead score changed from 10 to 72",
      "Amount changed from 10.00 EUR to 12.50 EUR",
      "Currency changed from — to EUR",
    ]);
    expect(changeSentences({ ...a, action: "create" })).toEqual([]);
    expect(changeSentences({ action: "update", old_values: null, new_values: null })).toEqual([]);
  });

  it("names what happened", () => {
    expect(actionWord("create")).toBe("Created");
    expect(actionWord("update")).toBe("Changed");
    expect(actionWord("delete")).toBe("Deleted");
    expect(actionWord("restore")).toBe("Restored");
  });
});
