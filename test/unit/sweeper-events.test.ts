// Per-tenant clocks, deadlines in the store (deadline_at), the sweeper that applies them without
// any read, and the transition events the webhooks will hear.
import { describe, expect, it, vi } from "vitest";
import { ManualClock, TenantClock } from "../../src/domain/clock.js";
import { nextDeadline } from "../../src/domain/deadlines.js";
import type { PaymentRecord, Tenant } from "../../src/domain/model.js";
import {
  AUTH_WINDOW_MS,
  buildCardPaymentSession,
  CONFIRM_WINDOW_MS,
  PaymentService,
  type PaymentEvents,
} from "../../src/domain/payments.js";
import { Sweeper } from "../../src/domain/sweeper.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import type { Store } from "../../src/store/store.js";
import { T0, makeTenant, orderId, tossError } from "./setup.js";

const HOUR = 3_600_000;
const ORIGIN = "http://127.0.0.1:4000";

interface Change {
  tenant: string;
  key: string;
  from: string | undefined;
  to: string;
  expired: boolean | undefined;
}

function world(options: { listener?: PaymentEvents } = {}) {
  const store: Store = openSqliteStore(":memory:");
  const base = new ManualClock(T0);
  const clock = new TenantClock(base);
  const changes: Change[] = [];
  const events: PaymentEvents = options.listener ?? {
    paymentChanged(tenant, before, after) {
      changes.push({
        tenant: tenant.id,
        key: after.payment.paymentKey,
        from: before?.payment.status,
        to: after.payment.status,
        expired: after.payment.virtualAccount?.expired,
      });
    },
  };
  const service = new PaymentService(store, clock, events);
  const a = makeTenant("tn_a");
  const b = makeTenant("tn_b");
  const sweeper = new Sweeper(service, store, clock, () => [a, b], { batchSize: 3 });
  return { store, base, clock, service, a, b, sweeper, changes };
}

const card = (over: Record<string, unknown> = {}) => ({
  method: "CARD" as const, amount: 1000, orderId: orderId(), orderName: "x",
  successUrl: "https://shop.example/s", failUrl: "https://shop.example/f", ...over,
});

describe("TenantClock", () => {
  it("runs each tenant at base time + its own offset, isolated from the others", () => {
    const base = new ManualClock(T0);
    const clock = new TenantClock(base);
    expect(clock.now("a")).toBe(T0);
    expect(clock.advance("a", 5000)).toBe(5000);
    clock.advance("a", 1000);
    expect(clock.now("a")).toBe(T0 + 6000);
    expect(clock.now("b")).toBe(T0);
    expect(clock.offsetOf("b")).toBe(0);
    base.advance(100);
    expect([clock.now("a"), clock.now("b")]).toEqual([T0 + 6100, T0 + 100]);
  });

  it("never moves backwards through advance; load and setOffset set offsets outright", () => {
    const clock = new TenantClock(new ManualClock(T0));
    expect(() => clock.advance("a", -1)).toThrow(RangeError);
    expect(() => clock.advance("a", Number.NaN)).toThrow(RangeError);
    expect(clock.offsetOf("a")).toBe(0);
    clock.load([{ id: "a", clockOffsetMs: 60_000 }, { id: "b", clockOffsetMs: 0 }]);
    expect(clock.now("a")).toBe(T0 + 60_000);
    clock.setOffset("a", 0);
    expect(clock.now("a")).toBe(T0);
  });

  it("defaults to the system clock", () => {
    const clock = new TenantClock();
    clock.advance("a", HOUR);
    expect(Math.abs(clock.now("a") - (Date.now() + HOUR))).toBeLessThan(1000);
  });
});

describe("nextDeadline", () => {
  it("is authDeadline for READY, confirmDeadline for IN_PROGRESS, dueDate for a live waiting account, else null", async () => {
    const w = world();
    const ready = buildCardPaymentSession(w.a, T0, { orderId: "order-nd-1", orderName: "x", amount: 1000, status: "READY" });
    expect(nextDeadline(ready)).toBe(T0 + AUTH_WINDOW_MS);
    const inProgress = buildCardPaymentSession(w.a, T0, { orderId: "order-nd-2", orderName: "x", amount: 1000 });
    expect(nextDeadline(inProgress)).toBe(T0 + CONFIRM_WINDOW_MS);
    expect(nextDeadline({ ...inProgress, session: { ...inProgress.session, confirmDeadline: null } })).toBeNull();
    const va = await w.service.issueVirtualAccount(w.a, { orderId: orderId(), orderName: "v", amount: 1000, customerName: "홍", validHours: 2 });
    expect(nextDeadline(va)).toBe(T0 + 2 * HOUR);
    const expiredVa: PaymentRecord = { ...va, payment: { ...va.payment, virtualAccount: { ...va.payment.virtualAccount!, expired: true } } };
    expect(nextDeadline(expiredVa)).toBeNull();
    expect(nextDeadline({ ...inProgress, payment: { ...inProgress.payment, status: "DONE" } })).toBeNull();
  });
});

describe("store: deadline_at and listDuePayments", () => {
  it("keeps deadline_at on every write and lists only due payments of the tenant, earliest first", async () => {
    const w = world();
    const r1 = await w.service.createPayment(w.a, card(), ORIGIN); // due T0 + 30 min
    w.base.advance(60_000);
    const r2 = await w.service.createPayment(w.a, card(), ORIGIN); // due T0 + 31 min
    const other = await w.service.createPayment(w.b, card(), ORIGIN);
    expect(await w.store.listDuePayments(w.a.id, T0 + AUTH_WINDOW_MS, 10)).toEqual([]); // strictly after
    expect(await w.store.listDuePayments(w.a.id, T0 + AUTH_WINDOW_MS + 1, 10)).toEqual([r1.payment.paymentKey]);
    expect(await w.store.listDuePayments(w.a.id, T0 + 2 * HOUR, 10)).toEqual([r1.payment.paymentKey, r2.payment.paymentKey]);
    expect(await w.store.listDuePayments(w.a.id, T0 + 2 * HOUR, 1)).toEqual([r1.payment.paymentKey]);
    expect(await w.store.listDuePayments(w.b.id, T0 + 2 * HOUR, 10)).toEqual([other.payment.paymentKey]);
    // Authenticating moves the deadline to the confirm window; confirming clears it.
    w.base.advance(60_000);
    await w.service.authenticatePayment(w.a, r1.payment.paymentKey);
    expect(await w.store.listDuePayments(w.a.id, T0 + 2 * 60_000 + CONFIRM_WINDOW_MS + 1, 10)).toEqual([r1.payment.paymentKey]);
    await w.service.confirm(w.a, { paymentKey: r1.payment.paymentKey, orderId: r1.payment.orderId, amount: 1000 });
    expect(await w.store.listDuePayments(w.a.id, T0 + 2 * HOUR, 10)).toEqual([r2.payment.paymentKey]);
  });
});

describe("Sweeper", () => {
  it("applies expiry with no read at all: window, confirm window and virtual-account due date", async () => {
    const w = world();
    const ready = await w.service.createPayment(w.a, card(), ORIGIN);
    const authed = await w.service.createCardPaymentSession(w.a, { orderId: orderId(), orderName: "x", amount: 1000 });
    const va = await w.service.issueVirtualAccount(w.a, { orderId: orderId(), orderName: "v", amount: 1000, customerName: "홍", validHours: 1 });
    const fixture = await w.service.createCardPaymentSession(w.a, { orderId: orderId(), orderName: "x", amount: 1000, confirmDeadline: null });
    w.changes.length = 0;

    w.base.advance(CONFIRM_WINDOW_MS + 1);
    expect(await w.sweeper.sweepTenant(w.a)).toBe(1);
    expect((await w.store.getPayment(w.a.id, authed.payment.paymentKey))?.payment.status).toBe("EXPIRED");
    expect((await w.store.getPayment(w.a.id, ready.payment.paymentKey))?.payment.status).toBe("READY");

    w.base.advance(2 * HOUR);
    expect(await w.sweeper.sweepAll()).toBe(2);
    const stored = (k: string) => w.store.getPayment(w.a.id, k);
    expect((await stored(ready.payment.paymentKey))?.payment).toMatchObject({ status: "EXPIRED", failure: { code: "EXPIRED_PAYMENT" } });
    expect((await stored(va.payment.paymentKey))?.payment).toMatchObject({ status: "WAITING_FOR_DEPOSIT", virtualAccount: { expired: true } });
    expect((await stored(fixture.payment.paymentKey))?.payment.status).toBe("IN_PROGRESS");
    expect(await w.sweeper.sweepAll()).toBe(0);
    expect(await w.store.listDuePayments(w.a.id, Number.MAX_SAFE_INTEGER, 10)).toEqual([]);

    // The sweep reported each change, as a read would have.
    expect(w.changes[0]).toEqual({ tenant: "tn_a", key: authed.payment.paymentKey, from: "IN_PROGRESS", to: "EXPIRED", expired: undefined });
    expect(w.changes.slice(1)).toHaveLength(2);
    expect(w.changes.slice(1)).toEqual(expect.arrayContaining([
      { tenant: "tn_a", key: ready.payment.paymentKey, from: "READY", to: "EXPIRED", expired: undefined },
      { tenant: "tn_a", key: va.payment.paymentKey, from: "WAITING_FOR_DEPOSIT", to: "WAITING_FOR_DEPOSIT", expired: true },
    ]));
  });

  it("uses the tenant's own clock: moving one tenant expires only its payments", async () => {
    const w = world();
    const pa = await w.service.createPayment(w.a, card(), ORIGIN);
    const pb = await w.service.createPayment(w.b, card(), ORIGIN);
    w.clock.advance(w.a.id, AUTH_WINDOW_MS + 1000);
    await w.sweeper.sweepAll();
    expect((await w.store.getPayment(w.a.id, pa.payment.paymentKey))?.payment.status).toBe("EXPIRED");
    expect((await w.store.getPayment(w.b.id, pb.payment.paymentKey))?.payment.status).toBe("READY");
  });

  it("works through more due payments than one batch", async () => {
    const w = world();
    const keys: string[] = [];
    for (let i = 0; i < 10; i++) keys.push((await w.service.createPayment(w.a, card(), ORIGIN)).payment.paymentKey);
    w.base.advance(AUTH_WINDOW_MS + 1);
    expect(await w.sweeper.sweepTenant(w.a)).toBe(10); // batchSize 3
    for (const k of keys) expect((await w.store.getPayment(w.a.id, k))?.payment.status).toBe("EXPIRED");
  });

  it("runs on a timer once started (unref'ed) and stops cleanly", async () => {
    const w = world();
    const sweeper = new Sweeper(w.service, w.store, w.clock, () => [w.a], { intervalMs: 10 });
    const p = await w.service.createPayment(w.a, card(), ORIGIN);
    w.base.advance(AUTH_WINDOW_MS + 1);
    sweeper.start();
    expect(sweeper.running).toBe(true);
    await vi.waitFor(async () => expect((await w.store.getPayment(w.a.id, p.payment.paymentKey))?.payment.status).toBe("EXPIRED"), {
      timeout: 2000,
    });
    await sweeper.stop();
    expect(sweeper.running).toBe(false);
  });

  it("a failing tick is logged, not thrown", async () => {
    const w = world();
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = new Sweeper(w.service, w.store, w.clock, () => { throw new Error("boom"); }, { intervalMs: 5 });
    broken.start();
    await vi.waitFor(() => expect(spy).toHaveBeenCalled(), { timeout: 2000 });
    await broken.stop();
    spy.mockRestore();
  });
});

describe("PaymentEvents", () => {
  it("reports creation, authentication, confirm, cancels, deposits, deposit cancels and expiry found on a read", async () => {
    const w = world();
    const created = await w.service.createPayment(w.a, card({ amount: 10000 }), ORIGIN);
    const key = created.payment.paymentKey;
    await w.service.authenticatePayment(w.a, key);
    await w.service.authenticatePayment(w.a, key); // no-op: no event
    await w.service.confirm(w.a, { paymentKey: key, orderId: created.payment.orderId, amount: 10000 });
    await w.service.cancel(w.a, key, { cancelReason: "a", cancelAmount: 1000 });
    await w.service.cancel(w.a, key, { cancelReason: "b", cancelAmount: 1000 }); // PARTIAL_CANCELED again: a new cancel
    await w.service.getPayment(w.a, key); // nothing due: no event
    expect(w.changes.map((c) => [c.from, c.to])).toEqual([
      [undefined, "READY"],
      ["READY", "IN_PROGRESS"],
      ["IN_PROGRESS", "DONE"],
      ["DONE", "PARTIAL_CANCELED"],
      ["PARTIAL_CANCELED", "PARTIAL_CANCELED"],
    ]);

    w.changes.length = 0;
    const va = await w.service.issueVirtualAccount(w.a, { orderId: orderId(), orderName: "v", amount: 1000, customerName: "홍", validHours: 1 });
    await w.service.depositVirtualAccount(w.a, va.payment.paymentKey);
    await w.service.cancelDeposit(w.a, va.payment.paymentKey);
    w.base.advance(HOUR + 1000);
    await w.service.getPayment(w.a, va.payment.paymentKey); // the lazy read finds the expiry
    await w.service.getPayment(w.a, va.payment.paymentKey); // already applied: no event
    expect(w.changes.map((c) => [c.from, c.to, c.expired])).toEqual([
      [undefined, "WAITING_FOR_DEPOSIT", false],
      ["WAITING_FOR_DEPOSIT", "DONE", false],
      ["DONE", "WAITING_FOR_DEPOSIT", false],
      ["WAITING_FOR_DEPOSIT", "WAITING_FOR_DEPOSIT", true],
    ]);
  });

  it("reports key-in and billing charges as created DONE, fail as ABORTED, forced expiry", async () => {
    const w = world();
    const k = await w.service.keyIn(w.a, {
      amount: 1000, orderId: orderId(), orderName: "k", cardNumber: "9410001234567890",
      cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101",
    });
    const f = await w.service.createPayment(w.a, card(), ORIGIN);
    await w.service.failPayment(w.a, f.payment.paymentKey);
    const e = await w.service.createPayment(w.a, card(), ORIGIN);
    await w.service.expirePayment(w.a, e.payment.paymentKey);
    const billing = await w.service.issueBillingKeyWithCard(w.a, {
      customerKey: "cust-ev", cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101",
    });
    const charged = await w.service.chargeBilling(w.a, billing.billingKey, { customerKey: "cust-ev", orderId: orderId(), orderName: "b", amount: 1000 });
    expect(w.changes.map((c) => [c.key, c.from, c.to])).toEqual([
      [k.payment.paymentKey, undefined, "DONE"],
      [f.payment.paymentKey, undefined, "READY"],
      [f.payment.paymentKey, "READY", "ABORTED"],
      [e.payment.paymentKey, undefined, "READY"],
      [e.payment.paymentKey, "READY", "EXPIRED"],
      [charged.payment.paymentKey, undefined, "DONE"],
    ]);
  });

  it("is never called for a refused change, but is for an expiry committed beside a refusal", async () => {
    const w = world();
    const s = await w.service.createCardPaymentSession(w.a, { orderId: orderId(), orderName: "x", amount: 1000 });
    w.changes.length = 0;
    await tossError(w.service.confirm(w.a, { paymentKey: s.payment.paymentKey, orderId: s.payment.orderId, amount: 999 }));
    await tossError(w.service.cancel(w.a, s.payment.paymentKey, { cancelReason: "x" }));
    await tossError(w.service.keyIn(w.a, {
      amount: 1000, orderId: orderId(), orderName: "k", cardNumber: "941", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101",
    }));
    expect(w.changes).toEqual([]);
    w.base.advance(CONFIRM_WINDOW_MS + 1);
    const err = await tossError(w.service.confirm(w.a, { paymentKey: s.payment.paymentKey, orderId: s.payment.orderId, amount: 1000 }));
    expect(err.code).toBe("NOT_FOUND_PAYMENT_SESSION");
    expect(w.changes.map((c) => [c.from, c.to])).toEqual([["IN_PROGRESS", "EXPIRED"]]);
  });

  it("a throwing (or rejecting) listener does not break the call", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const throwing = world({ listener: { paymentChanged: () => { throw new Error("listener bug"); } } });
    const rec = await throwing.service.createPayment(throwing.a, card(), ORIGIN);
    expect((await throwing.service.authenticatePayment(throwing.a, rec.payment.paymentKey)).payment.status).toBe("IN_PROGRESS");
    const rejecting = world({ listener: { paymentChanged: (() => Promise.reject(new Error("async bug"))) as unknown as PaymentEvents["paymentChanged"] } });
    await rejecting.service.createPayment(rejecting.a, card(), ORIGIN);
    await new Promise((r) => setTimeout(r, 10));
    expect(spy).toHaveBeenCalledTimes(3);
    spy.mockRestore();
  });

  it("reports deleted billing keys to billingDeleted", async () => {
    const deleted: string[] = [];
    const w = world({ listener: { paymentChanged() {}, billingDeleted: (t: Tenant, b) => deleted.push(`${t.id}:${b.billingKey}`) } });
    const billing = await w.service.issueBillingKeyWithCard(w.a, {
      customerKey: "cust-del", cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101",
    });
    await w.service.deleteBillingKey(w.a, billing.billingKey);
    await tossError(w.service.deleteBillingKey(w.a, billing.billingKey));
    expect(deleted).toEqual([`tn_a:${billing.billingKey}`]);
  });
});
