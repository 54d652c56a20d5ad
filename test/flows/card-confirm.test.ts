// Flow: the buyer authenticated a card payment in the window; the shop confirms it, then looks it up.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectMatchesSpec } from "../helpers/spec.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** An authenticated card payment waiting for confirm, as the payment window leaves it. */
async function authenticated(orderId: string, amount = 15000): Promise<string> {
  const tenant = server.ft.tenants.lookupSecretKey("test_sk_yjroot_faketoss_default")!;
  const rec = await server.ft.service.createCardPaymentSession(tenant, { orderId, orderName: "테스트 주문", amount, status: "IN_PROGRESS" });
  return rec.payment.paymentKey;
}

describe("confirm", () => {
  it("approves the seed payment pay_123 to DONE with the seed's fields and Toss's", async () => {
    const { data, error, response } = await server.client().POST("/v1/payments/confirm", {
      body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 },
    });
    expect(error).toBeUndefined();
    expectMatchesSpec("confirmPayment", 200, data);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(data).toMatchObject({
      paymentKey: "pay_123",
      orderId: "order-001",
      orderName: "FakeToss 티셔츠",
      amount: 15000,
      totalAmount: 15000,
      balanceAmount: 15000,
      status: "DONE",
      method: "CARD",
      type: "NORMAL",
      currency: "KRW",
      suppliedAmount: 13636,
      vat: 1364,
      cancels: null,
      virtualAccount: null,
      failure: null,
    });
    expect(data!.approvedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
    expect(data!.card?.number).toBe("1234-****-****-5678");
    expect(data!.lastTransactionKey).toMatch(/^\S+$/);
  });

  it("refuses a second confirm of the same payment with 400 ALREADY_PROCESSED_PAYMENT", async () => {
    const { error, response } = await server.client().POST("/v1/payments/confirm", {
      body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 },
    });
    expect(response.status).toBe(400);
    expectMatchesSpec("confirmPayment", 400, error);
    expect(error).toEqual({ code: "ALREADY_PROCESSED_PAYMENT", message: "이미 처리된 결제 입니다." });
  });

  it("answers 404 NOT_FOUND_PAYMENT_SESSION for a paymentKey nobody authenticated", async () => {
    const { error, response } = await server.client().POST("/v1/payments/confirm", {
      body: { paymentKey: "pay_unknown", orderId: "order-001", amount: 15000 },
    });
    expect(response.status).toBe(404);
    expectMatchesSpec("confirmPayment", 404, error);
    expect(error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");
  });

  it("refuses an orderId other than the authenticated one with 404 NOT_FOUND_PAYMENT_SESSION and leaves the payment waiting", async () => {
    const paymentKey = await authenticated("order-mismatch-1");
    const { error, response } = await server.client().POST("/v1/payments/confirm", {
      body: { paymentKey, orderId: "order-other-1", amount: 15000 },
    });
    expect(response.status).toBe(404);
    expect(error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");
    const { data } = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey } } });
    expect(data?.status).toBe("IN_PROGRESS");
  });

  it("refuses an amount other than the requested one with 400 INVALID_REQUEST and leaves the payment waiting", async () => {
    const paymentKey = await authenticated("order-mismatch-2", 20000);
    const { error, response } = await server.client().POST("/v1/payments/confirm", {
      body: { paymentKey, orderId: "order-mismatch-2", amount: 100 },
    });
    expect(response.status).toBe(400);
    expect(error?.code).toBe("INVALID_REQUEST");
    const ok = await server.client().POST("/v1/payments/confirm", { body: { paymentKey, orderId: "order-mismatch-2", amount: 20000 } });
    expect(ok.data?.status).toBe("DONE");
    expect(ok.data?.suppliedAmount).toBe(18182);
    expect(ok.data?.vat).toBe(1818);
  });

  it("answers English messages with Accept-Language: en-US", async () => {
    const { error } = await server.client({ acceptLanguage: "en-US" }).POST("/v1/payments/confirm", {
      body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 },
    });
    expect(error).toEqual({ code: "ALREADY_PROCESSED_PAYMENT", message: "The payment has already been processed." });
  });
});

describe("look-up", () => {
  it("finds a payment by paymentKey and by orderId, with the same body", async () => {
    const byKey = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } });
    const byOrder = await server.client().GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: "order-001" } } });
    expectMatchesSpec("getPayment", 200, byKey.data);
    expectMatchesSpec("getPaymentByOrderId", 200, byOrder.data);
    expect(byKey.data).toEqual(byOrder.data);
    expect(byKey.data).toMatchObject({ paymentKey: "pay_123", orderId: "order-001", status: "DONE", method: "CARD", card: { number: "1234-****-****-5678" } });
  });

  it("shows an authenticated but unconfirmed payment as IN_PROGRESS with approvedAt null", async () => {
    const paymentKey = await authenticated("order-lookup-1");
    const { data } = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey } } });
    expectMatchesSpec("getPayment", 200, data);
    expect(data).toMatchObject({ status: "IN_PROGRESS", approvedAt: null, lastTransactionKey: null });
  });

  it("answers 404 NOT_FOUND_PAYMENT for an unknown paymentKey or orderId", async () => {
    const a = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_nope" } } });
    const b = await server.client().GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: "order-nope" } } });
    for (const r of [a, b]) {
      expect(r.response.status).toBe(404);
      expect(r.error).toEqual({ code: "NOT_FOUND_PAYMENT", message: "존재하지 않는 결제 정보 입니다." });
    }
    expectMatchesSpec("getPayment", 404, a.error);
  });
});

describe("labels", () => {
  it("answers with real Toss's Korean labels when the server runs with FAKETOSS_LABELS=toss", async () => {
    const toss = await startTestServer({ env: { FAKETOSS_LABELS: "toss" } });
    try {
      const { data } = await toss.client().POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 } });
      expectMatchesSpec("confirmPayment", 200, data);
      expect(data).toMatchObject({ method: "카드", card: { cardType: "신용", ownerType: "개인" } });
      const en = await toss.client({ acceptLanguage: "en-US" }).GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } });
      expect(en.data).toMatchObject({ method: "CARD", card: { cardType: "CREDIT" } });
    } finally {
      await toss.close();
    }
  });
});
