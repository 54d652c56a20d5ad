// Opening a database file written by the first release (schema version 1: no deadline_at, JSON
// rows without the fields added since) migrates it in place and reads every old row.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatKst, ManualClock } from "../../src/domain/clock.js";
import { AUTH_WINDOW_MS, PaymentService } from "../../src/domain/payments.js";
import { openSqliteStore, SCHEMA_VERSION } from "../../src/store/sqlite.js";
import { T0 } from "./setup.js";

// Version 1's tables, verbatim from the first release.
const V1_SCHEMA = `
CREATE TABLE IF NOT EXISTS tenants (
  id          TEXT PRIMARY KEY,
  secret_key  TEXT NOT NULL UNIQUE,
  client_key  TEXT NOT NULL,
  data        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tenants_client_key ON tenants (client_key);
CREATE TABLE IF NOT EXISTS payments (
  tenant_id    TEXT NOT NULL,
  payment_key  TEXT NOT NULL,
  order_id     TEXT NOT NULL,
  status       TEXT NOT NULL,
  data         TEXT NOT NULL,
  PRIMARY KEY (tenant_id, payment_key)
);
CREATE UNIQUE INDEX IF NOT EXISTS payments_order_id ON payments (tenant_id, order_id);
CREATE INDEX IF NOT EXISTS payments_status ON payments (tenant_id, status);
CREATE TABLE IF NOT EXISTS billing_auths (
  tenant_id  TEXT NOT NULL,
  auth_key   TEXT NOT NULL,
  data       TEXT NOT NULL,
  PRIMARY KEY (tenant_id, auth_key)
);
CREATE TABLE IF NOT EXISTS billings (
  tenant_id    TEXT NOT NULL,
  billing_key  TEXT NOT NULL,
  data         TEXT NOT NULL,
  PRIMARY KEY (tenant_id, billing_key)
);
CREATE TABLE IF NOT EXISTS idempotency (
  tenant_id     TEXT NOT NULL,
  idem_key      TEXT NOT NULL,
  method        TEXT NOT NULL,
  path          TEXT NOT NULL,
  done          INTEGER NOT NULL,
  status        INTEGER,
  content_type  TEXT,
  body          TEXT,
  created_at    INTEGER NOT NULL,
  claimed_at    INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, idem_key, method, path)
);
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (tenant_id, created_at);
`;

const TENANT_V1 = {
  id: "tn_v1",
  secretKey: "test_sk_v1",
  clientKey: "test_ck_v1",
  mId: "tfaketoss",
  settings: { labels: "toss", autoApproveUnknownPaymentKeys: false },
};

/** A payment as the first release stored it: the session had six fields. */
function v1Payment(key: string, orderId: string, status: string, session: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    payment: {
      version: "2022-11-16", paymentKey: key, type: "NORMAL", orderId, orderName: "옛 주문", mId: "tfaketoss", currency: "KRW",
      method: "CARD", totalAmount: 1000, balanceAmount: 1000, status, requestedAt: formatKst(T0), approvedAt: null, useEscrow: false,
      lastTransactionKey: null, suppliedAmount: 909, vat: 91, cultureExpense: false, taxFreeAmount: 0, taxExemptionAmount: 0,
      cancels: null, isPartialCancelable: true, card: null, virtualAccount: null, secret: null, mobilePhone: null,
      giftCertificate: null, transfer: null, metadata: null, receipt: null, checkout: null, easyPay: null, country: "KR",
      failure: null, cashReceipt: null, cashReceipts: null, discount: null, ...extra,
    },
    session: { confirmDeadline: null, authDeadline: null, customerName: null, customerEmail: null, customerMobilePhone: null, customerKey: null, ...session },
  };
}

const paymentIndexes = (db: InstanceType<typeof Database>): string[] =>
  db.prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'payments'`).pluck().all();

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function writeV1File(): string {
  const dir = mkdtempSync(join(tmpdir(), "faketoss-v1-"));
  dirs.push(dir);
  const path = join(dir, "v1.db");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec(V1_SCHEMA);
  db.pragma("user_version = 1");
  db.prepare(`INSERT INTO tenants (id, secret_key, client_key, data) VALUES (?, ?, ?, ?)`)
    .run(TENANT_V1.id, TENANT_V1.secretKey, TENANT_V1.clientKey, JSON.stringify(TENANT_V1));
  const insert = db.prepare(`INSERT INTO payments (tenant_id, payment_key, order_id, status, data) VALUES (?, ?, ?, ?, ?)`);
  const rows = [
    v1Payment("pay_v1_ready", "order-v1-ready", "READY", { authDeadline: T0 + AUTH_WINDOW_MS }, { checkout: { url: "http://localhost:3000/v1/payments/pay_v1_ready/checkout" } }),
    v1Payment("pay_v1_authed", "order-v1-authed", "IN_PROGRESS", { confirmDeadline: T0 + 600_000 }),
    v1Payment("pay_v1_fixture", "order-v1-fixture", "IN_PROGRESS", {}),
    v1Payment("pay_v1_done", "order-v1-done", "DONE", {}),
    v1Payment("pay_v1_va", "order-v1-va", "WAITING_FOR_DEPOSIT", { customerName: "홍길동" }, {
      method: "VIRTUAL_ACCOUNT",
      virtualAccount: {
        accountType: "NORMAL", accountNumber: "X1234567890123", bankCode: "88", customerName: "홍길동", depositorName: null,
        dueDate: formatKst(T0 + 3_600_000), refundStatus: "NONE", expired: false, settlementStatus: "INCOMPLETED", refundReceiveAccount: null,
      },
    }),
  ];
  for (const r of rows) insert.run(TENANT_V1.id, r.payment.paymentKey, r.payment.orderId, r.payment.status, JSON.stringify(r));
  db.close();
  return path;
}

describe("migration from schema version 1", () => {
  it("adds and backfills deadline_at, adds the indexes, and bumps user_version", async () => {
    const path = writeV1File();
    const store = openSqliteStore(path);
    await store.close();

    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(6); // 3: webhook tables (issue 5); 4: no status index; 5: stored renditions; 6: key-only index of window payments
    const deadlines = Object.fromEntries(
      db.prepare<[], { payment_key: string; deadline_at: number | null }>(`SELECT payment_key, deadline_at FROM payments`).all()
        .map((r) => [r.payment_key, r.deadline_at]),
    );
    expect(deadlines).toEqual({
      pay_v1_ready: T0 + AUTH_WINDOW_MS,
      pay_v1_authed: T0 + 600_000,
      pay_v1_fixture: null,
      pay_v1_done: null,
      pay_v1_va: T0 + 3_600_000,
    });
    const indexes = paymentIndexes(db);
    expect(indexes).toEqual(expect.arrayContaining(["payments_deadline", "payments_checkout", "payments_order_id"]));
    expect(indexes).not.toContain("payments_status");
    expect(indexes).not.toContain("payments_key");
    // Backfilled: the one row with a checkout.url is a window payment.
    const windowed = db.prepare<[], string>(`SELECT payment_key FROM payments WHERE checkout = 1`).pluck().all();
    expect(windowed).toEqual(["pay_v1_ready"]);
    const findPlan = db.prepare(
      `EXPLAIN QUERY PLAN SELECT tenant_id, data FROM payments WHERE payment_key = ? AND checkout = 1 ORDER BY (status = 'READY') DESC, rowid DESC LIMIT 1`,
    ).all("x") as { detail: string }[];
    expect(findPlan.map((p) => p.detail).join(" ")).toContain("USING INDEX payments_checkout");
    const plan = db.prepare(
      `EXPLAIN QUERY PLAN SELECT payment_key FROM payments WHERE tenant_id = ? AND deadline_at IS NOT NULL AND deadline_at < ? ORDER BY deadline_at LIMIT ?`,
    ).all("x", 1, 1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(" ")).toContain("USING INDEX payments_deadline");
    db.close();
  });

  it("reads old rows with the new fields defaulted, and the sweeper's query finds their deadlines", async () => {
    const path = writeV1File();
    const store = openSqliteStore(path);
    const tenant = await store.getTenant(TENANT_V1.id);
    expect(tenant).toEqual({ ...TENANT_V1, clockOffsetMs: 0 });
    const rec = await store.getPayment(TENANT_V1.id, "pay_v1_ready");
    expect(rec?.session).toEqual({
      confirmDeadline: null, authDeadline: T0 + AUTH_WINDOW_MS, customerName: null, customerEmail: null,
      customerMobilePhone: null, customerKey: null, successUrl: null, failUrl: null, validHours: null,
    });
    expect(await store.listDuePayments(TENANT_V1.id, T0 + 2 * 3_600_000, 10)).toEqual(["pay_v1_authed", "pay_v1_ready", "pay_v1_va"]);
    // The payment window finds the old window payment, and nothing for a payment without one.
    expect((await store.findPayment("pay_v1_ready"))?.tenantId).toBe(TENANT_V1.id);
    expect(await store.findPayment("pay_v1_done")).toBeUndefined();

    // The domain works on them as on new rows.
    const service = new PaymentService(store, new ManualClock(T0 + 2 * 3_600_000));
    expect((await service.getPayment(tenant!, "pay_v1_ready")).payment.status).toBe("EXPIRED");
    expect((await service.getPayment(tenant!, "pay_v1_va")).payment.virtualAccount?.expired).toBe(true);
    expect((await service.confirm(tenant!, { paymentKey: "pay_v1_fixture", orderId: "order-v1-fixture", amount: 1000 })).payment.status).toBe("DONE");
    expect(await store.listDuePayments(TENANT_V1.id, T0 + 2 * 3_600_000, 10)).toEqual(["pay_v1_authed"]);
    await store.close();
  });

  it("marks a window payment that a version-5 FakeToss inserts on the migrated file (it knows no checkout column), so the window still finds it", async () => {
    const path = writeV1File();
    await openSqliteStore(path).close();
    const db = new Database(path);
    const insertV5 = db.prepare(`INSERT INTO payments (tenant_id, payment_key, order_id, status, data) VALUES (?, ?, ?, ?, ?)`);
    const windowed = v1Payment("pay_v5_window", "order-v5-window", "READY", {}, { checkout: { url: "http://localhost:3000/v1/payments/pay_v5_window/checkout" } });
    const keyed = v1Payment("pay_v5_keyin", "order-v5-keyin", "DONE", {});
    for (const r of [windowed, keyed]) insertV5.run(TENANT_V1.id, r.payment.paymentKey, r.payment.orderId, r.payment.status, JSON.stringify(r));
    expect(db.prepare<[], { payment_key: string; checkout: number }>(`SELECT payment_key, checkout FROM payments WHERE payment_key LIKE 'pay_v5_%' ORDER BY payment_key`).all())
      .toEqual([{ payment_key: "pay_v5_keyin", checkout: 0 }, { payment_key: "pay_v5_window", checkout: 1 }]);
    db.close();

    const store = openSqliteStore(path);
    expect((await store.findPayment("pay_v5_window"))?.rec.payment.orderId).toBe("order-v5-window");
    expect(await store.findPayment("pay_v5_keyin")).toBeUndefined();
    await store.close();
  });

  it("is a no-op on a migrated file, and refuses a file from a newer FakeToss", async () => {
    const path = writeV1File();
    await openSqliteStore(path).close();
    const again = openSqliteStore(path);
    expect(await again.listDuePayments(TENANT_V1.id, Number.MAX_SAFE_INTEGER, 10)).toHaveLength(3);
    await again.close();

    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteStore(path)).toThrow(/newer FakeToss/);
  });

  it("reopening a migrated file never re-creates what a later version dropped: the status index stays gone, and a file that got it back loses it", async () => {
    const path = writeV1File();
    const indexes = () => {
      const db = new Database(path, { readonly: true });
      try {
        return paymentIndexes(db);
      } finally {
        db.close();
      }
    };
    for (let i = 0; i < 3; i++) {
      await openSqliteStore(path).close();
      expect(indexes()).not.toContain("payments_status");
    }
    // What version 4 left behind: it ran version 1's SCHEMA on every open, and before its version
    // check, so even a current file it refused to open got the index back.
    for (const version of [4, SCHEMA_VERSION]) {
      const db = new Database(path);
      db.exec(`CREATE INDEX payments_status ON payments (tenant_id, status)`);
      db.pragma(`user_version = ${version}`);
      db.close();
      await openSqliteStore(path).close();
      expect(indexes()).not.toContain("payments_status");
    }
  });

  it("a fresh file starts at the current version with the column", async () => {
    const dir = mkdtempSync(join(tmpdir(), "faketoss-fresh-"));
    dirs.push(dir);
    const path = join(dir, "fresh.db");
    await openSqliteStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    const columns = db.prepare<[], string>(`SELECT name FROM pragma_table_info('payments')`).pluck().all();
    expect(columns).toContain("deadline_at");
    db.close();
  });
});
