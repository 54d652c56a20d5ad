// Flow: an approved card payment is cancelled, fully or in parts, with Toss's arithmetic.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvedCard, authenticatedCard } from "../helpers/payments.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const cancel = (paymentKey: string, body: { cancelReason: string; cancelAmount?: number; refundableAmount?: number; taxFreeAmount?: number; currency?: string }) =>
  server.client().POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey } }, body });

describe("full cancel", () => {
  it("cancels the seed payment as the seed shows: CANCELED, one entry with amount and reason, balance 0", async () => {
    await server.client().POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 } });
    const { data, error } = await cancel("pay_123", { cancelReason: "고객 요청" });
    expect(error).toBeUndefined();
    expectMatchesSpec("cancelPayment", 200, data);
    expect(data).toMatchObject({ paymentKey: "pay_123", status: "CANCELED", balanceAmount: 0, totalAmount: 15000, suppliedAmount: 0, vat: 0 });
    expect(data!.cancels).toHaveLength(1);
    const c = data!.cancels![0]!;
    expect(c).toMatchObject({ amount: 15000, reason: "고객 요청", cancelAmount: 15000, cancelReason: "고객 요청", refundableAmount: 0, taxFreeAmount: 0, cancelStatus: "DONE" });
    expect(c.canceledAt).toMatch(/\+09:00$/);
    expect(data!.lastTransactionKey).toBe(c.transactionKey);
  });

  it("refuses to cancel a CANCELED payment again with 400 ALREADY_CANCELED_PAYMENT", async () => {
    const { error, response } = await cancel("pay_123", { cancelReason: "again" });
    expect(response.status).toBe(400);
    expectMatchesSpec("cancelPayment", 400, error);
    expect(error).toEqual({ code: "ALREADY_CANCELED_PAYMENT", message: "이미 취소된 결제 입니다." });
  });

  it("treats an explicit cancelAmount equal to the whole balance as a full cancel", async () => {
    const p = await approvedCard(server, { amount: 30000 });
    const { data } = await cancel(p.paymentKey, { cancelReason: "전액", cancelAmount: 30000 });
    expect(data).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
  });
});

describe("partial cancel", () => {
  it("follows Toss's arithmetic through partial cancels down to 0 and stays PARTIAL_CANCELED", async () => {
    const p = await approvedCard(server, { amount: 15000 });
    expect(p).toMatchObject({ suppliedAmount: 13636, vat: 1364 });

    const first = await cancel(p.paymentKey, { cancelReason: "부분 1", cancelAmount: 5000, refundableAmount: 15000 });
    expectMatchesSpec("cancelPayment", 200, first.data);
    expect(first.data).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 10000, suppliedAmount: 9091, vat: 909, totalAmount: 15000 });
    expect(first.data!.cancels!.map((c) => c.refundableAmount)).toEqual([10000]);

    const second = await cancel(p.paymentKey, { cancelReason: "부분 2", cancelAmount: 10000, refundableAmount: 10000 });
    expect(second.data).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 0, suppliedAmount: 0, vat: 0 });
    const cancels = second.data!.cancels!;
    expect(cancels.map((c) => [c.cancelAmount, c.refundableAmount])).toEqual([[5000, 10000], [10000, 0]]);
    expect(new Set(cancels.map((c) => c.transactionKey)).size).toBe(2);
    expect(second.data!.lastTransactionKey).toBe(cancels[1]!.transactionKey);

    const third = await cancel(p.paymentKey, { cancelReason: "더", cancelAmount: 1 });
    expect(third.response.status).toBe(403);
    expect(third.error?.code).toBe("NOT_CANCELABLE_AMOUNT");
  });

  it("refuses to cancel more than the balance with 403 NOT_CANCELABLE_AMOUNT and leaves the payment untouched", async () => {
    const p = await approvedCard(server, { amount: 10000 });
    const { error, response } = await cancel(p.paymentKey, { cancelReason: "too much", cancelAmount: 10001 });
    expect(response.status).toBe(403);
    expectMatchesSpec("cancelPayment", 403, error);
    expect(error).toEqual({ code: "NOT_CANCELABLE_AMOUNT", message: "취소 할 수 없는 금액 입니다." });
    const after = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(after.data).toMatchObject({ status: "DONE", balanceAmount: 10000, cancels: null });
  });

  it("refuses a refundableAmount that is not the current balance with 400 NOT_MATCHES_REFUNDABLE_AMOUNT", async () => {
    const p = await approvedCard(server, { amount: 10000 });
    const { error, response } = await cancel(p.paymentKey, { cancelReason: "stale", cancelAmount: 1000, refundableAmount: 9999 });
    expect(response.status).toBe(400);
    expect(error?.code).toBe("NOT_MATCHES_REFUNDABLE_AMOUNT");
  });

  it("refuses a currency other than the payment's with 400 INVALID_CURRENCY", async () => {
    const p = await approvedCard(server, { amount: 10000 });
    const { error } = await cancel(p.paymentKey, { cancelReason: "usd", currency: "USD" });
    expect(error?.code).toBe("INVALID_CURRENCY");
  });

  it("shrinks taxFreeAmount with the cancel's tax-free part and recomputes VAT on the rest", async () => {
    const p = await approvedCard(server, { amount: 11000, taxFreeAmount: 1000 });
    expect(p).toMatchObject({ taxFreeAmount: 1000, vat: 909, suppliedAmount: 9091 });
    const { data } = await cancel(p.paymentKey, { cancelReason: "면세 포함", cancelAmount: 5000, taxFreeAmount: 500 });
    expect(data).toMatchObject({ balanceAmount: 6000, taxFreeAmount: 500, vat: 500, suppliedAmount: 5000 });
    expect(data!.cancels![0]).toMatchObject({ cancelAmount: 5000, taxFreeAmount: 500, refundableAmount: 6000 });
  });

  it("refuses a cancel's taxFreeAmount larger than its cancelAmount with 400 INVALID_REQUEST", async () => {
    const p = await approvedCard(server, { amount: 11000, taxFreeAmount: 5000 });
    const { error } = await cancel(p.paymentKey, { cancelReason: "x", cancelAmount: 1000, taxFreeAmount: 2000 });
    expect(error?.code).toBe("INVALID_REQUEST");
  });

  it("refuses to cancel a payment that was never approved with 403 NOT_CANCELABLE_PAYMENT", async () => {
    const s = await authenticatedCard(server);
    const { error, response } = await cancel(s.paymentKey, { cancelReason: "not yet" });
    expect(response.status).toBe(403);
    expect(error?.code).toBe("NOT_CANCELABLE_PAYMENT");
  });

  it("answers 404 NOT_FOUND_PAYMENT for an unknown paymentKey", async () => {
    const { error, response } = await cancel("pay_nope", { cancelReason: "x" });
    expect(response.status).toBe(404);
    expect(error?.code).toBe("NOT_FOUND_PAYMENT");
  });

  it("never overdraws: 20 concurrent cancels of 1,000 on a 10,000 payment → exactly 10 succeed, balance 0", async () => {
    const p = await approvedCard(server, { amount: 10000 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cancel(p.paymentKey, { cancelReason: `race ${i}`, cancelAmount: 1000 })));
    const ok = results.filter((r) => r.response.status === 200);
    const refused = results.filter((r) => r.error?.code === "NOT_CANCELABLE_AMOUNT");
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(10);
    const after = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(after.data).toMatchObject({ balanceAmount: 0, status: "PARTIAL_CANCELED" });
    expect(after.data!.cancels).toHaveLength(10);
    expect(after.data!.cancels!.map((c) => c.refundableAmount)).toEqual([9000, 8000, 7000, 6000, 5000, 4000, 3000, 2000, 1000, 0]);
  });
});

describe("cancel request validation", () => {
  it("requires cancelReason (400 INVALID_REQUIRED_PARAM) and limits it to 200 characters (400 INVALID_REQUEST)", async () => {
    const p = await approvedCard(server, { amount: 1000 });
    const missing = await server.client().POST("/v1/payments/{paymentKey}/cancel", {
      params: { path: { paymentKey: p.paymentKey } },
      body: {} as { cancelReason: string },
    });
    expect(missing.error?.code).toBe("INVALID_REQUIRED_PARAM");
    const long = await cancel(p.paymentKey, { cancelReason: "가".repeat(201) });
    expect(long.error?.code).toBe("INVALID_REQUEST");
    expect(long.error?.message).toContain("cancelReason");
  });

  it("refuses cancelAmount 0 with 400 BELOW_ZERO_AMOUNT", async () => {
    const p = await approvedCard(server, { amount: 1000 });
    const { error } = await cancel(p.paymentKey, { cancelReason: "zero", cancelAmount: 0 });
    expect(error?.code).toBe("BELOW_ZERO_AMOUNT");
  });
});
