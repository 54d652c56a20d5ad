// Flow: the tenant's virtual clock and every deadline it drives. Each test takes a fresh tenant
// (createKeyPair) so that moving one clock never disturbs another test.
//   - a READY payment not authenticated within 30 minutes → EXPIRED (failure EXPIRED_PAYMENT);
//   - an IN_PROGRESS payment not confirmed within 10 minutes → EXPIRED, confirm → 404;
//   - a virtual account past its dueDate → expired: true, still WAITING_FOR_DEPOSIT.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeTossClient } from "../../generated/client.js";
import { ManualClock } from "../../src/domain/clock.js";
import { newOrderId } from "../helpers/payments.js";
import { authenticate, createReady, getPage, getPayment, newTenant } from "../helpers/sandbox.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const MIN = 60_000;
/** Real time that may pass between the server reading its clock and the test reading Date.now() on a busy CI box. */
const SLACK = 10_000;

async function clockOf(client: FakeTossClient): Promise<{ now: string; offsetSeconds: number }> {
  const { data, error, response } = await client.GET("/sandbox/clock");
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("getClock", 200, data);
  return data!;
}
async function advance(client: FakeTossClient, body: { days?: number; hours?: number; minutes?: number; seconds?: number }) {
  const { data, error, response } = await client.POST("/sandbox/clock/advance", { body });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("advanceClock", 200, data);
  return data!;
}
const confirm = (client: FakeTossClient, p: { paymentKey: string; orderId: string; totalAmount: number }) =>
  client.POST("/v1/payments/confirm", { body: { paymentKey: p.paymentKey, orderId: p.orderId, amount: p.totalAmount } });
/** The payment as stored, read past the HTTP layer and any lazy evaluation on read. */
const stored = (secretKey: string, orderId: string) =>
  server.ft.store.getPaymentByOrderId(server.ft.tenants.lookupSecretKey(secretKey)!.id, orderId);

describe("the clock", () => {
  it("starts a fresh tenant at real time: offsetSeconds 0, now within a few seconds of the wall clock, in KST", async () => {
    const t = await newTenant(server);
    const c = await clockOf(t.client);
    expect(c.offsetSeconds).toBe(0);
    expect(c.now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
    expect(Math.abs(Date.parse(c.now) - Date.now())).toBeLessThan(SLACK);
  });

  it("advanceClock {minutes: 31} moves now by 31 minutes and offsetSeconds to 1860; getClock agrees", async () => {
    const t = await newTenant(server);
    const before = await clockOf(t.client);
    const after = await advance(t.client, { minutes: 31 });
    expect(after.offsetSeconds).toBe(1860);
    const moved = Date.parse(after.now) - Date.parse(before.now);
    expect(moved).toBeGreaterThanOrEqual(31 * MIN - 1000);
    expect(moved).toBeLessThanOrEqual(31 * MIN + SLACK);
    const read = await clockOf(t.client);
    expect(read.offsetSeconds).toBe(1860);
    expect(Math.abs(Date.parse(read.now) - (Date.now() + 31 * MIN))).toBeLessThan(SLACK);
  });

  it("adds days, hours, minutes and seconds together, and accumulates over calls", async () => {
    const t = await newTenant(server);
    await advance(t.client, { days: 1, hours: 2, minutes: 3, seconds: 4 });
    const c = await advance(t.client, { seconds: 6 });
    expect(c.offsetSeconds).toBe(86400 + 7200 + 180 + 10);
  });

  it.each([
    ["an empty body", {}],
    ["a negative amount (the clock never goes back)", { minutes: -5 }],
    ["a fractional amount", { minutes: 1.5 }],
  ])("refuses %s with 400", async (_what, body) => {
    const t = await newTenant(server);
    const { error, response } = await t.client.POST("/sandbox/clock/advance", { body: body as never });
    expect(response.status).toBe(400);
    expectMatchesSpec("advanceClock", 400, error);
    expect((await clockOf(t.client)).offsetSeconds).toBe(0);
  });

  it("replays an advance re-sent with the same Idempotency-Key instead of moving the clock twice", async () => {
    const t = await newTenant(server);
    const send = () => t.client.POST("/sandbox/clock/advance", { body: { minutes: 5 }, headers: { "Idempotency-Key": "advance-once" } });
    const first = await send();
    const second = await send();
    expect(second.data).toEqual(first.data);
    expect((await clockOf(t.client)).offsetSeconds).toBe(300);
  });

  it("stamps new payments with the tenant's clock", async () => {
    const t = await newTenant(server);
    await advance(t.client, { days: 2 });
    const p = await createReady(t.client);
    expect(Math.abs(Date.parse(p.requestedAt) - (Date.now() + 2 * 86400_000))).toBeLessThan(SLACK);
  });

  it("does not move another tenant's clock, nor expire its payments", async () => {
    const a = await newTenant(server);
    const b = await newTenant(server);
    const pb = await createReady(b.client);
    await advance(a.client, { hours: 5 });
    expect((await clockOf(a.client)).offsetSeconds).toBe(5 * 3600);
    const cb = await clockOf(b.client);
    expect(cb.offsetSeconds).toBe(0);
    expect(Math.abs(Date.parse(cb.now) - Date.now())).toBeLessThan(SLACK);
    expect((await getPayment(b.client, pb.paymentKey)).status).toBe("READY");
    expect((await clockOf(server.client())).offsetSeconds).toBe(0); // nor the default tenant's
  });
});

describe("the 30-minute window (READY)", () => {
  it("expires a READY payment after 31 minutes WITHOUT anyone reading it first: the advance already stored EXPIRED", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    expect((await stored(t.secretKey, p.orderId))?.payment.status).toBe("READY");

    await advance(t.client, { minutes: 31 });

    // Nothing has read the payment since the advance: the store itself says EXPIRED.
    const rec = await stored(t.secretKey, p.orderId);
    expect(rec?.payment.status).toBe("EXPIRED");
    expect(rec?.payment.failure?.code).toBe("EXPIRED_PAYMENT");

    // The first API read is by orderId, then by paymentKey; both agree.
    const byOrder = await t.client.GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: p.orderId } } });
    expectMatchesSpec("getPaymentByOrderId", 200, byOrder.data);
    expect(byOrder.data).toMatchObject({ status: "EXPIRED", failure: { code: "EXPIRED_PAYMENT" } });
    expect(byOrder.data!.failure!.message).toBeTruthy();
    const byKey = await getPayment(t.client, p.paymentKey);
    expect(byKey).toMatchObject({ status: "EXPIRED", failure: { code: "EXPIRED_PAYMENT" }, approvedAt: null });
  });

  it("keeps a READY payment READY at 29 minutes, still authenticatable and confirmable", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await advance(t.client, { minutes: 29 });
    expect((await getPayment(t.client, p.paymentKey)).status).toBe("READY");
    expect((await authenticate(t.client, p.paymentKey)).payment.status).toBe("IN_PROGRESS");
    const { data } = await confirm(t.client, p);
    expect(data?.status).toBe("DONE");
  });

  it("refuses to authenticate an expired window with 404 NOT_FOUND_PAYMENT_SESSION, and its page answers 410", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await advance(t.client, { minutes: 31 });
    const { error, response } = await t.client.POST("/sandbox/payments/{paymentKey}/authenticate", { params: { path: { paymentKey: p.paymentKey } } });
    expect(response.status).toBe(404);
    expectMatchesSpec("authenticatePayment", 404, error);
    expect(error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");
    expect((await getPage(p.checkout!.url)).status).toBe(410);
  });

  it("expires when time passes without advanceClock: read lazily, and stored by the background sweep with no read at all", async () => {
    const clock = new ManualClock(Date.now());
    const own = await startTestServer({ clock });
    try {
      const t = await newTenant(own);
      const tenantId = own.ft.tenants.lookupSecretKey(t.secretKey)!.id;
      const read = await createReady(t.client);
      const unread = await createReady(t.client);
      const authed = await createReady(t.client);
      await authenticate(t.client, authed.paymentKey);
      clock.advance(31 * MIN);

      // Lazily, on the first read (by orderId, then the keyless window page).
      const byOrder = await t.client.GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: read.orderId } } });
      expect(byOrder.data).toMatchObject({ status: "EXPIRED", failure: { code: "EXPIRED_PAYMENT" } });
      expect((await getPage(read.checkout!.url)).status).toBe(410);
      const late = await confirm(t.client, authed);
      expect(late.response.status).toBe(404);
      expect(late.error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");

      // Nobody reads `unread`: the sweep stores EXPIRED by itself.
      await expect
        .poll(async () => (await own.ft.store.getPayment(tenantId, unread.paymentKey))?.payment.status, { timeout: 5000, interval: 100 })
        .toBe("EXPIRED");
    } finally {
      await own.close();
    }
  });
});

describe("the 10-minute confirm (IN_PROGRESS)", () => {
  it("expires an authenticated payment after 11 minutes: GET shows EXPIRED with failure, confirm → 404 NOT_FOUND_PAYMENT_SESSION", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await authenticate(t.client, p.paymentKey);

    await advance(t.client, { minutes: 11 });
    const rec = await stored(t.secretKey, p.orderId);
    expect(rec?.payment.status).toBe("EXPIRED");

    const { error, response } = await confirm(t.client, p);
    expect(response.status).toBe(404);
    expectMatchesSpec("confirmPayment", 404, error);
    expect(error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");

    const got = await getPayment(t.client, p.paymentKey);
    expect(got).toMatchObject({ paymentKey: p.paymentKey, status: "EXPIRED", approvedAt: null, failure: { code: "EXPIRED_PAYMENT" } });
  });

  it("confirms an authenticated payment at 9 minutes", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await authenticate(t.client, p.paymentKey);
    await advance(t.client, { minutes: 9 });
    const { data, error } = await confirm(t.client, p);
    expect(error).toBeUndefined();
    expect(data?.status).toBe("DONE");
  });

  it("counts the 10 minutes from authentication, not from creation", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await advance(t.client, { minutes: 25 });
    await authenticate(t.client, p.paymentKey);
    await advance(t.client, { minutes: 9 }); // 34 minutes after creation, 9 after authentication
    const { data, error } = await confirm(t.client, p);
    expect(error).toBeUndefined();
    expect(data?.status).toBe("DONE");
  });

  it("never expires a DONE payment, however far the clock moves", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await authenticate(t.client, p.paymentKey);
    await confirm(t.client, p);
    await advance(t.client, { days: 30 });
    expect((await getPayment(t.client, p.paymentKey)).status).toBe("DONE");
  });
});

describe("virtual-account due dates", () => {
  it("marks a virtual account past its dueDate expired: true and keeps it WAITING_FOR_DEPOSIT", async () => {
    const t = await newTenant(server);
    const { data: va } = await t.client.POST("/v1/virtual-accounts", {
      body: { orderId: newOrderId("va"), orderName: "만료 가상계좌", amount: 10000, customerName: "홍길동", validHours: 2 },
    });
    expect(va?.virtualAccount?.expired).toBe(false);
    await advance(t.client, { hours: 2, minutes: 1 });
    const rec = await stored(t.secretKey, va!.orderId);
    expect(rec?.payment.virtualAccount?.expired).toBe(true);
    const got = await getPayment(t.client, va!.paymentKey);
    expect(got).toMatchObject({ status: "WAITING_FOR_DEPOSIT", virtualAccount: { expired: true } });
    const dep = await t.client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va!.paymentKey } } });
    expect(dep.error?.code).toBe("EXPIRED_VIRTUAL_ACCOUNT");
  });

  it("keeps a virtual account open before its dueDate", async () => {
    const t = await newTenant(server);
    const { data: va } = await t.client.POST("/v1/virtual-accounts", {
      body: { orderId: newOrderId("va"), orderName: "유효 가상계좌", amount: 10000, customerName: "홍길동", validHours: 2 },
    });
    await advance(t.client, { hours: 1, minutes: 59 });
    expect((await getPayment(t.client, va!.paymentKey)).virtualAccount?.expired).toBe(false);
    const dep = await t.client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va!.paymentKey } } });
    expect(dep.data?.status).toBe("DONE");
  });
});

describe("expirePayment", () => {
  it("expires a READY payment now, whatever the clock says, with failure EXPIRED_PAYMENT", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    const { data, error } = await t.client.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: p.paymentKey } } });
    expect(error).toBeUndefined();
    expectMatchesSpec("expirePayment", 200, data);
    expect(data).toMatchObject({ status: "EXPIRED", failure: { code: "EXPIRED_PAYMENT" } });
    expect((await clockOf(t.client)).offsetSeconds).toBe(0);
  });

  it("expires an IN_PROGRESS payment, after which confirm → 404 NOT_FOUND_PAYMENT_SESSION", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await authenticate(t.client, p.paymentKey);
    const { data } = await t.client.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: p.paymentKey } } });
    expect(data?.status).toBe("EXPIRED");
    const { error } = await confirm(t.client, p);
    expect(error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");
  });

  it("refuses a DONE or EXPIRED payment with 400 INVALID_PAYMENT_STATUS, and an unknown one with 404 NOT_FOUND_PAYMENT", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    await authenticate(t.client, p.paymentKey);
    await confirm(t.client, p);
    const done = await t.client.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: p.paymentKey } } });
    expect(done.response.status).toBe(400);
    expectMatchesSpec("expirePayment", 400, done.error);
    expect(done.error?.code).toBe("INVALID_PAYMENT_STATUS");

    const q = await createReady(t.client);
    await t.client.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: q.paymentKey } } });
    const twice = await t.client.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: q.paymentKey } } });
    expect(twice.error?.code).toBe("INVALID_PAYMENT_STATUS");

    const unknown = await t.client.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: "pay_nobody_has_this" } } });
    expect(unknown.response.status).toBe(404);
    expectMatchesSpec("expirePayment", 404, unknown.error);
    expect(unknown.error?.code).toBe("NOT_FOUND_PAYMENT");
  });

  it("cannot reach another tenant's payment (404 NOT_FOUND_PAYMENT)", async () => {
    const a = await newTenant(server);
    const b = await newTenant(server);
    const p = await createReady(a.client);
    const { response, error } = await b.client.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: p.paymentKey } } });
    expect(response.status).toBe(404);
    expect(error?.code).toBe("NOT_FOUND_PAYMENT");
    expect((await getPayment(a.client, p.paymentKey)).status).toBe("READY");
  });
});
