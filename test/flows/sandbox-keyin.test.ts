// Flow: key-in payment. The shop sends a card number, expiry and the owner's identity; the payment
// is approved at once (DONE) with a masked card, the issuer from the BIN and an approval number.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newOrderId } from "../helpers/payments.js";
import { getPayment } from "../helpers/sandbox.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type KeyInBody = {
  amount: number;
  orderId: string;
  orderName: string;
  cardNumber: string;
  cardExpirationYear: string;
  cardExpirationMonth: string;
  customerIdentityNumber: string;
  cardInstallmentPlan?: number;
  cardPassword?: string;
};
const keyIn = (extra: Partial<KeyInBody> = {}) =>
  server.client().POST("/v1/payments/key-in", {
    body: {
      amount: 15000,
      orderId: newOrderId("keyin"),
      orderName: "키인 주문",
      cardNumber: "4330123412341234",
      cardExpirationYear: "30",
      cardExpirationMonth: "12",
      customerIdentityNumber: "900101",
      ...extra,
    },
  });

describe("key-in payment", () => {
  it("approves to DONE with a masked card number, issuerCode, cardType, ownerType and an 8-digit approveNo", async () => {
    const orderId = newOrderId("keyin");
    const { data, error, response } = await keyIn({ orderId, amount: 15000 });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expectMatchesSpec("keyInPayment", 200, data);
    expect(data).toMatchObject({
      orderId,
      orderName: "키인 주문",
      status: "DONE",
      method: "CARD",
      type: "NORMAL",
      totalAmount: 15000,
      balanceAmount: 15000,
      amount: 15000,
      suppliedAmount: 13636,
      vat: 1364,
      virtualAccount: null,
      failure: null,
    });
    expect(data!.approvedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
    const card = data!.card!;
    expect(card.amount).toBe(15000);
    expect(card.number).toMatch(/^4330/);
    expect(card.number).toMatch(/\*{4}/);
    expect(card.number).not.toContain("4330123412341234");
    expect(card.number.replace(/\D/g, "").length).toBeLessThan(16);
    expect(card.issuerCode).toMatch(/^\w{2}$/);
    expect(["CREDIT", "CHECK", "GIFT", "UNKNOWN"]).toContain(card.cardType);
    expect(["PERSONAL", "CORPORATE", "UNKNOWN"]).toContain(card.ownerType);
    expect(card.approveNo).toMatch(/^\d{8}$/);
    expect(card.installmentPlanMonths).toBe(0);

    expect(await getPayment(server.client(), data!.paymentKey)).toEqual(data);
  });

  it("derives issuerCode from the BIN: the same BIN gives the same issuer, and approveNo differs per payment", async () => {
    const a = await keyIn({ cardNumber: "4330123412341234" });
    const b = await keyIn({ cardNumber: "4330999988887777" });
    expect(a.data!.card!.issuerCode).toBe(b.data!.card!.issuerCode);
    expect(a.data!.card!.approveNo).not.toBe(b.data!.card!.approveNo);
  });

  it("treats a 10-digit business number as the identity of a corporate card", async () => {
    const { data, error } = await keyIn({ customerIdentityNumber: "1234567890" });
    expect(error).toBeUndefined();
    expectMatchesSpec("keyInPayment", 200, data);
    expect(data!.status).toBe("DONE");
  });

  it("carries cardInstallmentPlan into card.installmentPlanMonths", async () => {
    const { data } = await keyIn({ amount: 60000, cardInstallmentPlan: 3 });
    expect(data!.card!.installmentPlanMonths).toBe(3);
  });

  it("can be cancelled like any card payment", async () => {
    const { data } = await keyIn({ amount: 10000 });
    const cancel = await server.client().POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: data!.paymentKey } }, body: { cancelReason: "취소" } });
    expectMatchesSpec("cancelPayment", 200, cancel.data);
    expect(cancel.data).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
  });
});

describe("key-in errors", () => {
  it.each([
    ["a 4-digit card number", { cardNumber: "1234" }, "INVALID_CARD_NUMBER"],
    ["a 13-digit card number", { cardNumber: "4330123412341" }, "INVALID_CARD_NUMBER"],
    ["a 20-digit card number", { cardNumber: "43301234123412341234" }, "INVALID_CARD_NUMBER"],
    ["a card number with letters", { cardNumber: "4330-1234-1234-1234" }, "INVALID_CARD_NUMBER"],
    ["a past expiry year", { cardExpirationYear: "20" }, "INVALID_CARD_EXPIRATION"],
    ["month 13", { cardExpirationMonth: "13" }, "INVALID_CARD_EXPIRATION"],
    ["month 00", { cardExpirationMonth: "00" }, "INVALID_CARD_EXPIRATION"],
    ["a 7-digit identity", { customerIdentityNumber: "1234567" }, "INVALID_CARD_IDENTITY"],
    ["an identity with letters", { customerIdentityNumber: "90010a" }, "INVALID_CARD_IDENTITY"],
    ["an amount under 100 KRW", { amount: 99 }, "BELOW_MINIMUM_AMOUNT"],
  ])("refuses %s with 400 %s", async (_what, extra, code) => {
    const { error, response } = await keyIn(extra);
    expect(response.status).toBe(400);
    expectMatchesSpec("keyInPayment", 400, error);
    expect(error?.code).toBe(code);
  });

  it("refuses an expiry earlier this year (last month) with 400 INVALID_CARD_EXPIRATION", async () => {
    const now = new Date(Date.now() + 9 * 3600_000); // KST
    const month = now.getUTCMonth(); // 0-based: this is last month's 1-based number
    if (month === 0) return; // January: there is no earlier month this year
    const { error } = await keyIn({ cardExpirationYear: String(now.getUTCFullYear() % 100).padStart(2, "0"), cardExpirationMonth: String(month).padStart(2, "0") });
    expect(error?.code).toBe("INVALID_CARD_EXPIRATION");
  });

  it("refuses a reused orderId with 400 DUPLICATED_ORDER_ID and keeps the first payment", async () => {
    const orderId = newOrderId("keyin");
    const first = await keyIn({ orderId });
    expect(first.data?.status).toBe("DONE");
    const { error, response } = await keyIn({ orderId, amount: 999 });
    expect(response.status).toBe(400);
    expectMatchesSpec("keyInPayment", 400, error);
    expect(error?.code).toBe("DUPLICATED_ORDER_ID");
    const byOrder = await server.client().GET("/v1/payments/orders/{orderId}", { params: { path: { orderId } } });
    expect(byOrder.data?.paymentKey).toBe(first.data!.paymentKey);
    expect(byOrder.data?.totalAmount).toBe(15000);
  });
});
