// Flow: tenants as a CI job uses them. createKeyPair gives a fresh, empty, isolated tenant;
// resetTenant empties one (the default tenant gets its seed fixtures back); the settings switch
// a tenant to real Toss's labels or let confirm approve unknown payment keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newOrderId } from "../helpers/payments.js";
import { authenticate, createReady, getPage, getPayment, newTenant } from "../helpers/sandbox.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { raw, startTestServer, type TestServer } from "../helpers/server.js";
import { basicAuth, expectTossError } from "../helpers/wire.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const reset = async (client: ReturnType<TestServer["client"]>) => {
  const { data, error, response } = await client.POST("/sandbox/reset", {});
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("resetTenant", 200, data);
  return data!;
};
const settingsOf = async (client: ReturnType<TestServer["client"]>) => {
  const { data, error } = await client.GET("/sandbox/settings");
  expect(error, JSON.stringify(error)).toBeUndefined();
  expectMatchesSpec("getSettings", 200, data);
  return data!;
};
const updateSettings = async (client: ReturnType<TestServer["client"]>, body: { labels?: "seed" | "toss" | null; autoApproveUnknownPaymentKeys?: boolean }) => {
  const { data, error, response } = await client.PATCH("/sandbox/settings", { body });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("updateSettings", 200, data);
  return data!;
};

describe("createKeyPair", () => {
  it("returns a secret key and a client key that are new, distinct and different each time", async () => {
    const a = await newTenant(server);
    const b = await newTenant(server);
    expect(a.secretKey).toMatch(/^test_sk_/);
    expect(a.clientKey).toMatch(/^test_ck_/);
    expect(new Set([a.secretKey, a.clientKey, b.secretKey, b.clientKey, "test_sk_yjroot_faketoss_default"]).size).toBe(5);
  });

  it("gives a working secret key whose tenant is empty: pay_123 → 404 NOT_FOUND_PAYMENT, auth_123 → INVALID_BILLING_AUTH", async () => {
    const t = await newTenant(server);
    const res = await raw(`${server.url}/v1/payments/pay_123`, { auth: null, headers: { authorization: basicAuth(t.secretKey) } });
    expectMatchesSpec("getPayment", 404, expectTossError(res, 404, "NOT_FOUND_PAYMENT"));
    const confirm = await t.client.POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 } });
    expect(confirm.error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");
    const issue = await t.client.POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_123", customerKey: "550e8400-e29b-41d4-a716-446655440000" } });
    expect(issue.error?.code).toBe("INVALID_BILLING_AUTH");
  });

  it("starts the new tenant with default settings and real time", async () => {
    const t = await newTenant(server);
    expect(await settingsOf(t.client)).toEqual({ labels: null, autoApproveUnknownPaymentKeys: false });
    const clock = await t.client.GET("/sandbox/clock");
    expect(clock.data?.offsetSeconds).toBe(0);
  });

  it("isolates tenants: a new tenant's payments are invisible to the default key, and the default key's to it", async () => {
    const t = await newTenant(server);
    const mine = await createReady(t.client);
    const theirs = await createReady(server.client());

    const fromDefault = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: mine.paymentKey } } });
    expect(fromDefault.response.status).toBe(404);
    expect(fromDefault.error?.code).toBe("NOT_FOUND_PAYMENT");
    const byOrder = await server.client().GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: mine.orderId } } });
    expect(byOrder.error?.code).toBe("NOT_FOUND_PAYMENT");
    const authFromDefault = await server.client().POST("/sandbox/payments/{paymentKey}/authenticate", { params: { path: { paymentKey: mine.paymentKey } } });
    expect(authFromDefault.error?.code).toBe("NOT_FOUND_PAYMENT");

    const fromNew = await t.client.GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: theirs.paymentKey } } });
    expect(fromNew.error?.code).toBe("NOT_FOUND_PAYMENT");
    expect((await t.client.GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } })).error?.code).toBe("NOT_FOUND_PAYMENT");

    // The same orderId is free in each tenant.
    const same = await createReady(server.client(), { orderId: mine.orderId });
    expect(same.paymentKey).not.toBe(mine.paymentKey);
  });

  it("lets the new tenant's client key open the billing-auth window", async () => {
    const t = await newTenant(server);
    const q = new URLSearchParams({ clientKey: t.clientKey, customerKey: "cust-tenant-1", successUrl: "https://shop.example/s", failUrl: "https://shop.example/f" });
    expect((await getPage(`${server.url}/sandbox/billing-auth?${q}`)).status).toBe(200);
  });

  it("does not accept the client key as a secret key (401 UNAUTHORIZED_KEY)", async () => {
    const t = await newTenant(server);
    const res = await raw(`${server.url}/sandbox/clock`, { auth: null, headers: { authorization: basicAuth(t.clientKey) } });
    expectTossError(res, 401, "UNAUTHORIZED_KEY");
  });

  it("refuses a caller without a valid secret key with 401 UNAUTHORIZED_KEY", async () => {
    const { error, response } = await server.client({ secretKey: "test_sk_nobody_knows_this" }).POST("/sandbox/keys", {});
    expect(response.status).toBe(401);
    expectMatchesSpec("createKeyPair", 401, error);
    expect(error?.code).toBe("UNAUTHORIZED_KEY");
  });
});

describe("resetTenant", () => {
  it("empties a created tenant: fixtures false, its payments gone, its clock back to real time, its settings kept", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await t.client.POST("/sandbox/clock/advance", { body: { hours: 3 } });
    await updateSettings(t.client, { labels: "toss" });

    expect(await reset(t.client)).toEqual({ reset: true, fixtures: false });

    const gone = await t.client.GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(gone.response.status).toBe(404);
    expect(gone.error?.code).toBe("NOT_FOUND_PAYMENT");
    expect((await t.client.GET("/sandbox/clock")).data?.offsetSeconds).toBe(0);
    expect((await settingsOf(t.client)).labels).toBe("toss");
    // The orderId is free again.
    const again = await createReady(t.client, { orderId: p.orderId });
    expect(again.orderId).toBe(p.orderId);
  });

  it("leaves other tenants alone", async () => {
    const a = await newTenant(server);
    const b = await newTenant(server);
    const pb = await createReady(b.client);
    await reset(a.client);
    expect((await getPayment(b.client, pb.paymentKey)).status).toBe("READY");
  });

  describe("the default tenant (on a server of its own)", () => {
    let own: TestServer;
    beforeAll(async () => {
      own = await startTestServer();
    });
    afterAll(() => own.close());

    it("restores the seed fixtures: fixtures true, pay_123 back and confirmable again, auth_123 issues bill_123 again", async () => {
      const c = own.client();
      const first = await c.POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 } });
      expect(first.data?.status).toBe("DONE");
      const bill = await c.POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_123", customerKey: "550e8400-e29b-41d4-a716-446655440000" } });
      expect(bill.data?.billingKey).toBe("bill_123");
      const extra = await createReady(c);

      expect(await reset(c)).toEqual({ reset: true, fixtures: true });

      const pay = await getPayment(c, "pay_123");
      expect(pay).toMatchObject({ status: "IN_PROGRESS", orderId: "order-001", orderName: "FakeToss 티셔츠", totalAmount: 15000 });
      const again = await c.POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 } });
      expect(again.error).toBeUndefined();
      expectMatchesSpec("confirmPayment", 200, again.data);
      expect(again.data).toMatchObject({ status: "DONE", card: { number: "1234-****-****-5678" } });

      const billAgain = await c.POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_123", customerKey: "550e8400-e29b-41d4-a716-446655440000" } });
      expect(billAgain.error).toBeUndefined();
      expect(billAgain.data?.billingKey).toBe("bill_123");

      const gone = await c.GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: extra.paymentKey } } });
      expect(gone.error?.code).toBe("NOT_FOUND_PAYMENT");
    });
  });
});

describe("settings", () => {
  it("switches one tenant to real Toss labels: the same payment answers 카드 for that tenant only", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await authenticate(t.client, p.paymentKey);
    await t.client.POST("/v1/payments/confirm", { body: { paymentKey: p.paymentKey, orderId: p.orderId, amount: p.totalAmount } });
    expect((await getPayment(t.client, p.paymentKey)).method).toBe("CARD");

    const updated = await updateSettings(t.client, { labels: "toss" });
    expect(updated).toEqual({ labels: "toss", autoApproveUnknownPaymentKeys: false });
    expect(await settingsOf(t.client)).toEqual(updated);

    const toss = await getPayment(t.client, p.paymentKey);
    expect(toss.method).toBe("카드");
    expect(toss.card?.cardType).toMatch(/^(신용|체크|기프트|미확인)$/);
    expect(toss.card?.ownerType).toMatch(/^(개인|법인|미확인)$/);

    // Other tenants keep the seed's labels.
    const other = await createReady(server.client());
    expect(other.method).toBe("CARD");
    expect((await settingsOf(server.client())).labels).toBeNull();

    // Back to the server default.
    await updateSettings(t.client, { labels: null });
    expect((await getPayment(t.client, p.paymentKey)).method).toBe("CARD");
  });

  it("answers a virtual account with 가상계좌 and accountType 일반 under Toss labels", async () => {
    const t = await newTenant(server);
    await updateSettings(t.client, { labels: "toss" });
    const { data } = await t.client.POST("/v1/virtual-accounts", { body: { orderId: newOrderId("va"), orderName: "라벨", amount: 1000, customerName: "홍길동" } });
    expectMatchesSpec("issueVirtualAccount", 200, data);
    expect(data).toMatchObject({ method: "가상계좌", virtualAccount: { accountType: "일반" } });
  });

  it("autoApproveUnknownPaymentKeys: true → confirm of an unknown paymentKey answers 200 DONE; false → 404 NOT_FOUND_PAYMENT_SESSION", async () => {
    const t = await newTenant(server);
    const body = { paymentKey: `pay_unknown_${Date.now()}`, orderId: newOrderId("auto"), amount: 7000 };

    const strict = await t.client.POST("/v1/payments/confirm", { body });
    expect(strict.response.status).toBe(404);
    expect(strict.error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");

    expect(await updateSettings(t.client, { autoApproveUnknownPaymentKeys: true })).toEqual({ labels: null, autoApproveUnknownPaymentKeys: true });
    const auto = await t.client.POST("/v1/payments/confirm", { body });
    expect(auto.error).toBeUndefined();
    expectMatchesSpec("confirmPayment", 200, auto.data);
    expect(auto.data).toMatchObject({ paymentKey: body.paymentKey, orderId: body.orderId, totalAmount: 7000, status: "DONE", method: "CARD" });
    expect((await getPayment(t.client, body.paymentKey)).status).toBe("DONE");

    // The default tenant is still strict.
    const elsewhere = await server.client().POST("/v1/payments/confirm", { body: { ...body, paymentKey: `${body.paymentKey}_x`, orderId: newOrderId("auto") } });
    expect(elsewhere.error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");

    await updateSettings(t.client, { autoApproveUnknownPaymentKeys: false });
    const strictAgain = await t.client.POST("/v1/payments/confirm", { body: { paymentKey: `pay_unknown2_${Date.now()}`, orderId: newOrderId("auto"), amount: 7000 } });
    expect(strictAgain.response.status).toBe(404);
    expect(strictAgain.error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");
  });

  it("takes the server-wide FAKETOSS_LABELS=toss as the default, which a tenant's labels: seed overrides", async () => {
    const own = await startTestServer({ env: { FAKETOSS_LABELS: "toss" } });
    try {
      const t = await newTenant(own);
      const p = await createReady(t.client);
      expect(p.method).toBe("카드");
      expect((await settingsOf(t.client)).labels).toBeNull();
      await updateSettings(t.client, { labels: "seed" });
      expect((await getPayment(t.client, p.paymentKey)).method).toBe("CARD");
      expect((await getPayment(own.client(), "pay_123")).method).toBe("카드");
    } finally {
      await own.close();
    }
  });

  it("changes only the given setting", async () => {
    const t = await newTenant(server);
    await updateSettings(t.client, { autoApproveUnknownPaymentKeys: true });
    expect(await updateSettings(t.client, { labels: "seed" })).toEqual({ labels: "seed", autoApproveUnknownPaymentKeys: true });
  });

  it.each([
    ["an empty body", {}],
    ["an unknown label vocabulary", { labels: "english" }],
    ["a non-boolean flag", { autoApproveUnknownPaymentKeys: "yes" }],
  ])("refuses %s with 400 and changes nothing", async (_what, body) => {
    const t = await newTenant(server);
    const { error, response } = await t.client.PATCH("/sandbox/settings", { body: body as never });
    expect(response.status).toBe(400);
    expectMatchesSpec("updateSettings", 400, error);
    expect(await settingsOf(t.client)).toEqual({ labels: null, autoApproveUnknownPaymentKeys: false });
  });
});
