// The webhook module's pure parts and its store methods, without HTTP: the retry arithmetic,
// which payment changes make which events, the destination policy, config, and the log's purge.
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../src/config.js";
import type { Payment } from "../../src/domain/model.js";
import { openSqliteStore, WEBHOOK_LOG_KEEP } from "../../src/store/sqlite.js";
import { checkWebhookUrl, forbiddenReason } from "../../src/webhooks/destinations.js";
import { billingDeletedEvent, formatLegacyKst, paymentWebhookEvents } from "../../src/webhooks/events.js";
import { newDeliveryId, newWebhookId } from "../../src/webhooks/ids.js";
import { applyAttempt, RETRY_SCHEDULE_MINUTES, type WebhookDeliveryRecord } from "../../src/webhooks/model.js";
import { pinnedLookup } from "../../src/webhooks/sender.js";
import { TossError } from "../../src/domain/errors.js";

/** 2026-04-21T10:14:00+09:00 */
const T0 = Date.UTC(2026, 3, 21, 1, 14, 0);
const MIN = 60_000;

const delivery = (over: Partial<WebhookDeliveryRecord> = {}): WebhookDeliveryRecord => ({
  id: "whtrans_x",
  webhookId: "wh_x",
  url: "http://127.0.0.1:1/hook",
  eventType: "PAYMENT_STATUS_CHANGED",
  payload: "{}",
  status: "PENDING",
  attempts: [],
  nextAttemptAt: T0,
  retries: 0,
  createdAt: T0,
  ...over,
});
const fail = { ok: false, refused: false };
const ok = { ok: true, refused: false };
const attempt = (at: number, retriedCount: number, statusCode: number | null = 500) => ({ attemptedAt: at, retriedCount, statusCode, error: statusCode === 200 ? null : "HTTP 500", durationMs: 3 });

describe("applyAttempt", () => {
  it("schedules 1, 4, 16, 64, 256, 1024, 4096 minutes after each failed attempt, then FAILED", () => {
    let d = delivery();
    let at = T0;
    const gaps: number[] = [];
    for (let i = 0; i <= 7; i++) {
      d = applyAttempt(d, attempt(at, d.retries), fail, "scheduled");
      if (d.nextAttemptAt !== null) {
        gaps.push((d.nextAttemptAt - at) / MIN);
        at = d.nextAttemptAt;
      }
    }
    expect(gaps).toEqual([...RETRY_SCHEDULE_MINUTES]);
    expect(gaps.reduce((a, b) => a + b, 0)).toBe(5461); // ≈ 3 days 19 h
    expect(d).toMatchObject({ status: "FAILED", nextAttemptAt: null });
    expect(d.attempts.map((a) => a.retriedCount)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("a success delivers; a refusal ends retries; a failed resend changes neither status nor schedule", () => {
    expect(applyAttempt(delivery(), attempt(T0, 0, 200), ok, "scheduled")).toMatchObject({ status: "DELIVERED", nextAttemptAt: null });
    expect(applyAttempt(delivery(), attempt(T0, 0, null), { ok: false, refused: true }, "scheduled")).toMatchObject({ status: "REFUSED", nextAttemptAt: null });
    const pending = delivery({ nextAttemptAt: T0 + 4 * MIN, retries: 2 });
    expect(applyAttempt(pending, attempt(T0, 1), fail, "resend")).toMatchObject({ status: "PENDING", nextAttemptAt: T0 + 4 * MIN, retries: 2 });
    const failed = delivery({ status: "FAILED", nextAttemptAt: null, retries: 8 });
    expect(applyAttempt(failed, attempt(T0, 7), fail, "resend")).toMatchObject({ status: "FAILED", nextAttemptAt: null });
    expect(applyAttempt(failed, attempt(T0, 7, 200), ok, "resend")).toMatchObject({ status: "DELIVERED" });
    // A scheduled attempt that lands after its endpoint was removed (FAILED) schedules nothing.
    expect(applyAttempt(failed, attempt(T0, 3), fail, "scheduled")).toMatchObject({ status: "FAILED", nextAttemptAt: null });
  });

  it("keeps at most the last 100 attempts", () => {
    let d = delivery({ status: "FAILED", nextAttemptAt: null });
    for (let i = 0; i < 120; i++) d = applyAttempt(d, attempt(T0 + i, 7), fail, "resend");
    expect(d.attempts).toHaveLength(100);
    expect(d.attempts[0]!.attemptedAt).toBe(T0 + 20);
  });
});

describe("ids and times", () => {
  it("look like Toss's", () => {
    expect(newDeliveryId()).toMatch(/^whtrans_[a-z0-9]{26}$/);
    expect(newWebhookId()).toMatch(/^wh_[a-z0-9]{16}$/);
    expect(new Set(Array.from({ length: 1000 }, newDeliveryId)).size).toBe(1000);
    expect(formatLegacyKst(T0)).toBe("2026-04-21T10:14:00.000000");
    expect(formatLegacyKst(T0 + 123)).toBe("2026-04-21T10:14:00.123000");
    expect(formatLegacyKst(Date.UTC(2026, 11, 31, 15, 0, 0, 999))).toBe("2027-01-01T00:00:00.999000");
  });
});

function payment(over: Partial<Payment> = {}): Payment {
  return {
    version: "2022-11-16", paymentKey: "pay_x", type: "NORMAL", orderId: "order-x", orderName: "x", mId: "tfaketoss", currency: "KRW",
    method: "CARD", totalAmount: 1000, balanceAmount: 1000, status: "DONE", requestedAt: "2026-04-21T10:14:00+09:00", approvedAt: null,
    useEscrow: false, lastTransactionKey: "TX1", suppliedAmount: 909, vat: 91, cultureExpense: false, taxFreeAmount: 0, taxExemptionAmount: 0,
    cancels: null, isPartialCancelable: true, card: null, virtualAccount: null, secret: "ps_secret", mobilePhone: null, giftCertificate: null,
    transfer: null, metadata: null, receipt: null, checkout: null, easyPay: null, country: "KR", failure: null, cashReceipt: null,
    cashReceipts: null, discount: null, ...over,
  };
}
const va = { accountType: "NORMAL" as const, accountNumber: "X1", bankCode: "88", customerName: "홍", depositorName: null, dueDate: "2026-04-28T10:14:00+09:00", refundStatus: "NONE" as const, expired: false, settlementStatus: "INCOMPLETED" as const, refundReceiveAccount: null };
const cancel = { cancelAmount: 100, cancelReason: "x", taxFreeAmount: 0, taxExemptionAmount: 0, refundableAmount: 900, cardDiscountAmount: 0, transferDiscountAmount: 0, easyPayDiscountAmount: 0, canceledAt: "2026-04-21T10:14:00+09:00", transactionKey: "TX2", receiptKey: null, cancelStatus: "DONE" as const, cancelRequestId: null };

describe("paymentWebhookEvents", () => {
  const events = (before: Payment | undefined, after: Payment) => paymentWebhookEvents(before, after, T0, "seed").map((e) => e.eventType);

  it("reports DONE, CANCELED, PARTIAL_CANCELED (every cancel), ABORTED, EXPIRED and WAITING_FOR_DEPOSIT", () => {
    expect(events(payment({ status: "IN_PROGRESS" }), payment({ status: "DONE" }))).toEqual(["PAYMENT_STATUS_CHANGED"]);
    expect(events(undefined, payment({ status: "DONE" }))).toEqual(["PAYMENT_STATUS_CHANGED"]); // key-in
    expect(events(payment(), payment({ status: "CANCELED", cancels: [cancel] }))).toEqual(["PAYMENT_STATUS_CHANGED"]);
    const partial = payment({ status: "PARTIAL_CANCELED", cancels: [cancel] });
    expect(events(payment(), partial)).toEqual(["PAYMENT_STATUS_CHANGED"]);
    expect(events(partial, payment({ status: "PARTIAL_CANCELED", cancels: [cancel, cancel] }))).toEqual(["PAYMENT_STATUS_CHANGED"]);
    expect(events(payment({ status: "READY" }), payment({ status: "ABORTED" }))).toEqual(["PAYMENT_STATUS_CHANGED"]);
    expect(events(payment({ status: "IN_PROGRESS" }), payment({ status: "EXPIRED" }))).toEqual(["PAYMENT_STATUS_CHANGED"]);
  });

  it("stays silent for READY / IN_PROGRESS, billing charges, and a virtual account's due date passing", () => {
    expect(events(undefined, payment({ status: "READY" }))).toEqual([]);
    expect(events(payment({ status: "READY" }), payment({ status: "IN_PROGRESS" }))).toEqual([]);
    expect(events(undefined, payment({ type: "BILLING", status: "DONE" }))).toEqual([]);
    expect(events(payment({ type: "BILLING" }), payment({ type: "BILLING", status: "CANCELED", cancels: [cancel] }))).toEqual(["PAYMENT_STATUS_CHANGED"]);
    const waiting = payment({ method: "VIRTUAL_ACCOUNT", status: "WAITING_FOR_DEPOSIT", virtualAccount: va });
    expect(events(waiting, { ...waiting, virtualAccount: { ...va, expired: true } })).toEqual([]);
  });

  it("adds DEPOSIT_CALLBACK on a deposit and a deposit cancel, flat, with the payment's secret", () => {
    const waiting = payment({ method: "VIRTUAL_ACCOUNT", status: "WAITING_FOR_DEPOSIT", virtualAccount: va });
    const done = { ...waiting, status: "DONE" as const, lastTransactionKey: "TX9" };
    expect(events(undefined, waiting)).toEqual(["PAYMENT_STATUS_CHANGED"]); // issued: no callback
    const out = paymentWebhookEvents(waiting, done, T0, "seed");
    expect(out.map((e) => e.eventType)).toEqual(["PAYMENT_STATUS_CHANGED", "DEPOSIT_CALLBACK"]);
    expect(JSON.parse(out[1]!.payload)).toEqual({ createdAt: "2026-04-21T10:14:00.000000", secret: "ps_secret", status: "DONE", transactionKey: "TX9", orderId: "order-x" });
    expect(events(done, { ...waiting, lastTransactionKey: "TX10" })).toEqual(["PAYMENT_STATUS_CHANGED", "DEPOSIT_CALLBACK"]);
    // A refund of a deposited account is a cancel, not a deposit event.
    expect(events(done, { ...done, status: "CANCELED", cancels: [cancel] })).toEqual(["PAYMENT_STATUS_CHANGED"]);
  });

  it("BILLING_DELETED carries the key and Toss's reason", () => {
    const e = billingDeletedEvent({ billingKey: "bill_1" } as never, T0);
    expect(JSON.parse(e.payload)).toEqual({ eventType: "BILLING_DELETED", createdAt: "2026-04-21T10:14:00.000000", data: { billingKey: "bill_1", reason: "삭제 API 요청" } });
  });
});

describe("destinations", () => {
  it("classifies addresses", () => {
    const table: Record<string, string | null> = {
      "127.0.0.1": "loopback", "127.8.9.10": "loopback", "::1": "loopback", "::ffff:127.0.0.1": "loopback", "64:ff9b::7f00:1": "loopback",
      "10.0.0.1": "private", "172.31.255.255": "private", "192.168.0.1": "private", "::ffff:10.0.0.1": "private", "fd12::1": "private (unique local)",
      "169.254.169.254": "link-local", "fe80::1": "link-local",
      "0.0.0.0": "unspecified", "::": "unspecified",
      "100.64.0.1": "shared (CGNAT)", "224.0.0.1": "multicast", "ff02::1": "multicast", "255.255.255.255": "reserved",
      "8.8.8.8": null, "1.1.1.1": null, "172.32.0.1": null, "2001:4860:4860::8888": null, "64:ff9b::808:808": null,
    };
    for (const [address, reason] of Object.entries(table)) expect(forbiddenReason(address), address).toBe(reason);
  });

  it("checks registrations: http(s) only; under `public` no literal private host", () => {
    const code = (url: unknown, policy: "any" | "public") => {
      try {
        checkWebhookUrl(url, policy);
        return "ok";
      } catch (err) {
        return (err as TossError).code;
      }
    };
    for (const url of ["http://localhost:3000/hook", "http://127.0.0.1:1/", "https://[::1]/", "https://shop.example/hook"]) expect(code(url, "any"), url).toBe("ok");
    for (const url of ["ftp://x/", "ws://x/", "mailto:a@b", "/relative", "", 42, "http://x/" + "a".repeat(2000)]) expect(code(url, "any"), String(url)).toBe("INVALID_URL");
    for (const url of ["http://localhost/", "http://127.1/", "http://[::1]/", "http://10.0.0.1/", "http://192.168.0.1/", "http://[::]/"]) expect(code(url, "public"), url).toBe("INVALID_URL");
    expect(code("https://shop.example/hook", "public")).toBe("ok");
  });

  it("pins the connection to the checked addresses", async () => {
    const lookup = pinnedLookup([{ address: "127.0.0.1", family: 4 }, { address: "::1", family: 6 }]) as unknown as (h: string, o: object, cb: (...a: unknown[]) => void) => void;
    const call = (o: object) => new Promise<unknown[]>((resolve) => lookup("anything", o, (...args) => resolve(args)));
    expect(await call({})).toEqual([null, "127.0.0.1", 4]);
    expect(await call({ family: 6 })).toEqual([null, "::1", 6]);
    expect(await call({ all: true })).toEqual([null, [{ address: "127.0.0.1", family: 4 }, { address: "::1", family: 6 }]]);
  });
});

describe("config", () => {
  it("FAKETOSS_WEBHOOK_DESTINATIONS / --webhook-destinations: any (default) or public", () => {
    expect(readConfig([], {}).webhookDestinations).toBe("any");
    expect(readConfig([], { FAKETOSS_WEBHOOK_DESTINATIONS: "public" }).webhookDestinations).toBe("public");
    expect(readConfig(["--webhook-destinations", "public"], {}).webhookDestinations).toBe("public");
    expect(readConfig(["--webhook-destinations=any"], { FAKETOSS_WEBHOOK_DESTINATIONS: "public" }).webhookDestinations).toBe("any");
    expect(() => readConfig([], { FAKETOSS_WEBHOOK_DESTINATIONS: "private" })).toThrow(ConfigError);
  });
});

describe("store", () => {
  it("enqueues one delivery per subscribed endpoint, scoped by tenant", async () => {
    const store = openSqliteStore(":memory:");
    await store.insertWebhookEndpoint("tn_a", { id: "wh_1", url: "http://127.0.0.1:1/a", events: ["PAYMENT_STATUS_CHANGED", "BILLING_DELETED"], createdAt: T0 });
    await store.insertWebhookEndpoint("tn_a", { id: "wh_2", url: "http://127.0.0.1:1/b", events: ["DEPOSIT_CALLBACK"], createdAt: T0 });
    await store.insertWebhookEndpoint("tn_b", { id: "wh_3", url: "http://127.0.0.1:1/c", events: ["PAYMENT_STATUS_CHANGED"], createdAt: T0 });
    const build = (e: { id: string; url: string }) => delivery({ id: newDeliveryId(), webhookId: e.id, url: e.url });
    expect((await store.enqueueWebhookDeliveries("tn_a", "PAYMENT_STATUS_CHANGED", build)).map((d) => d.webhookId)).toEqual(["wh_1"]);
    expect((await store.enqueueWebhookDeliveries("tn_a", "DEPOSIT_CALLBACK", build)).map((d) => d.webhookId)).toEqual(["wh_2"]);
    expect(await store.enqueueWebhookDeliveries("tn_c", "DEPOSIT_CALLBACK", build)).toEqual([]);
    expect(await store.listWebhookSchedules()).toEqual([{ tenantId: "tn_a", nextAttemptAt: T0 }]);
    expect(await store.listDueWebhookDeliveries("tn_a", T0 - 1, 10)).toEqual([]);
    expect(await store.listDueWebhookDeliveries("tn_a", T0, 10)).toHaveLength(2);
    expect(await store.listDueWebhookDeliveries("tn_b", T0, 10)).toEqual([]);
    await store.resetTenant("tn_a");
    expect(await store.listWebhookEndpoints("tn_a")).toEqual([]);
    expect(await store.listWebhookDeliveries("tn_a", { limit: 100 })).toEqual([]);
    expect(await store.listWebhookEndpoints("tn_b")).toHaveLength(1);
    await store.close();
  });

  it(`keeps the newest ${WEBHOOK_LOG_KEEP} finished deliveries per tenant, never a pending one`, async () => {
    const store = openSqliteStore(":memory:");
    await store.insertWebhookEndpoint("tn_a", { id: "wh_1", url: "http://127.0.0.1:1/a", events: ["BILLING_DELETED"], createdAt: T0 });
    const first = (await store.enqueueWebhookDeliveries("tn_a", "BILLING_DELETED", (e) => delivery({ id: "whtrans_first", webhookId: e.id })))[0]!;
    const total = WEBHOOK_LOG_KEEP + 600;
    for (let i = 1; i < total; i++) {
      await store.enqueueWebhookDeliveries("tn_a", "BILLING_DELETED", (e) => delivery({ id: `whtrans_${i}`, webhookId: e.id, status: "DELIVERED", nextAttemptAt: null }));
    }
    const kept = await store.listWebhookDeliveries("tn_a", { limit: 100_000 });
    expect(kept.length).toBeLessThanOrEqual(WEBHOOK_LOG_KEEP + 500);
    expect(kept.length).toBeGreaterThanOrEqual(WEBHOOK_LOG_KEEP);
    expect(kept[0]!.id).toBe(`whtrans_${total - 1}`);
    expect(await store.getWebhookDelivery("tn_a", first.id)).toBeDefined(); // pending: kept
    expect(await store.getWebhookDelivery("tn_a", "whtrans_1")).toBeUndefined();
    await store.close();
  });
});
