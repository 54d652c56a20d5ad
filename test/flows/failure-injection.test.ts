// Failure injection: TossPayments-Test-Code, magic card numbers, scheduled billing declines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CATALOGUE, TEST_CODES } from "../../src/domain/errors.js";
import { MAGIC_CARDS } from "../../src/domain/magic.js";
import { newOrderId } from "../helpers/payments.js";
import { listOperations } from "../reliability/lib/spec-ops.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { raw, startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const CUSTOMER = "550e8400-e29b-41d4-a716-446655440000";
const card = { cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" };

describe("TossPayments-Test-Code", () => {
  it("answers every catalogue code with its Toss status and message, in Korean and English", async () => {
    expect(TEST_CODES.length).toBeGreaterThan(50);
    for (const code of TEST_CODES) {
      const ko = await raw(`${server.url}/v1/payments/pay_123`, { headers: { "TossPayments-Test-Code": code } });
      expect(ko.status, code).toBe(ERROR_CATALOGUE[code]!.status);
      expect(ko.json, code).toEqual({ code, message: ERROR_CATALOGUE[code]!.ko });
      const en = await raw(`${server.url}/v1/payments/pay_123`, { headers: { "TossPayments-Test-Code": code, "Accept-Language": "en-US" } });
      expect(en.json, code).toEqual({ code, message: ERROR_CATALOGUE[code]!.en });
    }
  });

  it("works on every secured /v1 operation of the spec, and on no /sandbox one", async () => {
    const ops = listOperations().filter((op) => op.secured && !op.page);
    const toss = ops.filter((op) => op.path.startsWith("/v1/"));
    expect(toss.length).toBeGreaterThan(8);
    // A tenant of its own: the sandbox calls below really run (a reset, a new key...).
    const fresh = await raw(`${server.url}/sandbox/keys`, { method: "POST" });
    const auth = fresh.json.secretKey as string;
    for (const op of ops) {
      const path = op.path.replace(/\{[^}]+\}/g, "test_code_probe");
      const res = await raw(server.url + path, {
        auth,
        method: op.method.toUpperCase(),
        headers: { "TossPayments-Test-Code": "REJECT_CARD_COMPANY", ...(op.body ? { "content-type": "application/json" } : {}) },
        body: op.body ? "{}" : undefined,
      });
      if (op.path.startsWith("/v1/")) {
        expect([op.id, res.status, res.json]).toEqual([op.id, 403, { code: "REJECT_CARD_COMPANY", message: ERROR_CATALOGUE.REJECT_CARD_COMPANY!.ko }]);
      } else {
        expect(res.json?.code, op.id).not.toBe("REJECT_CARD_COMPANY");
      }
    }
  });

  it("refuses an unknown code with 400 INVALID_TEST_CODE", async () => {
    const res = await raw(`${server.url}/v1/payments/pay_123`, { headers: { "TossPayments-Test-Code": "NO_SUCH_CODE" } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: "INVALID_TEST_CODE", message: ERROR_CATALOGUE.INVALID_TEST_CODE!.ko });
  });

  it("fails a confirm before any state changes and records nothing under its Idempotency-Key", async () => {
    const body = JSON.stringify({ paymentKey: "pay_123", orderId: "order-001", amount: 15000 });
    const headers = { "content-type": "application/json", "Idempotency-Key": "test-code-confirm" };
    const forced = await raw(`${server.url}/v1/payments/confirm`, { method: "POST", body, headers: { ...headers, "TossPayments-Test-Code": "REJECT_CARD_COMPANY" } });
    expect(forced.status).toBe(403);
    expect(forced.json.code).toBe("REJECT_CARD_COMPANY");
    const still = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } });
    expect(still.data?.status).toBe("IN_PROGRESS");
    const real = await raw(`${server.url}/v1/payments/confirm`, { method: "POST", body, headers });
    expect(real.status).toBe(200);
    expect(real.json.status).toBe("DONE");
  });

  it("is checked after authentication: no key is still 401", async () => {
    const res = await raw(`${server.url}/v1/payments/pay_123`, { auth: null, headers: { "TossPayments-Test-Code": "REJECT_CARD_COMPANY" } });
    expect(res.status).toBe(401);
  });

  it("does not apply to FakeToss's own /sandbox controls", async () => {
    const res = await raw(`${server.url}/sandbox/clock`, { headers: { "TossPayments-Test-Code": "REJECT_CARD_COMPANY" } });
    expect(res.status).toBe(200);
  });
});

describe("magic card numbers", () => {
  it.each(MAGIC_CARDS.map((c) => [c.number, c.code] as const))("declines a key-in with %s as %s and stores nothing", async (number, code) => {
    const orderId = newOrderId("magic");
    const { error, response } = await server.client().POST("/v1/payments/key-in", {
      body: { amount: 15000, orderId, orderName: "매직 카드", cardNumber: number, ...card },
    });
    expect(response.status).toBe(ERROR_CATALOGUE[code]!.status);
    expect(error).toEqual({ code, message: ERROR_CATALOGUE[code]!.ko });
    const lookup = await server.client().GET("/v1/payments/orders/{orderId}", { params: { path: { orderId } } });
    expect(lookup.error?.code).toBe("NOT_FOUND_PAYMENT");
  });

  it("refuses to register a declined magic card for billing", async () => {
    for (const magic of MAGIC_CARDS.filter((c) => c.when === "always")) {
      const { error } = await server.client().POST("/v1/billing/authorizations/card", {
        body: { customerKey: CUSTOMER, cardNumber: magic.number, ...card },
      });
      expect(error?.code, magic.number).toBe(magic.code);
    }
  });

  it("registers a 'charge' magic card as UNKNOWN and declines each of its charges, as Toss's test mode does", async () => {
    const magic = MAGIC_CARDS.find((c) => c.when === "charge")!;
    const { data: billing } = await server.client().POST("/v1/billing/authorizations/card", {
      body: { customerKey: CUSTOMER, cardNumber: magic.number, ...card },
    });
    expectMatchesSpec("issueBillingKeyWithCard", 200, billing);
    expect(billing!.card).toMatchObject({ cardType: "UNKNOWN", ownerType: "UNKNOWN" });
    for (let i = 0; i < 2; i++) {
      const { error } = await server.client().POST("/v1/billing/{billingKey}", {
        params: { path: { billingKey: billing!.billingKey } },
        body: { customerKey: CUSTOMER, orderId: newOrderId("magic"), orderName: "구독", amount: 1000 },
      });
      expect(error?.code).toBe(magic.code);
    }
  });
});

describe("setBillingFailures", () => {
  async function billingKey(): Promise<string> {
    const { data } = await server.client().POST("/v1/billing/authorizations/card", {
      body: { customerKey: CUSTOMER, cardNumber: "9410001234567890", ...card },
    });
    return data!.billingKey;
  }
  const charge = (key: string, orderId: string) =>
    server.client().POST("/v1/billing/{billingKey}", {
      params: { path: { billingKey: key } },
      body: { customerKey: CUSTOMER, orderId, orderName: "구독", amount: 9900 },
    });

  it("fails the next N charges with the code, then succeeds; a failed charge leaves its orderId free", async () => {
    const key = await billingKey();
    const set = await server.client().POST("/sandbox/billing/{billingKey}/failures", {
      params: { path: { billingKey: key } },
      body: { count: 2, code: "REJECT_CARD_PAYMENT" },
    });
    expectMatchesSpec("setBillingFailures", 200, set.data);
    expect(set.data).toEqual({ billingKey: key, remaining: 2, code: "REJECT_CARD_PAYMENT" });
    const orderId = newOrderId("retry");
    const first = await charge(key, orderId);
    expect(first.response.status).toBe(403);
    expect(first.error?.code).toBe("REJECT_CARD_PAYMENT");
    expect((await charge(key, orderId)).error?.code).toBe("REJECT_CARD_PAYMENT");
    const third = await charge(key, orderId);
    expect(third.data?.status).toBe("DONE");
  });

  it("clears a schedule with count 0", async () => {
    const key = await billingKey();
    const path = { params: { path: { billingKey: key } } };
    await server.client().POST("/sandbox/billing/{billingKey}/failures", { ...path, body: { count: 5 } });
    const cleared = await server.client().POST("/sandbox/billing/{billingKey}/failures", { ...path, body: { count: 0 } });
    expect(cleared.data).toEqual({ billingKey: key, remaining: 0, code: null });
    expect((await charge(key, newOrderId("clear"))).data?.status).toBe("DONE");
  });

  it("refuses a code outside the catalogue with 400 INVALID_TEST_CODE and an unknown key with 404 NOT_FOUND_BILLING", async () => {
    const key = await billingKey();
    const bad = await server.client().POST("/sandbox/billing/{billingKey}/failures", { params: { path: { billingKey: key } }, body: { count: 1, code: "NOPE" } });
    expect(bad.error?.code).toBe("INVALID_TEST_CODE");
    const missing = await server.client().POST("/sandbox/billing/{billingKey}/failures", { params: { path: { billingKey: "bill_nope" } }, body: { count: 1 } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.code).toBe("NOT_FOUND_BILLING");
  });
});
