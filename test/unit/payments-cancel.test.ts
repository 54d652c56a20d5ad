import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TossError } from "../../src/domain/errors.js";
import { donePayment, orderId, setup, tossError } from "./setup.js";

describe("cancel: full and partial", () => {
  it("cancels the whole balance when cancelAmount is absent: CANCELED, balance/VAT 0, one cancel entry", async () => {
    const ctx = await setup();
    const done = await donePayment(ctx, 15000);
    ctx.clock.advance(5_000);
    const { payment } = await ctx.service.cancel(ctx.tenant, done.payment.paymentKey, { cancelReason: "고객 요청" });
    expect(payment).toMatchObject({ status: "CANCELED", balanceAmount: 0, suppliedAmount: 0, vat: 0, taxFreeAmount: 0, totalAmount: 15000 });
    expect(payment.cancels).toHaveLength(1);
    const c = payment.cancels![0]!;
    expect(c).toMatchObject({
      cancelAmount: 15000, cancelReason: "고객 요청", refundableAmount: 0, taxFreeAmount: 0, cancelStatus: "DONE",
      canceledAt: "2026-04-21T10:14:05+09:00",
    });
    expect(c.transactionKey).toMatch(/^[0-9A-F]{32}$/);
    expect(c.transactionKey).not.toBe(done.payment.lastTransactionKey);
    expect(payment.lastTransactionKey).toBe(c.transactionKey);
  });

  it("chains refundableAmount and stays PARTIAL_CANCELED at balance 0 (15000 -> 5000 -> 10000)", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 15000)).payment.paymentKey;
    const first = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "부분", cancelAmount: 5000 });
    expect(first.payment).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 10000, suppliedAmount: 9091, vat: 909 });
    expect(first.payment.cancels![0]!.refundableAmount).toBe(10000);

    const second = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "나머지", cancelAmount: 10000, refundableAmount: 10000 });
    expect(second.payment).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 0, suppliedAmount: 0, vat: 0 });
    expect(second.payment.cancels!.map((c) => [c.cancelAmount, c.refundableAmount])).toEqual([[5000, 10000], [10000, 0]]);
    expect(second.payment.lastTransactionKey).toBe(second.payment.cancels![1]!.transactionKey);

    // Nothing left: another cancel (with or without an amount) is NOT_CANCELABLE_AMOUNT, not ALREADY_CANCELED.
    for (const input of [{ cancelReason: "또" }, { cancelReason: "또", cancelAmount: 1 }]) {
      const err = await tossError(ctx.service.cancel(ctx.tenant, key, input));
      expect([err.code, err.status]).toEqual(["NOT_CANCELABLE_AMOUNT", 403]);
    }
  });

  it("a full cancel after a partial one (no amount) stays PARTIAL_CANCELED", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 10000)).payment.paymentKey;
    await ctx.service.cancel(ctx.tenant, key, { cancelReason: "a", cancelAmount: 1000 });
    const { payment } = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "b" });
    expect(payment).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 0 });
    expect(payment.cancels![1]!.cancelAmount).toBe(9000);
  });

  it("refuses cancelAmount above the balance with 403 NOT_CANCELABLE_AMOUNT and leaves the payment untouched", async () => {
    const ctx = await setup();
    const done = await donePayment(ctx, 10000);
    const err = await tossError(ctx.service.cancel(ctx.tenant, done.payment.paymentKey, { cancelReason: "x", cancelAmount: 10001 }));
    expect([err.code, err.status]).toEqual(["NOT_CANCELABLE_AMOUNT", 403]);
    expect((await ctx.service.getPayment(ctx.tenant, done.payment.paymentKey)).payment).toEqual(done.payment);
  });

  it("refuses cancelling a CANCELED payment with 400 ALREADY_CANCELED_PAYMENT", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 10000)).payment.paymentKey;
    await ctx.service.cancel(ctx.tenant, key, { cancelReason: "x" });
    const err = await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x" }));
    expect([err.code, err.status]).toEqual(["ALREADY_CANCELED_PAYMENT", 400]);
  });

  it("refuses READY, IN_PROGRESS and EXPIRED payments with 403 NOT_CANCELABLE_PAYMENT", async () => {
    const ctx = await setup();
    const ready = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: orderId(), orderName: "x", amount: 1000, status: "READY" });
    const inProgress = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: orderId(), orderName: "x", amount: 1000 });
    for (const key of [ready.payment.paymentKey, inProgress.payment.paymentKey]) {
      const err = await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x" }));
      expect([err.code, err.status]).toEqual(["NOT_CANCELABLE_PAYMENT", 403]);
    }
    ctx.clock.advance(24 * 3_600_000);
    const err = await tossError(ctx.service.cancel(ctx.tenant, inProgress.payment.paymentKey, { cancelReason: "x" }));
    expect(err.code).toBe("NOT_CANCELABLE_PAYMENT");
    expect((await ctx.store.getPayment(ctx.tenant.id, inProgress.payment.paymentKey))?.payment.status).toBe("EXPIRED");
  });

  it("refuses an unknown paymentKey with 404 NOT_FOUND_PAYMENT", async () => {
    const ctx = await setup();
    expect((await tossError(ctx.service.cancel(ctx.tenant, "pay_none", { cancelReason: "x" }))).code).toBe("NOT_FOUND_PAYMENT");
  });

  it("refuses a refundableAmount that differs from the balance with 400 NOT_MATCHES_REFUNDABLE_AMOUNT", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 10000)).payment.paymentKey;
    await ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 3000 });
    const err = await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 1000, refundableAmount: 10000 }));
    expect([err.code, err.status]).toEqual(["NOT_MATCHES_REFUNDABLE_AMOUNT", 400]);
    const ok = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 1000, refundableAmount: 7000 });
    expect(ok.payment.balanceAmount).toBe(6000);
  });

  it("refuses a different currency with 400 INVALID_CURRENCY", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 10000)).payment.paymentKey;
    expect((await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", currency: "USD" }))).code).toBe("INVALID_CURRENCY");
    expect((await ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", currency: "KRW" })).payment.status).toBe("CANCELED");
  });

  it("refuses a zero or negative cancelAmount with BELOW_ZERO_AMOUNT and a missing reason with INVALID_REQUIRED_PARAM", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 10000)).payment.paymentKey;
    expect((await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 0 }))).code).toBe("BELOW_ZERO_AMOUNT");
    expect((await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: -5 }))).code).toBe("BELOW_ZERO_AMOUNT");
    expect((await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 1.5 }))).code).toBe("INVALID_REQUEST");
    expect((await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "" }))).code).toBe("INVALID_REQUIRED_PARAM");
  });

  it("refuses a partial cancel of an escrow or taxExemption payment with 403 NOT_ALLOWED_PARTIAL_REFUND", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 10000)).payment.paymentKey;
    await ctx.store.updatePayment(ctx.tenant.id, key, (r) => ({ ...r, payment: { ...r.payment, isPartialCancelable: false } }));
    const err = await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 100 }));
    expect([err.code, err.status]).toEqual(["NOT_ALLOWED_PARTIAL_REFUND", 403]);
    expect((await ctx.service.cancel(ctx.tenant, key, { cancelReason: "x" })).payment.status).toBe("CANCELED");
  });
});

describe("cancel: tax-free arithmetic", () => {
  it("by default cancels the taxable part first (remaining tax-free never exceeds the balance)", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 10000, 3000)).payment.paymentKey;
    const a = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 5000 });
    expect(a.payment.cancels![0]!.taxFreeAmount).toBe(0);
    expect(a.payment).toMatchObject({ balanceAmount: 5000, taxFreeAmount: 3000, vat: 182, suppliedAmount: 1818 });
    const b = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 4000 });
    expect(b.payment.cancels![1]!.taxFreeAmount).toBe(2000);
    expect(b.payment).toMatchObject({ balanceAmount: 1000, taxFreeAmount: 1000, vat: 0, suppliedAmount: 0 });
    const c = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "x" });
    expect(c.payment.cancels![2]!.taxFreeAmount).toBe(1000);
    expect(c.payment).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 0, taxFreeAmount: 0, vat: 0, suppliedAmount: 0 });
  });

  it("applies an explicit taxFreeAmount and recomputes VAT from the remainder", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 10000, 3000)).payment.paymentKey;
    const { payment } = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 2000, taxFreeAmount: 1000 });
    expect(payment).toMatchObject({ balanceAmount: 8000, taxFreeAmount: 2000, vat: 545, suppliedAmount: 5455 });
  });

  it("refuses an explicit taxFreeAmount above cancelAmount, above the remaining tax-free, or leaving too much tax-free", async () => {
    const ctx = await setup();
    const key = (await donePayment(ctx, 10000, 3000)).payment.paymentKey;
    for (const input of [
      { cancelAmount: 1000, taxFreeAmount: 1001 },
      { cancelAmount: 5000, taxFreeAmount: 3001 },
      { cancelAmount: 9000, taxFreeAmount: 1000 }, // leaves 2000 tax-free on a 1000 balance
      { cancelAmount: 1000, taxFreeAmount: -1 },
    ]) {
      const err = await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", ...input }));
      expect([err.code, err.status]).toEqual(["INVALID_REQUEST", 400]);
    }
    expect((await ctx.service.getPayment(ctx.tenant, key)).payment.balanceAmount).toBe(10000);
  });
});

describe("cancel: concurrency", () => {
  it("20 parallel 1000 cancels of a 10000 payment: exactly 10 succeed, balance 0, never overdrawn", async () => {
    const dir = mkdtempSync(join(tmpdir(), "faketoss-cancel-"));
    try {
      const ctx = await setup(join(dir, "c.db"));
      const key = (await donePayment(ctx, 10000)).payment.paymentKey;
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => ctx.service.cancel(ctx.tenant, key, { cancelReason: `c${i}`, cancelAmount: 1000 })),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(ok).toHaveLength(10);
      for (const r of refused) {
        expect(r.reason).toBeInstanceOf(TossError);
        expect((r.reason as TossError).code).toBe("NOT_CANCELABLE_AMOUNT");
      }
      const { payment } = await ctx.service.getPayment(ctx.tenant, key);
      expect(payment).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 0, vat: 0, suppliedAmount: 0 });
      expect(payment.cancels).toHaveLength(10);
      expect(payment.cancels!.map((c) => c.refundableAmount)).toEqual([9000, 8000, 7000, 6000, 5000, 4000, 3000, 2000, 1000, 0]);
      await ctx.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cancel: concurrency across processes sharing one file", () => {
  it("4 processes x 5 cancels of 1000 on a 10000 payment: exactly 10 succeed", async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const run = promisify(execFile);
    const dir = mkdtempSync(join(tmpdir(), "faketoss-xproc-"));
    try {
      const path = join(dir, "x.db");
      const ctx = await setup(path);
      ctx.clock.set(Date.now()); // the workers use the system clock
      const key = (await donePayment(ctx, 10000)).payment.paymentKey;
      await ctx.store.close();
      const worker = new URL("./cancel-worker.ts", import.meta.url).pathname;
      const outs = await Promise.all(
        Array.from({ length: 4 }, () => run(process.execPath, ["--import", "tsx", worker, path, key, "5", "1000"], { cwd: process.cwd() })),
      );
      const codes = outs.flatMap((o) => o.stdout.trim().split("\n"));
      expect(codes).toHaveLength(20);
      expect(codes.filter((c) => c === "OK")).toHaveLength(10);
      expect(codes.filter((c) => c !== "OK").every((c) => c === "NOT_CANCELABLE_AMOUNT")).toBe(true);
      const { openSqliteStore } = await import("../../src/store/sqlite.js");
      const store = openSqliteStore(path);
      expect((await store.getPayment(ctx.tenant.id, key))?.payment.balanceAmount).toBe(0);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
