// SandboxService over the real wiring (createFakeToss, not listening): per-tenant clocks that
// persist, advance that applies deadlines before answering, reset, key pairs and settings.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SECRET_KEY, readConfig } from "../../src/config.js";
import { formatKst, ManualClock } from "../../src/domain/clock.js";
import { AUTH_WINDOW_MS } from "../../src/domain/payments.js";
import type { PaymentRecord, Tenant } from "../../src/domain/model.js";
import { createFakeToss, startFakeToss } from "../../src/server.js";
import { T0, orderId, tossError } from "./setup.js";

const HOUR = 3_600_000;
type Ft = Awaited<ReturnType<typeof createFakeToss>>;

const open: { close(): Promise<void> }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const ft of open.splice(0)) await ft.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function fake(db = ":memory:", clock = new ManualClock(T0), env: Record<string, string> = {}) {
  const config = readConfig([], { FAKETOSS_DB: db, PORT: "0", FAKETOSS_LOG: "silent", ...env });
  const ft = await createFakeToss(config, clock);
  open.push(ft);
  return { ft, clock };
}

const defaultTenant = (ft: Ft): Tenant => ft.tenants.lookupSecretKey(DEFAULT_SECRET_KEY)!;
const newTenant = async (ft: Ft): Promise<Tenant> => ft.tenants.lookupSecretKey((await ft.sandbox.createKeyPair()).secretKey)!;
const windowPayment = (ft: Ft, tenant: Tenant): Promise<PaymentRecord> =>
  ft.service.createPayment(tenant, {
    method: "CARD", amount: 1000, orderId: orderId(), orderName: "x", successUrl: "https://s.example/ok", failUrl: "https://s.example/no",
  }, "http://127.0.0.1:4000");

describe("sandbox clock", () => {
  it("reads the tenant's now (KST) over the base clock, with offsetSeconds", async () => {
    const { ft, clock } = await fake();
    const t = defaultTenant(ft);
    expect(await ft.sandbox.getClock(t)).toEqual({ now: formatKst(T0), offsetSeconds: 0 });
    clock.advance(5000);
    expect(await ft.sandbox.getClock(t)).toEqual({ now: formatKst(T0 + 5000), offsetSeconds: 0 });
    expect(await ft.sandbox.advanceClock(t, 11 * 60_000)).toEqual({ now: formatKst(T0 + 5000 + 660_000), offsetSeconds: 660 });
  });

  it("moves only that tenant's clock, and every deadline passed has taken effect when it answers", async () => {
    const { ft } = await fake();
    const a = await newTenant(ft);
    const b = await newTenant(ft);
    const pa = await windowPayment(ft, a);
    const pb = await windowPayment(ft, b);
    await ft.sandbox.advanceClock(a, AUTH_WINDOW_MS + 1000);
    // Straight from the store: no read applied it.
    expect((await ft.store.getPayment(a.id, pa.payment.paymentKey))?.payment.status).toBe("EXPIRED");
    expect((await ft.store.getPayment(b.id, pb.payment.paymentKey))?.payment.status).toBe("READY");
    expect((await ft.sandbox.getClock(b)).offsetSeconds).toBe(0);
    expect(ft.clock.now(a.id) - ft.clock.now(b.id)).toBe(AUTH_WINDOW_MS + 1000);
    // Timestamps of the moved tenant follow its clock.
    const later = await windowPayment(ft, a);
    expect(later.payment.requestedAt).toBe(formatKst(T0 + AUTH_WINDOW_MS + 1000));
  });

  it("refuses to move backwards (or by a non-integer) with INVALID_REQUEST, changing nothing", async () => {
    const { ft } = await fake();
    const t = defaultTenant(ft);
    await ft.sandbox.advanceClock(t, 60_000);
    for (const ms of [-1, 0.5, Number.NaN]) {
      const err = await tossError(ft.sandbox.advanceClock(t, ms));
      expect([err.code, err.status]).toEqual(["INVALID_REQUEST", 400]);
    }
    expect((await ft.sandbox.getClock(t)).offsetSeconds).toBe(60);
    expect((await ft.sandbox.advanceClock(t, 0)).offsetSeconds).toBe(60);
  });

  it("persists the offset with the tenant: a restart on the same file keeps it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "faketoss-clock-"));
    dirs.push(dir);
    const db = join(dir, "ft.db");
    const first = await fake(db);
    const t = defaultTenant(first.ft);
    await first.ft.sandbox.advanceClock(t, 2 * HOUR);
    expect((await first.ft.store.getTenant(t.id))?.clockOffsetMs).toBe(2 * HOUR);
    expect(t.clockOffsetMs).toBe(2 * HOUR);
    await first.ft.close();
    open.splice(0);

    const second = await fake(db, new ManualClock(T0 + 1000));
    expect(await second.ft.sandbox.getClock(defaultTenant(second.ft))).toEqual({ now: formatKst(T0 + 1000 + 2 * HOUR), offsetSeconds: 7200 });
  });
});

describe("sandbox reset", () => {
  it("the default tenant gets its seed fixtures back, with its clock at real time and settings kept", async () => {
    const { ft } = await fake();
    const t = defaultTenant(ft);
    await ft.service.confirm(t, { paymentKey: "pay_123", orderId: "order-001", amount: 15000 });
    await ft.service.issueBillingKey(t, { authKey: "auth_123", customerKey: "550e8400-e29b-41d4-a716-446655440000" });
    const extra = await windowPayment(ft, t);
    await ft.sandbox.advanceClock(t, HOUR);
    await ft.sandbox.updateSettings(t, { labels: "toss" });

    expect(await ft.sandbox.resetTenant(t)).toEqual({ reset: true, fixtures: true });
    expect((await ft.service.getPayment(t, "pay_123")).payment.status).toBe("IN_PROGRESS");
    expect((await ft.service.issueBillingKey(t, { authKey: "auth_123", customerKey: "550e8400-e29b-41d4-a716-446655440000" })).billingKey)
      .toBe("bill_123");
    expect((await tossError(ft.service.getPayment(t, extra.payment.paymentKey))).code).toBe("NOT_FOUND_PAYMENT");
    expect(await ft.sandbox.getClock(t)).toEqual({ now: formatKst(T0), offsetSeconds: 0 });
    expect((await ft.store.getTenant(t.id))?.clockOffsetMs).toBe(0);
    expect(t.settings.labels).toBe("toss");
  });

  it("another tenant is emptied, without fixtures, and the default tenant is untouched", async () => {
    const { ft } = await fake();
    const other = await newTenant(ft);
    const p = await windowPayment(ft, other);
    await ft.sandbox.advanceClock(other, HOUR);
    expect(await ft.sandbox.resetTenant(other)).toEqual({ reset: true, fixtures: false });
    expect((await tossError(ft.service.getPayment(other, p.payment.paymentKey))).code).toBe("NOT_FOUND_PAYMENT");
    expect((await tossError(ft.service.getPayment(other, "pay_123"))).code).toBe("NOT_FOUND_PAYMENT");
    expect((await ft.sandbox.getClock(other)).offsetSeconds).toBe(0);
    expect((await ft.service.getPayment(defaultTenant(ft), "pay_123")).payment.status).toBe("IN_PROGRESS");
  });
});

describe("sandbox key pairs", () => {
  it("creates test_sk_faketoss_<20>/test_ck_faketoss_<same>, a tenant usable at once and isolated", async () => {
    const { ft } = await fake();
    const pair = await ft.sandbox.createKeyPair();
    expect(pair.secretKey).toMatch(/^test_sk_faketoss_[A-Za-z0-9]{20}$/);
    expect(pair.clientKey).toBe(pair.secretKey.replace("test_sk_", "test_ck_"));
    const t = ft.tenants.lookupSecretKey(pair.secretKey)!;
    expect(t).toBeDefined();
    expect(ft.tenants.lookupClientKey(pair.clientKey)).toBe(t);
    expect(t.settings).toEqual({ labels: null, autoApproveUnknownPaymentKeys: false });
    expect(t.clockOffsetMs).toBe(0);
    expect(await ft.store.getTenantBySecretKey(pair.secretKey)).toBeDefined();

    const second = await ft.sandbox.createKeyPair();
    expect(second.secretKey).not.toBe(pair.secretKey);
    const t2 = ft.tenants.lookupSecretKey(second.secretKey)!;
    const mine = await windowPayment(ft, t);
    expect((await tossError(ft.service.getPayment(t2, mine.payment.paymentKey))).code).toBe("NOT_FOUND_PAYMENT");
    expect((await tossError(ft.service.getPayment(t, "pay_123"))).code).toBe("NOT_FOUND_PAYMENT");
    // The same orderId is free in another tenant.
    await ft.service.createPayment(t2, {
      method: "CARD", amount: 1000, orderId: mine.payment.orderId, orderName: "x", successUrl: "https://s.example/ok", failUrl: "https://s.example/no",
    }, "http://x");
  });
});

describe("sandbox settings", () => {
  it("changes only the given settings, persists them, and every holder of the tenant sees them", async () => {
    const { ft } = await fake();
    const held = defaultTenant(ft); // e.g. a request in flight
    const updated = await ft.sandbox.updateSettings(held, { autoApproveUnknownPaymentKeys: true });
    expect(updated.settings).toEqual({ labels: null, autoApproveUnknownPaymentKeys: true });
    expect(held.settings.autoApproveUnknownPaymentKeys).toBe(true);
    expect(ft.tenants.lookupSecretKey(DEFAULT_SECRET_KEY)).toBe(held);
    expect((await ft.store.getTenant(held.id))?.settings).toEqual({ labels: null, autoApproveUnknownPaymentKeys: true });

    await ft.sandbox.updateSettings(held, { labels: "toss" });
    expect(held.settings).toEqual({ labels: "toss", autoApproveUnknownPaymentKeys: true });
    await ft.sandbox.updateSettings(held, { labels: null });
    expect(held.settings.labels).toBeNull();

    // The domain reads the same object: auto-approve works at once.
    const { payment } = await ft.service.confirm(held, { paymentKey: "pay_frontend_1", orderId: "order-auto-1", amount: 1000 });
    expect(payment.status).toBe("DONE");

    const bad = await tossError(ft.sandbox.updateSettings(held, { labels: "korean" as never }));
    expect([bad.code, bad.status]).toEqual(["INVALID_REQUEST", 400]);
    expect(held.settings.labels).toBeNull();
  });

  it("a copy of the tenant passed in is updated too, and the registry keeps one object per tenant", async () => {
    const { ft } = await fake();
    const cached = defaultTenant(ft);
    const copy: Tenant = { ...cached, settings: { ...cached.settings } };
    await ft.sandbox.updateSettings(copy, { labels: "seed" });
    expect(cached.settings.labels).toBe("seed");
    expect(copy.settings.labels).toBe("seed");
    const again = await ft.tenants.ensure({ secretKey: DEFAULT_SECRET_KEY, clientKey: cached.clientKey });
    expect(again).toBe(cached);
    expect(ft.tenants.list().filter((t) => t.id === cached.id)).toHaveLength(1);
  });
});

describe("server wiring", () => {
  it("starts the sweeper once listening and stops it on close; expiry happens without any read", async () => {
    const clock = new ManualClock(T0);
    const config = readConfig([], { FAKETOSS_DB: ":memory:", PORT: "0", FAKETOSS_LOG: "silent" });
    const ft = await startFakeToss(config, clock, { sweeper: { intervalMs: 10 } });
    try {
      expect(ft.sweeper.running).toBe(true);
      const t = defaultTenant(ft);
      const p = await windowPayment(ft, t);
      clock.advance(AUTH_WINDOW_MS + 1);
      await expect
        .poll(async () => (await ft.store.getPayment(t.id, p.payment.paymentKey))?.payment.status, { timeout: 2000 })
        .toBe("EXPIRED");
    } finally {
      await ft.close();
    }
    expect(ft.sweeper.running).toBe(false);
  });

  it("createFakeToss alone does not sweep", async () => {
    const { ft } = await fake();
    expect(ft.sweeper.running).toBe(false);
    expect(ft.clock.base).toBeInstanceOf(ManualClock);
  });
});
