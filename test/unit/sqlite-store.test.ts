import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/domain/clock.js";
import { TossError } from "../../src/domain/errors.js";
import type { BillingRecord } from "../../src/domain/model.js";
import { buildCardPaymentSession, PaymentService } from "../../src/domain/payments.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import { IDEMPOTENCY_TTL_MS, type Store } from "../../src/store/store.js";
import { T0, makeTenant, tossError } from "./setup.js";

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), "faketoss-unit-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tenant = makeTenant("tn_a");
const other = makeTenant("tn_b");
const session = (orderId: string, paymentKey?: string) =>
  buildCardPaymentSession(tenant, T0, { orderId, orderName: "상품", amount: 1000, paymentKey });

describe("sqlite store: payments", () => {
  it("inserts and reads by paymentKey and by orderId, scoped by tenant", async () => {
    const store = openSqliteStore(":memory:");
    const rec = session("order-abc-1");
    await store.insertPayment(tenant.id, rec);
    expect(await store.getPayment(tenant.id, rec.payment.paymentKey)).toEqual(rec);
    expect(await store.getPaymentByOrderId(tenant.id, "order-abc-1")).toEqual(rec);
    expect(await store.getPayment(other.id, rec.payment.paymentKey)).toBeUndefined();
    expect(await store.getPaymentByOrderId(other.id, "order-abc-1")).toBeUndefined();
    await store.close();
  });

  it("refuses a taken orderId with DUPLICATED_ORDER_ID, but allows it in another tenant", async () => {
    const store = openSqliteStore(":memory:");
    await store.insertPayment(tenant.id, session("order-dup-1"));
    const err = await tossError(store.insertPayment(tenant.id, session("order-dup-1")));
    expect(err.code).toBe("DUPLICATED_ORDER_ID");
    await expect(store.insertPayment(other.id, session("order-dup-1"))).resolves.toBeUndefined();
    await store.close();
  });

  it("lets exactly one of many concurrent inserts of one orderId win", async () => {
    const store = openSqliteStore(":memory:");
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => store.insertPayment(tenant.id, session("order-race-1"))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === "rejected")) {
      expect(r.reason).toBeInstanceOf(TossError);
      expect((r.reason as TossError).code).toBe("DUPLICATED_ORDER_ID");
    }
    await store.close();
  });

  it("a paymentKey collision is a plain error, not DUPLICATED_ORDER_ID", async () => {
    const store = openSqliteStore(":memory:");
    await store.insertPayment(tenant.id, session("order-pk-1", "pay_fixed"));
    const err = await store.insertPayment(tenant.id, session("order-pk-2", "pay_fixed")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TossError);
    await store.close();
  });

  it("updatePayment writes what mutate returns, and nothing when mutate throws", async () => {
    const store = openSqliteStore(":memory:");
    const rec = session("order-upd-1");
    const key = rec.payment.paymentKey;
    await store.insertPayment(tenant.id, rec);
    const out = await store.updatePayment(tenant.id, key, (r) => ({ ...r, payment: { ...r.payment, status: "DONE" } }));
    expect(out?.payment.status).toBe("DONE");
    expect((await store.getPayment(tenant.id, key))?.payment.status).toBe("DONE");

    await expect(
      store.updatePayment(tenant.id, key, (r) => {
        r.payment.status = "CANCELED"; // in-place change, then a refusal: must not be written
        throw new TossError("NOT_CANCELABLE_PAYMENT");
      }),
    ).rejects.toMatchObject({ code: "NOT_CANCELABLE_PAYMENT" });
    expect((await store.getPayment(tenant.id, key))?.payment.status).toBe("DONE");
    expect(await store.updatePayment(tenant.id, "pay_missing", (r) => r)).toBeUndefined();
    await store.close();
  });

  it("group commit: writes of one tick share a transaction, run in order, and fail one by one", async () => {
    const store = openSqliteStore(":memory:");
    const a = session("order-grp-a");
    const b = session("order-grp-b");
    // Not awaited one by one: all five land in the same batch.
    const results = await Promise.allSettled([
      store.insertPayment(tenant.id, a),
      store.insertPayment(tenant.id, session("order-grp-a")), // taken a moment earlier, same batch
      store.updatePayment(tenant.id, a.payment.paymentKey, (r) => ({ ...r, payment: { ...r.payment, status: "DONE" } })),
      store.updatePayment(tenant.id, a.payment.paymentKey, () => {
        throw new TossError("NOT_CANCELABLE_PAYMENT");
      }),
      store.insertPayment(tenant.id, b),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled"]);
    expect(((results[1] as PromiseRejectedResult).reason as TossError).code).toBe("DUPLICATED_ORDER_ID");
    expect(((results[2] as PromiseFulfilledResult<unknown>).value as { payment: { status: string } }).payment.status).toBe("DONE");
    expect((await store.getPayment(tenant.id, a.payment.paymentKey))?.payment.status).toBe("DONE");
    expect(await store.getPayment(tenant.id, b.payment.paymentKey)).toEqual(b);
    await store.close();
  });

  it("group commit: an update whose UPDATE statement fails (orderId taken) is undone alone, the writes around it stay", async () => {
    const store = openSqliteStore(":memory:");
    const a = session("order-upd-a");
    const b = session("order-upd-b");
    await Promise.all([store.insertPayment(tenant.id, a), store.insertPayment(tenant.id, b)]);
    const results = await Promise.allSettled([
      store.updatePayment(tenant.id, a.payment.paymentKey, (r) => ({ ...r, payment: { ...r.payment, status: "DONE" } })),
      store.updatePayment(tenant.id, b.payment.paymentKey, (r) => ({ ...r, payment: { ...r.payment, orderId: "order-upd-a", status: "DONE" } })),
      store.updatePayment(tenant.id, b.payment.paymentKey, (r) => ({ ...r, payment: { ...r.payment, status: "ABORTED" } })),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(((results[1] as PromiseRejectedResult).reason as TossError).code).toBe("DUPLICATED_ORDER_ID");
    expect((await store.getPayment(tenant.id, a.payment.paymentKey))?.payment.status).toBe("DONE");
    const stored = await store.getPayment(tenant.id, b.payment.paymentKey);
    expect([stored?.payment.orderId, stored?.payment.status]).toEqual(["order-upd-b", "ABORTED"]);
    expect(await store.getPaymentByOrderId(tenant.id, "order-upd-b")).toEqual(stored);
    await store.close();
  });

  it("group commit: a write that makes SQLite roll the whole transaction back fails its batch, and none of the batch is stored", async () => {
    const path = join(tempDir(), "f.db");
    const store = openSqliteStore(path);
    // A trigger stands in for disk full or an I/O error: errors that end the transaction itself.
    const other = new Database(path);
    other.exec(`CREATE TRIGGER boom BEFORE INSERT ON payments WHEN NEW.order_id = 'order-boom' BEGIN SELECT RAISE(ROLLBACK, 'boom'); END`);
    other.close();
    const stored = session("order-stored");
    await store.insertPayment(tenant.id, stored);
    const recs = [session("order-before"), session("order-boom"), session("order-after")];
    const results = await Promise.allSettled([
      store.updatePayment(tenant.id, stored.payment.paymentKey, (r) => ({ ...r, payment: { ...r.payment, status: "DONE" } })),
      ...recs.map((r) => store.insertPayment(tenant.id, r)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    for (const r of recs) expect(await store.getPayment(tenant.id, r.payment.paymentKey)).toBeUndefined();
    expect(await store.getPayment(tenant.id, stored.payment.paymentKey)).toEqual(stored);
    // The store goes on: the next batch commits.
    const next = session("order-next");
    await store.insertPayment(tenant.id, next);
    expect(await store.getPayment(tenant.id, next.payment.paymentKey)).toEqual(next);
    await store.close();
  });

  it("close() commits writes still waiting for their batch", async () => {
    const dir = tempDir();
    const path = join(dir, "f.db");
    const store = openSqliteStore(path);
    const rec = session("order-close-1");
    const pending = store.insertPayment(tenant.id, rec);
    await store.close();
    await pending;
    const again = openSqliteStore(path);
    expect(await again.getPayment(tenant.id, rec.payment.paymentKey)).toEqual(rec);
    await again.close();
  });

  it("creates the parent directory and keeps everything across a reopen", async () => {
    const path = join(tempDir(), "nested", "deeper", "faketoss.db");
    let store: Store = openSqliteStore(path);
    expect(existsSync(path)).toBe(true);
    await store.upsertTenant(tenant);
    const rec = session("order-persist-1");
    await store.insertPayment(tenant.id, rec);
    await store.insertBillingAuth(tenant.id, { authKey: "auth_p", customerKey: "cust-1", billingKey: null, card: null, used: false });
    const scope = { tenantId: tenant.id, key: "k1", method: "POST", path: "/v1/payments/confirm" };
    await store.putIdempotent(scope, { status: 200, contentType: "application/json", body: '{"a":1}', createdAt: T0 });
    await store.close();

    store = openSqliteStore(path);
    expect(await store.getTenantBySecretKey(tenant.secretKey)).toEqual(tenant);
    expect(await store.getPayment(tenant.id, rec.payment.paymentKey)).toEqual(rec);
    expect((await store.getBillingAuth(tenant.id, "auth_p"))?.customerKey).toBe("cust-1");
    expect((await store.getIdempotent(scope, T0))?.body).toBe('{"a":1}');
    await store.close();
  });

  it("keeps a payment confirmed through the service across a reopen", async () => {
    const path = join(tempDir(), "svc.db");
    const clock = new ManualClock(T0);
    let store = openSqliteStore(path);
    const service = new PaymentService(store, clock);
    const s = await service.createCardPaymentSession(tenant, { orderId: "order-svc-1", orderName: "상품", amount: 5000 });
    await service.confirm(tenant, { paymentKey: s.payment.paymentKey, orderId: "order-svc-1", amount: 5000 });
    await store.close();
    store = openSqliteStore(path);
    const again = await new PaymentService(store, clock).getPayment(tenant, s.payment.paymentKey);
    expect(again.payment.status).toBe("DONE");
    await store.close();
  });
});

describe("sqlite store: tenants", () => {
  it("upserts, looks up by both keys, lists, and updates settings", async () => {
    const store = openSqliteStore(":memory:");
    await store.upsertTenant(tenant);
    await store.upsertTenant(other);
    expect(await store.getTenant(tenant.id)).toEqual(tenant);
    expect(await store.getTenantByClientKey(other.clientKey)).toEqual(other);
    expect((await store.listTenants()).map((t) => t.id)).toEqual([tenant.id, other.id]);
    const upd = await store.updateTenantSettings(tenant.id, { labels: "toss", autoApproveUnknownPaymentKeys: true });
    expect(upd?.settings.labels).toBe("toss");
    expect((await store.getTenant(tenant.id))?.settings.autoApproveUnknownPaymentKeys).toBe(true);
    expect(await store.updateTenantSettings("tn_none", tenant.settings)).toBeUndefined();
    await store.close();
  });

  it("reset deletes only that tenant's payments, billing, auth keys and idempotency records", async () => {
    const store = openSqliteStore(":memory:");
    await store.upsertTenant(tenant);
    for (const t of [tenant, other]) {
      await store.insertPayment(t.id, session("order-reset-1"));
      await store.insertBillingAuth(t.id, { authKey: "auth_r", customerKey: "c", billingKey: "bill_r", card: null, used: false });
      await store.consumeBillingAuthAndInsertBilling(t.id, "auth_r", (a) => ({
        billing: {
          mId: "m", customerKey: a.customerKey, authenticatedAt: "x", method: "CARD", billingKey: "bill_r",
          card: null, transfers: null, cardCompany: null, cardNumber: null,
        },
        removed: false,
      }));
      await store.putIdempotent({ tenantId: t.id, key: "k", method: "POST", path: "/p" }, { status: 200, contentType: "a", body: "b", createdAt: T0 });
    }
    await store.resetTenant(tenant.id);
    expect(await store.getPaymentByOrderId(tenant.id, "order-reset-1")).toBeUndefined();
    expect(await store.getBillingAuth(tenant.id, "auth_r")).toBeUndefined();
    expect(await store.getBilling(tenant.id, "bill_r")).toBeUndefined();
    expect(await store.getIdempotent({ tenantId: tenant.id, key: "k", method: "POST", path: "/p" })).toBeUndefined();
    expect(await store.getTenant(tenant.id)).toEqual(tenant);
    expect(await store.getPaymentByOrderId(other.id, "order-reset-1")).toBeDefined();
    expect(await store.getBilling(other.id, "bill_r")).toBeDefined();
    expect(await store.getIdempotent({ tenantId: other.id, key: "k", method: "POST", path: "/p" })).toBeDefined();
    await store.close();
  });
});

describe("sqlite store: billing", () => {
  const billing = (key: string, customerKey: string): BillingRecord => ({
    billing: {
      mId: "m", customerKey, authenticatedAt: "x", method: "CARD", billingKey: key,
      card: null, transfers: null, cardCompany: null, cardNumber: null,
    },
    removed: false,
  });

  it("insertBillingAuth is a no-op for an existing authKey", async () => {
    const store = openSqliteStore(":memory:");
    const auth = { authKey: "auth_x", customerKey: "c1", billingKey: null, card: null, used: false };
    expect(await store.insertBillingAuth(tenant.id, auth)).toBe(true);
    expect(await store.insertBillingAuth(tenant.id, { ...auth, customerKey: "c2" })).toBe(false);
    expect((await store.getBillingAuth(tenant.id, "auth_x"))?.customerKey).toBe("c1");
    await store.close();
  });

  it("consumes an authKey and inserts the billing atomically; a refusing build changes nothing", async () => {
    const store = openSqliteStore(":memory:");
    await store.insertBillingAuth(tenant.id, { authKey: "auth_y", customerKey: "c1", billingKey: null, card: null, used: false });
    await expect(
      store.consumeBillingAuthAndInsertBilling(tenant.id, "auth_y", () => {
        throw new TossError("NOT_MATCHES_CUSTOMER_KEY");
      }),
    ).rejects.toMatchObject({ code: "NOT_MATCHES_CUSTOMER_KEY" });
    expect((await store.getBillingAuth(tenant.id, "auth_y"))?.used).toBe(false);

    const out = await store.consumeBillingAuthAndInsertBilling(tenant.id, "auth_y", () => billing("bill_y", "c1"));
    expect(out?.billing.billingKey).toBe("bill_y");
    expect(await store.getBillingAuth(tenant.id, "auth_y")).toMatchObject({ used: true, billingKey: "bill_y" });
    expect(await store.getBilling(tenant.id, "bill_y")).toEqual(billing("bill_y", "c1"));
    expect(await store.consumeBillingAuthAndInsertBilling(tenant.id, "auth_none", () => billing("b", "c"))).toBeUndefined();
    await store.close();
  });

  it("charges only through an existing billing and refuses a taken orderId atomically", async () => {
    const store = openSqliteStore(":memory:");
    await store.insertBillingAuth(tenant.id, { authKey: "auth_z", customerKey: "c1", billingKey: null, card: null, used: false });
    await store.consumeBillingAuthAndInsertBilling(tenant.id, "auth_z", () => billing("bill_z", "c1"));
    expect(await store.chargeBilling(tenant.id, "bill_none", () => session("order-ch-0"))).toBeUndefined();
    await store.chargeBilling(tenant.id, "bill_z", () => session("order-ch-1"));
    const err = await tossError(store.chargeBilling(tenant.id, "bill_z", () => session("order-ch-1")));
    expect(err.code).toBe("DUPLICATED_ORDER_ID");
    const removed = await store.updateBilling(tenant.id, "bill_z", (b) => ({ ...b, removed: true }));
    expect(removed?.removed).toBe(true);
    expect((await store.getBilling(tenant.id, "bill_z"))?.removed).toBe(true);
    await store.close();
  });
});

describe("sqlite store: idempotency", () => {
  const scope = { tenantId: tenant.id, key: "idem-1", method: "POST", path: "/v1/payments/confirm" };
  const answer = { status: 200, contentType: "application/json", body: '{"ok":true}', createdAt: T0 };

  it("claims once, reports processing to a second claim, then replays the stored answer", async () => {
    const store = openSqliteStore(":memory:");
    expect(await store.claimIdempotent(scope, T0, 30_000)).toEqual({ state: "claimed" });
    expect(await store.claimIdempotent(scope, T0 + 1, 30_000)).toEqual({ state: "processing" });
    expect(await store.getIdempotent(scope)).toBeUndefined();
    await store.putIdempotent(scope, answer);
    expect(await store.claimIdempotent(scope, T0 + 2, 30_000)).toEqual({ state: "done", record: answer });
    expect(await store.getIdempotent(scope, T0 + 2)).toEqual(answer);
    await store.close();
  });

  it("scopes by tenant, key, method and path", async () => {
    const store = openSqliteStore(":memory:");
    await store.putIdempotent(scope, answer);
    for (const s of [
      { ...scope, tenantId: other.id }, { ...scope, key: "idem-2" }, { ...scope, method: "PUT" }, { ...scope, path: "/v1/x" },
    ]) {
      expect(await store.getIdempotent(s)).toBeUndefined();
    }
    await store.close();
  });

  it("takes over a stale claim and releases an open one", async () => {
    const store = openSqliteStore(":memory:");
    await store.claimIdempotent(scope, T0, 30_000);
    expect(await store.claimIdempotent(scope, T0 + 30_001, 30_000)).toEqual({ state: "claimed" });
    await store.releaseIdempotent(scope);
    expect(await store.claimIdempotent(scope, T0 + 30_002, 30_000)).toEqual({ state: "claimed" });
    await store.close();
  });

  it("forgets answers after 15 days, and purges them lazily", async () => {
    const store = openSqliteStore(":memory:");
    await store.putIdempotent(scope, answer);
    expect(await store.getIdempotent(scope, T0 + IDEMPOTENCY_TTL_MS)).toEqual(answer);
    expect(await store.getIdempotent(scope, T0 + IDEMPOTENCY_TTL_MS + 1)).toBeUndefined();
    expect(await store.claimIdempotent(scope, T0 + IDEMPOTENCY_TTL_MS + 1, 30_000)).toEqual({ state: "claimed" });
    await store.releaseIdempotent(scope);

    await store.putIdempotent(scope, answer);
    const later = { ...scope, key: "idem-later" };
    await store.putIdempotent(later, { ...answer, createdAt: T0 + IDEMPOTENCY_TTL_MS + 2 * 3_600_000 });
    expect(await store.getIdempotent(scope)).toBeUndefined(); // purged, not just hidden
    expect(await store.getIdempotent(later)).toBeDefined();
    expect(await store.purgeIdempotent(tenant.id, Number.MAX_SAFE_INTEGER)).toBe(1);
    await store.close();
  });
});
