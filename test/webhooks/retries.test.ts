// Delivery outcomes over time: Toss's retry schedule on the tenant's virtual clock, a receiver
// that is down then up, timeouts, manual resends, the concurrency cap, and shutdown.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FakeTossClient } from "../../generated/client.js";
import { ManualClock } from "../../src/domain/clock.js";
import { RETRY_SCHEDULE_MINUTES } from "../../src/webhooks/model.js";
import { newOrderId } from "../helpers/payments.js";
import { newTenant } from "../helpers/sandbox.js";
import type { TestServer } from "../helpers/server.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import {
  advance,
  listDeliveries,
  registerHook,
  secondsBetween,
  startHookReceiver,
  startWebhookServer,
  waitForDelivery,
  type HookReceiver,
  type WebhookDelivery,
} from "./helpers.js";

/** 2026-04-21T10:14:00+09:00 */
const T0 = Date.UTC(2026, 3, 21, 1, 14, 0);

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup(options: { timeoutMs?: number; concurrency?: number; clock?: ManualClock } = {}) {
  const server = await startWebhookServer({ clock: options.clock, ft: { webhooks: { timeoutMs: options.timeoutMs, concurrency: options.concurrency } } });
  closers.push(() => server.close());
  const rx = await startHookReceiver();
  closers.push(() => rx.close());
  const t = await newTenant(server);
  const endpoint = await registerHook(t.client, rx.url("/hook"));
  return { server, rx, client: t.client, endpoint };
}

/** Issues a virtual account: one PAYMENT_STATUS_CHANGED delivery. Resolves its log entry. */
async function oneDelivery(client: FakeTossClient): Promise<WebhookDelivery> {
  const { error } = await client.POST("/v1/virtual-accounts", { body: { orderId: newOrderId("whr"), orderName: "재시도", amount: 1000, customerName: "홍길동" } });
  expect(error).toBeUndefined();
  const [d] = await listDeliveries(client);
  return d!;
}

const resend = async (client: FakeTossClient, deliveryId: string): Promise<WebhookDelivery> => {
  const { data, error, response } = await client.POST("/sandbox/webhooks/deliveries/{deliveryId}/resend", { params: { path: { deliveryId } } });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("resendWebhookDelivery", 200, data);
  return data!;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("retry schedule on the virtual clock", () => {
  it("retries a 500 at +1, 4, 16, 64, 256, 1024, 4096 minutes, then FAILED; a resend then delivers it", async () => {
    const { rx, client } = await setup({ clock: new ManualClock(T0) });
    rx.answer(500);
    const d = await oneDelivery(client);

    let log = await waitForDelivery(client, d.id, (x) => x.attempts.length === 1);
    expect(log.status).toBe("PENDING");
    expect(log.attempts[0]).toEqual({ attemptedAt: log.createdAt, retriedCount: 0, statusCode: 500, error: "HTTP 500", durationMs: expect.any(Number) });
    expect(secondsBetween(log.attempts[0]!.attemptedAt, log.nextAttemptAt!)).toBe(60);

    // Not a second early.
    await advance(client, { seconds: 59 });
    await sleep(300);
    expect((await waitForDelivery(client, d.id, () => true)).attempts).toHaveLength(1);
    await advance(client, { seconds: 1 });

    for (let retry = 1; retry <= 7; retry++) {
      if (retry > 1) await advance(client, { minutes: RETRY_SCHEDULE_MINUTES[retry - 1]! });
      log = await waitForDelivery(client, d.id, (x) => x.attempts.length === retry + 1);
      const prev = log.attempts[retry - 1]!;
      const cur = log.attempts[retry]!;
      expect(cur).toMatchObject({ retriedCount: retry, statusCode: 500, error: "HTTP 500" });
      expect(secondsBetween(prev.attemptedAt, cur.attemptedAt)).toBe(RETRY_SCHEDULE_MINUTES[retry - 1]! * 60);
      if (retry < 7) {
        expect(log.status).toBe("PENDING");
        expect(secondsBetween(cur.attemptedAt, log.nextAttemptAt!)).toBe(RETRY_SCHEDULE_MINUTES[retry]! * 60);
      }
    }
    expect(log.status).toBe("FAILED");
    expect(log.nextAttemptAt).toBeNull();
    expect(log.attempts.map((a) => a.retriedCount)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    // What the receiver saw: 8 POSTs, one transmission id, the same bytes, counted 0..7,
    // each stamped with its attempt's time.
    const hits = rx.hits.filter((h) => h.headers["tosspayments-webhook-transmission-id"] === d.id);
    expect(hits).toHaveLength(8);
    expect(hits.map((h) => h.headers["tosspayments-webhook-transmission-retried-count"])).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    expect(new Set(hits.map((h) => h.body)).size).toBe(1);
    expect(hits.map((h) => h.headers["tosspayments-webhook-transmission-time"])).toEqual(log.attempts.map((a) => a.attemptedAt));

    // Nothing more, however far the clock goes.
    await advance(client, { days: 30 });
    await sleep(300);
    expect(rx.hits.filter((h) => h.headers["tosspayments-webhook-transmission-id"] === d.id)).toHaveLength(8);

    // A failed resend of a FAILED delivery stays FAILED, with no new schedule.
    const again = await resend(client, d.id);
    expect(again).toMatchObject({ status: "FAILED", nextAttemptAt: null });
    expect(again.attempts.at(-1)).toMatchObject({ retriedCount: 7, statusCode: 500 });
    // A successful one delivers it (the retried-count repeats the last).
    rx.answer(200);
    const ok = await resend(client, d.id);
    expect(ok).toMatchObject({ status: "DELIVERED", nextAttemptAt: null });
    expect(ok.attempts).toHaveLength(10);
    expect(ok.attempts.at(-1)).toMatchObject({ retriedCount: 7, statusCode: 200, error: null });
    expect(rx.hits.at(-1)!.headers["tosspayments-webhook-transmission-retried-count"]).toBe("7");
    expect(await listDeliveries(client, { status: "DELIVERED" })).toHaveLength(1);
  });

  it("a receiver that is down, then up, gets the delivery on the next retry", async () => {
    const { rx, client } = await setup();
    await rx.down();
    const d = await oneDelivery(client);
    const first = await waitForDelivery(client, d.id, (x) => x.attempts.length === 1);
    expect(first.status).toBe("PENDING");
    expect(first.attempts[0]).toMatchObject({ retriedCount: 0, statusCode: null, error: expect.stringMatching(/ECONNREFUSED/) });

    await rx.up();
    await advance(client, { minutes: 1 });
    const done = await waitForDelivery(client, d.id, (x) => x.status === "DELIVERED");
    expect(done.attempts).toHaveLength(2);
    expect(done.attempts[1]).toMatchObject({ retriedCount: 1, statusCode: 200, error: null });
    const hit = await rx.waitFor((h) => h.headers["tosspayments-webhook-transmission-id"] === d.id);
    expect(hit.headers["tosspayments-webhook-transmission-retried-count"]).toBe("1");
    expect(hit.json).toEqual(done.payload);
  });

  it("an answer later than the timeout is a failure (timeout configurable; Toss's is 10 s)", async () => {
    const { rx, client } = await setup({ timeoutMs: 300 });
    rx.hang();
    const d = await oneDelivery(client);
    const first = await waitForDelivery(client, d.id, (x) => x.attempts.length === 1);
    expect(first.status).toBe("PENDING");
    expect(first.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/timeout/) });
    expect(first.attempts[0]!.durationMs).toBeGreaterThanOrEqual(290);
    expect(first.attempts[0]!.durationMs).toBeLessThan(3000);
    expect(secondsBetween(first.attempts[0]!.attemptedAt, first.nextAttemptAt!)).toBeGreaterThanOrEqual(60);

    rx.answer(204); // any 2xx
    await advance(client, { minutes: 1 });
    const done = await waitForDelivery(client, d.id, (x) => x.status === "DELIVERED");
    expect(done.attempts[1]).toMatchObject({ retriedCount: 1, statusCode: 204, error: null });
  });

  it("a non-2xx such as a redirect is a failure (not followed)", async () => {
    const { rx, client } = await setup();
    rx.answer(302);
    const d = await oneDelivery(client);
    const first = await waitForDelivery(client, d.id, (x) => x.attempts.length === 1);
    expect(first.attempts[0]).toMatchObject({ statusCode: 302, error: "HTTP 302" });
    expect(first.status).toBe("PENDING");
  });
});

describe("resend", () => {
  it("a failed resend of a PENDING delivery keeps its schedule; a successful one delivers it and ends the retries", async () => {
    const { rx, client } = await setup();
    rx.answer(503);
    const d = await oneDelivery(client);
    const first = await waitForDelivery(client, d.id, (x) => x.attempts.length === 1);

    const failed = await resend(client, d.id);
    expect(failed.status).toBe("PENDING");
    expect(failed.nextAttemptAt).toBe(first.nextAttemptAt);
    expect(failed.attempts).toHaveLength(2);
    expect(failed.attempts[1]).toMatchObject({ retriedCount: 0, statusCode: 503 });

    rx.answer(200);
    const ok = await resend(client, d.id);
    expect(ok).toMatchObject({ status: "DELIVERED", nextAttemptAt: null });
    await advance(client, { hours: 2 });
    await sleep(300);
    expect(rx.hits.filter((h) => h.headers["tosspayments-webhook-transmission-id"] === d.id)).toHaveLength(3);

    // Resending a DELIVERED one sends it once more and it stays DELIVERED.
    const more = await resend(client, d.id);
    expect(more.status).toBe("DELIVERED");
    expect(more.attempts).toHaveLength(4);
  });

  it("a removed endpoint's waiting retries are dropped (FAILED); its log stays", async () => {
    const { rx, client, endpoint } = await setup();
    rx.answer(500);
    const d = await oneDelivery(client);
    await waitForDelivery(client, d.id, (x) => x.attempts.length === 1);
    const { response } = await client.DELETE("/sandbox/webhooks/{webhookId}", { params: { path: { webhookId: endpoint.id } } });
    expect(response.status).toBe(200);
    const dropped = await waitForDelivery(client, d.id, () => true);
    expect(dropped).toMatchObject({ status: "FAILED", nextAttemptAt: null });
    expect(dropped.attempts).toHaveLength(1);
    rx.answer(200);
    await advance(client, { minutes: 5 });
    await sleep(300);
    expect(rx.hits.filter((h) => h.headers["tosspayments-webhook-transmission-id"] === d.id)).toHaveLength(1);
  });
});

describe("concurrency and shutdown", () => {
  it("never has more requests in flight than the cap", async () => {
    // The timeout is long enough that a busy machine cannot let a slot free up during the check.
    const { rx, client } = await setup({ concurrency: 2, timeoutMs: 2500 });
    rx.hang();
    for (let i = 0; i < 5; i++) await oneDelivery(client);
    await rx.waitForCount(() => true, 2);
    await sleep(200);
    expect(rx.hits).toHaveLength(2); // two hanging, three waiting for a slot
    rx.answer(200);
    // The hanging two time out; the other three then go out and are delivered.
    await rx.waitForCount(() => true, 5, 15_000);
    const log = await listDeliveries(client);
    expect(log).toHaveLength(5);
    await Promise.all(log.map((d) => waitForDelivery(client, d.id, (x) => x.attempts.length >= 1)));
    const after = await listDeliveries(client);
    expect(after.filter((d) => d.status === "DELIVERED")).toHaveLength(3);
    expect(after.filter((d) => d.status === "PENDING" && d.attempts[0]!.error!.startsWith("timeout"))).toHaveLength(2);
  });

  it("delivery never blocks the API call that caused it", async () => {
    const { rx, client } = await setup({ timeoutMs: 5000 });
    rx.hang();
    const started = Date.now();
    for (let i = 0; i < 3; i++) await oneDelivery(client);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("close does not wait for a hanging receiver", async () => {
    const server = await startWebhookServer(); // Toss's 10 s timeout
    const rx = await startHookReceiver();
    closers.push(() => rx.close());
    const t = await newTenant(server);
    await registerHook(t.client, rx.url("/hook"));
    rx.hang();
    await oneDelivery(t.client);
    await rx.waitFor(() => true);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
