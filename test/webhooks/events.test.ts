// Every event reaches a real receiver with Toss's headers and a body that matches the spec's
// `webhooks:` section; the "done means" scenario of issue 5; no webhook for billing charges;
// per-endpoint event filters; tenant isolation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeTossClient, Payment } from "../../generated/client.js";
import { newOrderId, approvedCard } from "../helpers/payments.js";
import { getPayment, newTenant, type FreshTenant } from "../helpers/sandbox.js";
import type { TestServer } from "../helpers/server.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import {
  EVENT_SCHEMA,
  expectMatchesSchema,
  listDeliveries,
  registerHook,
  startHookReceiver,
  startWebhookServer,
  waitForDelivery,
  webhookSectionSchema,
  type EventType,
  type Hit,
  type HookReceiver,
} from "./helpers.js";

let server: TestServer;
let rx: HookReceiver;
beforeAll(async () => {
  server = await startWebhookServer();
  rx = await startHookReceiver();
});
afterAll(async () => {
  await server.close();
  await rx.close();
});

const TRANSMISSION_ID = /^whtrans_[a-z0-9]{26}$/;
const LEGACY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}000$/;
const KST_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/;

/** A fresh tenant with one endpoint at a path of its own on the shared receiver. */
async function tenantWithHook(events?: EventType[]): Promise<FreshTenant & { path: string; webhookId: string }> {
  const t = await newTenant(server);
  const path = `/hook/${t.secretKey.slice(-8)}`;
  const ep = await registerHook(t.client, rx.url(path), events);
  return { ...t, path, webhookId: ep.id };
}

const hitsAt = (path: string): Hit[] => rx.hits.filter((h) => h.path === path);
const eventOf = (h: Hit): EventType => (h.json?.eventType ?? "DEPOSIT_CALLBACK") as EventType;

/** Asserts Toss's delivery headers and the spec's payload schema; resolves the parsed body. */
function expectTossDelivery(hit: Hit, event: EventType, retried = 0): any {
  expect(hit.method).toBe("POST");
  expect(hit.headers["content-type"]).toBe("application/json");
  expect(hit.headers["user-agent"]).toMatch(/FakeToss/);
  expect(hit.headers["tosspayments-webhook-transmission-id"]).toMatch(TRANSMISSION_ID);
  expect(hit.headers["tosspayments-webhook-transmission-time"]).toMatch(KST_SECONDS);
  expect(hit.headers["tosspayments-webhook-transmission-retried-count"]).toBe(String(retried));
  expect(webhookSectionSchema(event)).toBe(EVENT_SCHEMA[event]);
  expectMatchesSchema(EVENT_SCHEMA[event], hit.json);
  expect(hit.json.createdAt).toMatch(LEGACY);
  return hit.json;
}

async function issueVa(client: FakeTossClient, amount = 30000): Promise<Payment> {
  const { data, error } = await client.POST("/v1/virtual-accounts", {
    body: { orderId: newOrderId("whva"), orderName: "웹훅 가상계좌", amount, customerName: "홍길동" },
  });
  expect(error, JSON.stringify(error)).toBeUndefined();
  return data!;
}

describe("done means: register a localhost URL, pay by virtual account, deposit, receive both webhooks", () => {
  it("delivers DEPOSIT_CALLBACK and PAYMENT_STATUS_CHANGED whose secret matches the payment's", async () => {
    const t = await newTenant(server);
    const ep = await registerHook(t.client, rx.url("/hook/done-means"));
    expect(ep).toMatchObject({ url: rx.url("/hook/done-means"), events: ["PAYMENT_STATUS_CHANGED", "DEPOSIT_CALLBACK", "BILLING_DELETED"] });
    expect(ep.id).toMatch(/^wh_[a-z0-9]{16}$/);

    const va = await issueVa(t.client);
    expect(va.secret).toMatch(/^ps_/);
    const issued = await rx.waitFor((h) => h.path === "/hook/done-means" && h.json?.data?.status === "WAITING_FOR_DEPOSIT");
    expect(expectTossDelivery(issued, "PAYMENT_STATUS_CHANGED").data).toEqual(va);

    const { data: paid, error } = await t.client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va.paymentKey } } });
    expect(error).toBeUndefined();
    const callback = await rx.waitFor((h) => h.path === "/hook/done-means" && h.json?.eventType === undefined);
    const body = expectTossDelivery(callback, "DEPOSIT_CALLBACK");
    expect(body).toEqual({
      createdAt: expect.stringMatching(LEGACY),
      secret: va.secret,
      status: "DONE",
      transactionKey: paid!.lastTransactionKey,
      orderId: va.orderId,
    });
    const changed = await rx.waitFor((h) => h.path === "/hook/done-means" && h.json?.data?.status === "DONE");
    const changedBody = expectTossDelivery(changed, "PAYMENT_STATUS_CHANGED");
    expect(changedBody.data.secret).toBe(va.secret);
    expect(changedBody.data).toEqual(paid);
    expect(changedBody.data).toEqual(await getPayment(t.client, va.paymentKey));

    // The log shows both, newest first, delivered on the first attempt, payload = bytes sent.
    const log = await listDeliveries(t.client);
    expect(log.map((d) => d.eventType)).toEqual(["DEPOSIT_CALLBACK", "PAYMENT_STATUS_CHANGED", "PAYMENT_STATUS_CHANGED"]);
    for (const d of log) {
      const delivered = await waitForDelivery(t.client, d.id, (x) => x.status === "DELIVERED");
      expect(delivered).toMatchObject({ webhookId: ep.id, url: ep.url, nextAttemptAt: null });
      expect(delivered.attempts).toEqual([{ attemptedAt: expect.stringMatching(KST_SECONDS), retriedCount: 0, statusCode: 200, error: null, durationMs: expect.any(Number) }]);
      const hit = rx.hits.find((h) => h.headers["tosspayments-webhook-transmission-id"] === d.id)!;
      expect(hit.json).toEqual(d.payload);
      expect(hit.headers["tosspayments-webhook-transmission-time"]).toBe(delivered.attempts[0]!.attemptedAt);
    }
  });
});

describe("localhost", () => {
  it("a receiver registered as http://localhost:PORT/hook (listening on 127.0.0.1) gets its webhook", async () => {
    const t = await newTenant(server);
    await registerHook(t.client, `http://localhost:${rx.port}/hook/localhost`);
    const va = await issueVa(t.client);
    const hit = await rx.waitFor((h) => h.path === "/hook/localhost");
    expect(expectTossDelivery(hit, "PAYMENT_STATUS_CHANGED").data).toEqual(va);
  });
});

describe("events and payloads", () => {
  it("a virtual account: issue, deposit, deposit cancel, deposit, refund (partial, then the rest)", async () => {
    const t = await tenantWithHook();
    const va = await issueVa(t.client, 30000);
    await t.client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va.paymentKey } } });
    const { data: back } = await t.client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit-cancel", { params: { path: { paymentKey: va.paymentKey } } });
    expect(back!.status).toBe("WAITING_FOR_DEPOSIT");
    await t.client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va.paymentKey } } });
    const refund = { bank: "88", accountNumber: "110123456789", holderName: "홍길동" };
    const part = await t.client.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: va.paymentKey } }, body: { cancelReason: "부분", cancelAmount: 10000, refundReceiveAccount: refund } });
    expect(part.error).toBeUndefined();
    const rest = await t.client.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: va.paymentKey } }, body: { cancelReason: "나머지", refundReceiveAccount: refund } });
    // Toss: once partially canceled, a payment stays PARTIAL_CANCELED down to 0; each cancel is reported.
    expect(rest.data).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 0 });

    const hits = await rx.waitForCount((h) => h.path === t.path, 9);
    const seen = hits.map((h) => (eventOf(h) === "DEPOSIT_CALLBACK" ? `DEPOSIT_CALLBACK:${h.json.status}` : `PSC:${h.json.data.status}`));
    expect(seen.sort()).toEqual(
      [
        "PSC:WAITING_FOR_DEPOSIT", // issued
        "PSC:DONE", "DEPOSIT_CALLBACK:DONE", // deposit
        "PSC:WAITING_FOR_DEPOSIT", "DEPOSIT_CALLBACK:WAITING_FOR_DEPOSIT", // deposit cancel
        "PSC:DONE", "DEPOSIT_CALLBACK:DONE", // deposit again
        "PSC:PARTIAL_CANCELED", "PSC:PARTIAL_CANCELED", // two refunds
      ].sort(),
    );
    for (const h of hits) expectTossDelivery(h, eventOf(h));
    // The deposit cancel's callback carries the reversal's transaction key.
    const cancelCb = hits.find((h) => eventOf(h) === "DEPOSIT_CALLBACK" && h.json.status === "WAITING_FOR_DEPOSIT")!;
    expect(cancelCb.json.transactionKey).toBe(back!.lastTransactionKey);
    const lastRefund = hits.find((h) => h.json?.data?.cancels?.length === 2)!;
    expect(lastRefund.json.data).toEqual(rest.data);
  });

  it("a card payment: DONE on confirm, PARTIAL_CANCELED on every cancel after a partial one; CANCELED on a full cancel", async () => {
    const t = await tenantWithHook();
    const paid = await approvedCard(server, { secretKey: t.secretKey, amount: 20000 });
    const cancel = (cancelAmount?: number) =>
      t.client.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: paid.paymentKey } }, body: { cancelReason: "테스트", ...(cancelAmount ? { cancelAmount } : {}) } });
    await cancel(5000);
    await cancel(5000);
    const last = await cancel();
    expect(last.data).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 0 });
    const hits = await rx.waitForCount((h) => h.path === t.path, 4);
    const byTx = hits.map((h) => expectTossDelivery(h, "PAYMENT_STATUS_CHANGED").data as Payment);
    byTx.sort((a, b) => (a.cancels?.length ?? 0) - (b.cancels?.length ?? 0));
    expect(byTx.map((p) => [p.status, p.cancels?.length ?? 0])).toEqual([["DONE", 0], ["PARTIAL_CANCELED", 1], ["PARTIAL_CANCELED", 2], ["PARTIAL_CANCELED", 3]]);
    expect(byTx[0]).toEqual(paid);
    expect(byTx[3]).toEqual(last.data);

    // A full cancel of a fresh payment → CANCELED.
    const other = await approvedCard(server, { secretKey: t.secretKey, amount: 3000 });
    const { data: full } = await t.client.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: other.paymentKey } }, body: { cancelReason: "전액" } });
    expect(full!.status).toBe("CANCELED");
    const canceled = await rx.waitFor((h) => h.path === t.path && h.json?.data?.status === "CANCELED");
    expect(expectTossDelivery(canceled, "PAYMENT_STATUS_CHANGED").data).toEqual(full);
  });

  it("ABORTED (window failure) and EXPIRED (deadline), but nothing for READY / IN_PROGRESS", async () => {
    const t = await tenantWithHook();
    const make = async () => {
      const { data } = await t.client.POST("/v1/payments", {
        body: { method: "CARD", amount: 1000, orderId: newOrderId("whwin"), orderName: "창", successUrl: "https://shop.example/s", failUrl: "https://shop.example/f" },
      });
      return data!;
    };
    const a = await make();
    await t.client.POST("/sandbox/payments/{paymentKey}/authenticate", { params: { path: { paymentKey: a.paymentKey } } });
    await t.client.POST("/sandbox/payments/{paymentKey}/fail", { params: { path: { paymentKey: a.paymentKey } }, body: {} });
    const b = await make();
    const { data: expired } = await t.client.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: b.paymentKey } } });
    expect(expired!.status).toBe("EXPIRED");

    const hits = await rx.waitForCount((h) => h.path === t.path, 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(hitsAt(t.path)).toHaveLength(2);
    const statuses = hits.map((h) => expectTossDelivery(h, "PAYMENT_STATUS_CHANGED").data.status).sort();
    expect(statuses).toEqual(["ABORTED", "EXPIRED"]);
    expect(hits.find((h) => h.json.data.status === "ABORTED")!.json.data.failure).toMatchObject({ code: "PAY_PROCESS_ABORTED" });
  });

  it("EXPIRED found by the sweeper when the tenant's clock moves past the window's deadline", async () => {
    const t = await tenantWithHook();
    const { data: ready } = await t.client.POST("/v1/payments", {
      body: { method: "CARD", amount: 1000, orderId: newOrderId("whexp"), orderName: "만료", successUrl: "https://shop.example/s", failUrl: "https://shop.example/f" },
    });
    await t.client.POST("/sandbox/clock/advance", { body: { hours: 1 } });
    const hit = await rx.waitFor((h) => h.path === t.path);
    const body = expectTossDelivery(hit, "PAYMENT_STATUS_CHANGED");
    expect(body.data).toMatchObject({ paymentKey: ready!.paymentKey, status: "EXPIRED" });
    expect(body.data).toEqual(await getPayment(t.client, ready!.paymentKey));
  });

  it("no PAYMENT_STATUS_CHANGED when only a virtual account's due date passes (expired flips, status stays)", async () => {
    const t = await tenantWithHook();
    const va = await issueVa(t.client);
    await rx.waitFor((h) => h.path === t.path);
    const { data } = await t.client.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: va.paymentKey } } });
    expect(data!.virtualAccount!.expired).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(hitsAt(t.path)).toHaveLength(1);
  });

  it("BILLING_DELETED on deleting a billing key, and no webhook for the billing charge itself", async () => {
    const t = await tenantWithHook();
    const customerKey = "cust-webhook-1";
    const { data: billing, error } = await t.client.POST("/v1/billing/authorizations/card", {
      body: { customerKey, cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" },
    });
    expect(error, JSON.stringify(error)).toBeUndefined();
    const { data: charged } = await t.client.POST("/v1/billing/{billingKey}", {
      params: { path: { billingKey: billing!.billingKey } },
      body: { customerKey, orderId: newOrderId("whbill"), orderName: "정기결제", amount: 9900 },
    });
    expect(charged!.status).toBe("DONE");
    expect(charged!.type).toBe("BILLING");
    const del = await t.client.DELETE("/v1/billing/{billingKey}", { params: { path: { billingKey: billing!.billingKey } } });
    expect(del.response.status).toBe(200);

    const hit = await rx.waitFor((h) => h.path === t.path);
    expect(expectTossDelivery(hit, "BILLING_DELETED")).toEqual({
      eventType: "BILLING_DELETED",
      createdAt: expect.stringMatching(LEGACY),
      data: { billingKey: billing!.billingKey, reason: "삭제 API 요청" },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(hitsAt(t.path)).toHaveLength(1); // nothing for the charge
    expect((await listDeliveries(t.client)).map((d) => d.eventType)).toEqual(["BILLING_DELETED"]);

    // A later cancel of the billing payment is a cancel, not an approval: reported.
    const { data: canceled } = await t.client.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: charged!.paymentKey } }, body: { cancelReason: "해지" } });
    const cancelHit = await rx.waitFor((h) => h.path === t.path && h.json?.data?.status === "CANCELED");
    expect(expectTossDelivery(cancelHit, "PAYMENT_STATUS_CHANGED").data).toEqual(canceled);
  });

  it("key-in (approved at once) is reported as DONE", async () => {
    const t = await tenantWithHook();
    const { data, error } = await t.client.POST("/v1/payments/key-in", {
      body: { amount: 5000, orderId: newOrderId("whkeyin"), orderName: "키인", cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" },
    });
    expect(error, JSON.stringify(error)).toBeUndefined();
    const hit = await rx.waitFor((h) => h.path === t.path);
    expect(expectTossDelivery(hit, "PAYMENT_STATUS_CHANGED").data).toEqual(data);
  });

  it("`data` uses the tenant's labels (real Toss's Korean ones when the tenant asks)", async () => {
    const t = await tenantWithHook();
    await t.client.PATCH("/sandbox/settings", { body: { labels: "toss" } });
    const va = await issueVa(t.client);
    expect(va.method).toBe("가상계좌");
    const hit = await rx.waitFor((h) => h.path === t.path);
    const body = expectTossDelivery(hit, "PAYMENT_STATUS_CHANGED");
    expect(body.data).toEqual(va);
    expect(body.data.method).toBe("가상계좌");
    expect(body.data.virtualAccount.accountType).toBe("일반");
  });
});

describe("endpoints", () => {
  it("each endpoint gets its own delivery of the events it subscribed to", async () => {
    const t = await newTenant(server);
    const all = await registerHook(t.client, rx.url("/filter/all"));
    const deposits = await registerHook(t.client, rx.url("/filter/deposits"), ["DEPOSIT_CALLBACK"]);
    const billing = await registerHook(t.client, rx.url("/filter/billing"), ["BILLING_DELETED"]);
    expect(deposits.events).toEqual(["DEPOSIT_CALLBACK"]);

    const { data: list } = await t.client.GET("/sandbox/webhooks");
    expectMatchesSpec("listWebhooks", 200, list);
    expect(list).toEqual([all, deposits, billing]);

    const va = await issueVa(t.client);
    await t.client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va.paymentKey } } });
    await rx.waitForCount((h) => h.path === "/filter/all", 3);
    const dep = await rx.waitFor((h) => h.path === "/filter/deposits");
    expectTossDelivery(dep, "DEPOSIT_CALLBACK");
    await new Promise((r) => setTimeout(r, 300));
    expect(hitsAt("/filter/deposits")).toHaveLength(1);
    expect(hitsAt("/filter/billing")).toHaveLength(0);

    // Distinct delivery (transmission) ids per endpoint, the same payload bytes.
    const log = await listDeliveries(t.client, { eventType: "DEPOSIT_CALLBACK" });
    expect(log.map((d) => d.webhookId).sort()).toEqual([all.id, deposits.id].sort());
    expect(new Set(log.map((d) => d.id)).size).toBe(2);
    expect(log[0]!.payload).toEqual(log[1]!.payload);
    const bodies = [...hitsAt("/filter/all"), ...hitsAt("/filter/deposits")].filter((h) => eventOf(h) === "DEPOSIT_CALLBACK").map((h) => h.body);
    expect(bodies[0]).toBe(bodies[1]);
  });

  it("validates registrations: http(s) only, known events, 404 for an unknown id on remove", async () => {
    const t = await newTenant(server);
    for (const url of ["ftp://127.0.0.1/hook", "file:///etc/passwd", "javascript:alert(1)", "not a url", "http://"]) {
      const { error, response } = await t.client.POST("/sandbox/webhooks", { body: { url } });
      expect(response.status, url).toBe(400);
      expectMatchesSpec("registerWebhook", 400, error);
      expect(error!.code, url).toBe("INVALID_URL");
    }
    const bad = await t.client.POST("/sandbox/webhooks", { body: { url: rx.url(), events: ["NOPE" as EventType] } });
    expect(bad.response.status).toBe(400);
    const dup = await t.client.POST("/sandbox/webhooks", { body: { url: rx.url(), events: ["DEPOSIT_CALLBACK", "DEPOSIT_CALLBACK"] } });
    expect(dup.response.status).toBe(400);
    // Default `any` policy: localhost is fine, as is https. (Removed at once: nothing is ever
    // sent beyond 127.0.0.1 by these tests.)
    for (const url of ["http://localhost:9/hook", "https://shop.example/hook"]) {
      const ep = await registerHook(t.client, url);
      await t.client.DELETE("/sandbox/webhooks/{webhookId}", { params: { path: { webhookId: ep.id } } });
    }

    const gone = await t.client.DELETE("/sandbox/webhooks/{webhookId}", { params: { path: { webhookId: "wh_nope" } } });
    expect(gone.response.status).toBe(404);
    expectMatchesSpec("removeWebhook", 404, gone.error);
    expect(gone.error!.code).toBe("NOT_FOUND");
    const resend = await t.client.POST("/sandbox/webhooks/deliveries/{deliveryId}/resend", { params: { path: { deliveryId: "whtrans_nope" } } });
    expect(resend.response.status).toBe(404);
    expect(resend.error!.code).toBe("NOT_FOUND");
  });

  it("removeWebhook stops deliveries to it and answers the endpoint", async () => {
    const t = await tenantWithHook();
    const va = await issueVa(t.client);
    await rx.waitFor((h) => h.path === t.path);
    const { data: removed, response } = await t.client.DELETE("/sandbox/webhooks/{webhookId}", { params: { path: { webhookId: t.webhookId } } });
    expect(response.status).toBe(200);
    expectMatchesSpec("removeWebhook", 200, removed);
    expect(removed!.id).toBe(t.webhookId);
    expect((await t.client.GET("/sandbox/webhooks")).data).toEqual([]);

    await t.client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va.paymentKey } } });
    await new Promise((r) => setTimeout(r, 300));
    expect(hitsAt(t.path)).toHaveLength(1);
    // The log keeps what was delivered before.
    expect((await listDeliveries(t.client)).map((d) => d.status)).toEqual(["DELIVERED"]);
  });

  it("isolation: tenant A's endpoint never receives tenant B's events, nor sees B's log", async () => {
    const a = await tenantWithHook();
    const b = await newTenant(server);
    await issueVa(b.client);
    await approvedCard(server, { secretKey: b.secretKey });
    const { data: deleted } = await b.client.POST("/v1/virtual-accounts", { body: { orderId: newOrderId("iso"), orderName: "B", amount: 1000, customerName: "B" } });
    expect(deleted).toBeDefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(hitsAt(a.path)).toHaveLength(0);
    expect(await listDeliveries(a.client)).toEqual([]);
    expect(await listDeliveries(b.client)).toEqual([]); // B has no endpoint: nothing queued
    // A's own event still arrives.
    await issueVa(a.client);
    await rx.waitFor((h) => h.path === a.path);
  });
});

describe("delivery log", () => {
  let t: FreshTenant & { path: string; webhookId: string };
  beforeEach(async () => {
    t = await tenantWithHook();
  });

  it("filters by eventType and status, limits (default 100, text parsed, at most 1000)", async () => {
    const va = await issueVa(t.client);
    await t.client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va.paymentKey } } });
    await rx.waitForCount((h) => h.path === t.path, 3);
    for (const d of await listDeliveries(t.client)) await waitForDelivery(t.client, d.id, (x) => x.status === "DELIVERED");

    expect((await listDeliveries(t.client, { eventType: "PAYMENT_STATUS_CHANGED" })).map((d) => d.eventType)).toEqual(["PAYMENT_STATUS_CHANGED", "PAYMENT_STATUS_CHANGED"]);
    expect(await listDeliveries(t.client, { status: "FAILED" })).toEqual([]);
    expect(await listDeliveries(t.client, { status: "DELIVERED" })).toHaveLength(3);
    const one = await listDeliveries(t.client, { limit: "1" });
    expect(one).toHaveLength(1);
    expect(one[0]!.eventType).toBe("DEPOSIT_CALLBACK"); // newest first
    expect(await listDeliveries(t.client, { limit: "9999" })).toHaveLength(3);
    const bad = await t.client.GET("/sandbox/webhooks/deliveries", { params: { query: { limit: "0" } } });
    expect(bad.response.status).toBe(400);
    const badStatus = await t.client.GET("/sandbox/webhooks/deliveries", { params: { query: { status: "NOPE" as "FAILED" } } });
    expect(badStatus.response.status).toBe(400);
  });

  it("tenant reset clears endpoints and deliveries", async () => {
    await issueVa(t.client);
    await rx.waitFor((h) => h.path === t.path);
    const { response } = await t.client.POST("/sandbox/reset", {});
    expect(response.status).toBe(200);
    expect((await t.client.GET("/sandbox/webhooks")).data).toEqual([]);
    expect(await listDeliveries(t.client)).toEqual([]);
  });
});
