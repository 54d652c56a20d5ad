// HTTP Basic with the secret key, checked before anything else; and tenants: each secret key sees
// only its own payments, billing keys, order ids and idempotency records.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticatedCard, approvedCard, newOrderId } from "../helpers/payments.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { DEFAULT_KEY, raw, startTestServer, type TestServer } from "../helpers/server.js";
import { basicAuth, expectTossError } from "../helpers/wire.js";

const TENANT_A = "test_sk_tenant_a";
const TENANT_B = "test_sk_tenant_b";
const DEFAULT_CLIENT_KEY = "test_ck_yjroot_faketoss_default";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { FAKETOSS_KEYS: `${TENANT_A}:test_ck_tenant_a,${TENANT_B}:test_ck_tenant_b` } });
});
afterAll(() => server.close());

/** GET /v1/payments/pay_123 with an explicit Authorization value (or none). */
const getWithAuth = (authorization: string | null, extra: Record<string, string> = {}) =>
  raw(`${server.url}/v1/payments/pay_123`, {
    auth: null,
    headers: authorization === null ? extra : { authorization, ...extra },
  });

const issueVa = (secretKey: string, orderId: string, headers: Record<string, string> = {}) =>
  server.client({ secretKey }).POST("/v1/virtual-accounts", {
    body: { orderId, orderName: "테넌트 주문", amount: 25000, customerName: "홍길동" },
    headers,
  });

describe("authentication", () => {
  it("answers 401 UNAUTHORIZED_KEY with a Toss-shaped JSON body when there is no Authorization header", async () => {
    const res = await getWithAuth(null);
    const body = expectTossError(res, 401, "UNAUTHORIZED_KEY");
    expectMatchesSpec("getPayment", 401, body);
    expect(body.message).toBe("인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.");

    const viaClient = await server.client({ secretKey: null }).POST("/v1/payments/confirm", {
      body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 },
    });
    expect(viaClient.response.status).toBe(401);
    expectMatchesSpec("confirmPayment", 401, viaClient.error);
    expect(viaClient.error?.code).toBe("UNAUTHORIZED_KEY");
  });

  it("answers 401 UNAUTHORIZED_KEY for a well-formed Basic value with an unknown secret key", async () => {
    const res = await getWithAuth(basicAuth("test_sk_nobody_knows_this"));
    expectMatchesSpec("getPayment", 401, expectTossError(res, 401, "UNAUTHORIZED_KEY"));
  });

  it("answers 401 UNAUTHORIZED_KEY for an empty secret key (base64 of ':')", async () => {
    const res = await getWithAuth(basicAuth(""));
    expectTossError(res, 401, "UNAUTHORIZED_KEY");
  });

  it("answers 403 INCORRECT_BASIC_AUTH_FORMAT for a Bearer scheme, bad base64, and a key without ':'", async () => {
    const malformed = [
      `Bearer ${DEFAULT_KEY}`,
      "Basic !!!",
      "Basic " + Buffer.from(DEFAULT_KEY).toString("base64"), // no ':' after the key
      "Basic",
    ];
    for (const value of malformed) {
      const res = await getWithAuth(value);
      const body = expectTossError(res, 403, "INCORRECT_BASIC_AUTH_FORMAT");
      expectMatchesSpec("getPayment", 403, body);
    }
  });

  it("refuses a client key used as a secret key with 401 UNAUTHORIZED_KEY", async () => {
    const res = await getWithAuth(basicAuth(DEFAULT_CLIENT_KEY));
    expectTossError(res, 401, "UNAUTHORIZED_KEY");
    const viaClient = await server.client({ secretKey: "test_ck_tenant_a" }).GET("/v1/payments/{paymentKey}", {
      params: { path: { paymentKey: "pay_123" } },
    });
    expect(viaClient.response.status).toBe(401);
    expect(viaClient.error?.code).toBe("UNAUTHORIZED_KEY");
  });

  it("accepts the secret key with a UTF-8 BOM in front of it", async () => {
    const res = await getWithAuth(basicAuth("\uFEFF" + DEFAULT_KEY));
    expect(res.status, res.text).toBe(200);
    expectMatchesSpec("getPayment", 200, res.json);
    expect(res.json).toMatchObject({ paymentKey: "pay_123", orderId: "order-001" });
  });

  it("accepts the scheme name in any case, as HTTP allows", async () => {
    const value = basicAuth(DEFAULT_KEY).replace("Basic", "basic");
    const res = await getWithAuth(value);
    expect(res.status, res.text).toBe(200);
  });

  it("checks the key before the body: an unauthenticated POST with broken JSON is 401, not 400", async () => {
    const res = await raw(`${server.url}/v1/payments/confirm`, {
      method: "POST",
      auth: null,
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expectTossError(res, 401, "UNAUTHORIZED_KEY");

    const malformed = await raw(`${server.url}/v1/payments/confirm`, {
      method: "POST",
      auth: null,
      headers: { "content-type": "application/json", authorization: "Bearer x" },
      body: "{not json",
    });
    expectTossError(malformed, 403, "INCORRECT_BASIC_AUTH_FORMAT");
  });

  it("answers the auth error in English with Accept-Language: en-US", async () => {
    const res = await getWithAuth(null, { "accept-language": "en-US" });
    const body = expectTossError(res, 401, "UNAUTHORIZED_KEY");
    expect(body.message).toBe("This is an unauthenticated secret key or client key.");
  });
});

describe("tenants", () => {
  it("hides tenant A's payment from tenant B by paymentKey and by orderId (404 NOT_FOUND_PAYMENT)", async () => {
    const p = await approvedCard(server, { secretKey: TENANT_A, amount: 12000 });
    const a = await server.client({ secretKey: TENANT_A }).GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(a.data).toMatchObject({ paymentKey: p.paymentKey, status: "DONE" });

    const byKey = await server.client({ secretKey: TENANT_B }).GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(byKey.response.status).toBe(404);
    expectMatchesSpec("getPayment", 404, byKey.error);
    expect(byKey.error?.code).toBe("NOT_FOUND_PAYMENT");

    const byOrder = await server.client({ secretKey: TENANT_B }).GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: p.orderId } } });
    expect(byOrder.response.status).toBe(404);
    expectMatchesSpec("getPaymentByOrderId", 404, byOrder.error);
    expect(byOrder.error?.code).toBe("NOT_FOUND_PAYMENT");

    const byDefault = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(byDefault.error?.code).toBe("NOT_FOUND_PAYMENT");
  });

  it("refuses tenant B's cancel of A's payment with 404 NOT_FOUND_PAYMENT and leaves it untouched", async () => {
    const p = await approvedCard(server, { secretKey: TENANT_A, amount: 10000 });
    const cancel = await server.client({ secretKey: TENANT_B }).POST("/v1/payments/{paymentKey}/cancel", {
      params: { path: { paymentKey: p.paymentKey } },
      body: { cancelReason: "not mine" },
    });
    expect(cancel.response.status).toBe(404);
    expectMatchesSpec("cancelPayment", 404, cancel.error);
    expect(cancel.error?.code).toBe("NOT_FOUND_PAYMENT");
    const after = await server.client({ secretKey: TENANT_A }).GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(after.data).toMatchObject({ status: "DONE", balanceAmount: 10000, cancels: null });
  });

  it("refuses tenant B's confirm of A's authenticated payment with 404 NOT_FOUND_PAYMENT_SESSION; A can still confirm it", async () => {
    const s = await authenticatedCard(server, { secretKey: TENANT_A, amount: 9000 });
    const b = await server.client({ secretKey: TENANT_B }).POST("/v1/payments/confirm", { body: s });
    expect(b.response.status).toBe(404);
    expectMatchesSpec("confirmPayment", 404, b.error);
    expect(b.error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");
    const a = await server.client({ secretKey: TENANT_A }).POST("/v1/payments/confirm", { body: s });
    expect(a.error).toBeUndefined();
    expect(a.data).toMatchObject({ paymentKey: s.paymentKey, status: "DONE" });
  });

  it("lets A and B use the same orderId independently, while a second use within A is DUPLICATED_ORDER_ID", async () => {
    const orderId = newOrderId("shared");
    const a = await issueVa(TENANT_A, orderId);
    const b = await issueVa(TENANT_B, orderId);
    expect(a.error).toBeUndefined();
    expect(b.error).toBeUndefined();
    expectMatchesSpec("issueVirtualAccount", 200, a.data);
    expectMatchesSpec("issueVirtualAccount", 200, b.data);
    expect(a.data!.orderId).toBe(orderId);
    expect(b.data!.orderId).toBe(orderId);
    expect(a.data!.paymentKey).not.toBe(b.data!.paymentKey);

    const byOrderA = await server.client({ secretKey: TENANT_A }).GET("/v1/payments/orders/{orderId}", { params: { path: { orderId } } });
    const byOrderB = await server.client({ secretKey: TENANT_B }).GET("/v1/payments/orders/{orderId}", { params: { path: { orderId } } });
    expect(byOrderA.data?.paymentKey).toBe(a.data!.paymentKey);
    expect(byOrderB.data?.paymentKey).toBe(b.data!.paymentKey);

    const again = await issueVa(TENANT_A, orderId);
    expect(again.response.status).toBe(400);
    expectMatchesSpec("issueVirtualAccount", 400, again.error);
    expect(again.error?.code).toBe("DUPLICATED_ORDER_ID");
  });

  it("does not let tenant A charge the default tenant's billing key bill_123 (404 NOT_FOUND_BILLING)", async () => {
    const { error, response } = await server.client({ secretKey: TENANT_A }).POST("/v1/billing/{billingKey}", {
      params: { path: { billingKey: "bill_123" } },
      body: { customerKey: "550e8400-e29b-41d4-a716-446655440000", orderId: newOrderId("bill"), orderName: "정기결제", amount: 9900 },
    });
    expect(response.status).toBe(404);
    expectMatchesSpec("chargeBilling", 404, error);
    expect(error?.code).toBe("NOT_FOUND_BILLING");
  });

  it("does not show the default tenant's fixtures pay_123 / order-001 / auth_123 to tenant A", async () => {
    const a = server.client({ secretKey: TENANT_A });
    const get = await a.GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } });
    expect(get.response.status).toBe(404);
    expect(get.error?.code).toBe("NOT_FOUND_PAYMENT");
    const byOrder = await a.GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: "order-001" } } });
    expect(byOrder.error?.code).toBe("NOT_FOUND_PAYMENT");
    const confirm = await a.POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 } });
    expect(confirm.response.status).toBe(404);
    expect(confirm.error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");
    const issue = await a.POST("/v1/billing/authorizations/issue", {
      body: { authKey: "auth_123", customerKey: "550e8400-e29b-41d4-a716-446655440000" },
    });
    expect(issue.response.status).toBe(400);
    expectMatchesSpec("issueBillingKey", 400, issue.error);
    expect(issue.error?.code).toBe("INVALID_BILLING_AUTH");

    // The default tenant still has pay_123 waiting.
    const mine = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } });
    expect(mine.data).toMatchObject({ paymentKey: "pay_123", status: "IN_PROGRESS" });
  });

  it("keeps idempotency records per tenant: the same Idempotency-Key on the same path gives A and B their own answers", async () => {
    const key = `idem-tenant-${Date.now()}`;
    const orderA = newOrderId("idemA");
    const orderB = newOrderId("idemB");
    const a1 = await issueVa(TENANT_A, orderA, { "Idempotency-Key": key });
    const b1 = await issueVa(TENANT_B, orderB, { "Idempotency-Key": key });
    expect(a1.error).toBeUndefined();
    expect(b1.error).toBeUndefined();
    expect(a1.data!.orderId).toBe(orderA);
    expect(b1.data!.orderId).toBe(orderB); // not A's replay
    expect(b1.data!.paymentKey).not.toBe(a1.data!.paymentKey);

    // Each tenant's repeat replays its own first answer.
    const a2 = await issueVa(TENANT_A, newOrderId("idemA2"), { "Idempotency-Key": key });
    const b2 = await issueVa(TENANT_B, newOrderId("idemB2"), { "Idempotency-Key": key });
    expect(a2.data).toEqual(a1.data);
    expect(b2.data).toEqual(b1.data);
  });
});
