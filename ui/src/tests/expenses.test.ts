import { describe, expect, it } from "vitest";
import { render, fireEvent, waitFor } from "@testing-library/svelte";
import Expenses from "../screens/Expenses.svelte";
import { app } from "../lib/app.svelte";
import { mockCommands, reject, workspace } from "./ipc";

const expense = (id: string, over: Record<string, unknown> = {}) => ({
  id, organization_id: "o1", created_by: "u1", event_id: "e1", title: `Expense ${id}`, description: null, amount: "100.00", currency: "USD", category: null,
  expense_type: "travel", expense_date: "2026-11-20", status: "pending", receipt_url: null, notes: null, approved_by: null, approved_at: null, metadata: {},
  created_at: "2026-11-20T10:00:00Z", updated_at: "2026-11-20T10:00:00Z", is_deleted: false, deleted_at: null, ...over,
});

const totals = [
  { currency: "USD", event_id: "e1", event_name: "Web Summit", count: 2, total: "150.00" },
  { currency: "USD", event_id: null, event_name: null, count: 2, total: "150.00" },
  { currency: "EUR", event_id: null, event_name: null, count: 1, total: "20.50" },
];

describe("expenses", () => {
  it("renders totals per currency and per event, and admin actions", async () => {
    app.status = workspace() as never;
    const calls = mockCommands({
      list_records: (a) => (a.table === "expenses" ? { items: [expense("x1"), expense("x2", { amount: "50.00" })], next_cursor: null } : { items: [{ id: "e1", title: "Web Summit" }], next_cursor: null }),
      expense_totals: () => totals,
      approve_expense: (a) => expense(a.id, { status: "approved" }),
    });
    render(Expenses);
    await waitFor(() => expect(document.querySelectorAll(".total-currency")).toHaveLength(2));
    const cur = Array.from(document.querySelectorAll(".total-currency")).map((r) => r.textContent);
    expect(cur[0]).toContain("USD");
    expect(cur[0]).toContain("150.00");
    expect(cur[1]).toContain("EUR");
    expect(cur[1]).toContain("20.50");
    expect(document.querySelector(".total-event")!.textContent).toContain("Web Summit");
    await waitFor(() => expect(document.querySelectorAll(".expense-row")).toHaveLength(2));
    await fireEvent.click(document.querySelector(".expense-row .exp-approve")!);
    await waitFor(() => expect(document.querySelector(".expense-row")!.getAttribute("data-status")).toBe("approved"));
    expect(calls.some((c) => c.cmd === "approve_expense" && c.args.id === "x1")).toBe(true);
  });

  it("shows the receipt on its row: thumbnail, full view, download; says why when it is not here", async () => {
    app.status = workspace() as never;
    const calls = mockCommands({
      list_records: (a) =>
        a.table === "expenses"
          ? { items: [expense("x1", { metadata: { receipt_media_id: "m1" } }), expense("x2", { metadata: { receipt_media_id: "m2" } })], next_cursor: null }
          : { items: [], next_cursor: null },
      expense_totals: () => [],
      media_preview: (a) => {
        if (a.id === "m1") return "data:image/jpeg;base64,/9j/AAAA";
        throw { code: "not_on_this_device", field: "file", message: "'taxi.jpg' was added on another device and has not been uploaded from it yet" };
      },
      media_full: () => "data:image/jpeg;base64,/9j/FULL",
      media_download: () => "/home/ada/Downloads/taxi.jpg",
    });
    render(Expenses);
    await waitFor(() => expect(document.querySelectorAll(".receipt-thumb")).toHaveLength(1));
    expect(document.querySelector<HTMLImageElement>("[data-media=m1] .receipt-thumb")!.src).toBe("data:image/jpeg;base64,/9j/AAAA");
    expect(document.querySelector("[data-media=m2] .receipt-view")!.getAttribute("title")).toContain("has not been uploaded");
    await fireEvent.click(document.querySelector("[data-media=m1] .receipt-view")!);
    await waitFor(() => expect(document.querySelector<HTMLImageElement>("#receipt-full-image")!.src).toBe("data:image/jpeg;base64,/9j/FULL"));
    expect(calls.find((c) => c.cmd === "media_full")!.args.id).toBe("m1");
    await fireEvent.click(document.querySelector("[data-media=m1] .receipt-download")!);
    await waitFor(() => expect(document.querySelector("[data-media=m1] .receipt-note")!.textContent).toBe("Saved to /home/ada/Downloads/taxi.jpg"));
  });

  it("hides approval buttons from non-admins", async () => {
    app.status = workspace({ is_admin: false }) as never;
    mockCommands({ list_records: (a) => ({ items: a.table === "expenses" ? [expense("x1")] : [], next_cursor: null }), expense_totals: () => [] });
    render(Expenses);
    await waitFor(() => expect(document.querySelectorAll(".expense-row")).toHaveLength(1));
    expect(document.querySelector(".exp-approve")).toBeNull();
  });

  it("shows the error of a refused expense and keeps the form", async () => {
    app.status = workspace() as never;
    const calls = mockCommands({
      list_records: () => ({ items: [], next_cursor: null }),
      expense_totals: () => [],
      create_record: reject("amount", "must not be negative"),
    });
    render(Expenses);
    const amount = document.getElementById("exp-amount") as HTMLInputElement;
    await fireEvent.input(amount, { target: { value: "-5" } });
    await fireEvent.input(document.getElementById("exp-description")!, { target: { value: "Taxi" } });
    await fireEvent.click(document.getElementById("exp-save")!);
    await waitFor(() => expect(document.getElementById("exp-err-amount")!.textContent).toBe("must not be negative"));
    expect(document.getElementById("exp-error")!.textContent).toBe("amount: must not be negative");
    expect(amount.value).toBe("-5");
    const sent = calls.find((c) => c.cmd === "create_record")!.args.fields;
    expect(sent).toMatchObject({ amount: "-5", currency: "USD", expense_type: "other", title: "Taxi", description: "Taxi" });
  });
});
