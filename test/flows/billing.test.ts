// Flow: a billing key is issued from the billing-auth redirect's authKey and charged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newOrderId } from "../helpers/payments.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const CUSTOMER = "550e8400-e29b-41d4-a716-446655440000";
const charge = (billingKey: string, body: { customerKey: string; orderId: string; orderName: string; amount: number; cardInstallmentPlan?: number; taxFreeAmount?: number }) =>
  server.client().POST("/v1/billing/{billingKey}", { params: { path: { billingKey } }, body });

describe("billing key", () => {
  it("issues the seed's bill_123 from auth_123", async () => {
    const { data, error } = await server.client().POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_123", customerKey: CUSTOMER } });
    expect(error).toBeUndefined();
    expectMatchesSpec("issueBillingKey", 200, data);
    expect(data).toMatchObject({ billingKey: "bill_123", customerKey: CUSTOMER, method: "CARD", transfers: null });
    expect(data!.card).toMatchObject({ number: expect.any(String), cardType: "CREDIT", ownerType: "PERSONAL" });
    expect(data!.authenticatedAt).toMatch(/\+09:00$/);
  });

  it("refuses to reuse an authKey with 400 INVALID_BILLING_AUTH", async () => {
    const { error, response } = await server.client().POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_123", customerKey: CUSTOMER } });
    expect(response.status).toBe(400);
    expectMatchesSpec("issueBillingKey", 400, error);
    expect(error?.code).toBe("INVALID_BILLING_AUTH");
  });

  it("refuses an unknown authKey with 400 INVALID_BILLING_AUTH", async () => {
    const { error } = await server.client().POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_nope", customerKey: CUSTOMER } });
    expect(error?.code).toBe("INVALID_BILLING_AUTH");
  });

  it("refuses a malformed customerKey with 400 INVALID_CUSTOMER_KEY", async () => {
    const { error } = await server.client().POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_x", customerKey: "bad key!" } });
    expect(error?.code).toBe("INVALID_CUSTOMER_KEY");
  });
});

describe("billing charge", () => {
  it("charges bill_123 to DONE with type BILLING and the billing key's card", async () => {
    const { data, error } = await charge("bill_123", { customerKey: CUSTOMER, orderId: "billing-order-001", orderName: "월 구독권", amount: 9900 });
    expect(error).toBeUndefined();
    expectMatchesSpec("chargeBilling", 200, data);
    expect(data).toMatchObject({ status: "DONE", type: "BILLING", method: "CARD", orderId: "billing-order-001", totalAmount: 9900, balanceAmount: 9900, suppliedAmount: 9000, vat: 900 });
    expect(data!.approvedAt).toMatch(/\+09:00$/);
    expect(data!.card).toMatchObject({ amount: 9900, installmentPlanMonths: 0 });
    expect(data!.paymentKey).toMatch(/^\S+$/);
    const again = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: data!.paymentKey } } });
    expect(again.data).toEqual(data);
  });

  it("carries cardInstallmentPlan into card.installmentPlanMonths", async () => {
    const { data } = await charge("bill_123", { customerKey: CUSTOMER, orderId: newOrderId("bill"), orderName: "할부", amount: 60000, cardInstallmentPlan: 3 });
    expect(data!.card!.installmentPlanMonths).toBe(3);
  });

  it("refuses a reused orderId with 400 DUPLICATED_ORDER_ID", async () => {
    const { error, response } = await charge("bill_123", { customerKey: CUSTOMER, orderId: "billing-order-001", orderName: "월 구독권", amount: 9900 });
    expect(response.status).toBe(400);
    expect(error?.code).toBe("DUPLICATED_ORDER_ID");
  });

  it("refuses another customer's key with 400 NOT_MATCHES_CUSTOMER_KEY", async () => {
    const { error } = await charge("bill_123", { customerKey: "someone-else", orderId: newOrderId("bill"), orderName: "x", amount: 1000 });
    expect(error).toEqual({ code: "NOT_MATCHES_CUSTOMER_KEY", message: "빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다." });
  });

  it("answers 404 NOT_FOUND_BILLING for an unknown billing key", async () => {
    const { error, response } = await charge("bill_nope", { customerKey: CUSTOMER, orderId: newOrderId("bill"), orderName: "x", amount: 1000 });
    expect(response.status).toBe(404);
    expectMatchesSpec("chargeBilling", 404, error);
    expect(error?.code).toBe("NOT_FOUND_BILLING");
  });

  it("refuses an amount under 100 KRW with 400 BELOW_MINIMUM_AMOUNT", async () => {
    const { error } = await charge("bill_123", { customerKey: CUSTOMER, orderId: newOrderId("bill"), orderName: "x", amount: 99 });
    expect(error?.code).toBe("BELOW_MINIMUM_AMOUNT");
  });

  it("lets a billing payment be cancelled like any card payment", async () => {
    const { data } = await charge("bill_123", { customerKey: CUSTOMER, orderId: newOrderId("bill"), orderName: "환불", amount: 5000 });
    const cancel = await server.client().POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: data!.paymentKey } }, body: { cancelReason: "해지", cancelAmount: 2000 } });
    expect(cancel.data).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 3000, type: "BILLING" });
  });
});
