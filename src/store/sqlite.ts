// The embedded store: better-sqlite3, one file (or :memory:). Rows keep the columns we look up
// by (indexed) plus the record as JSON text, so the model can grow without migrations; fields
// added later are defaulted on read (normalizePaymentRecord, normalizeTenant). A new indexed
// column does need one: see MIGRATIONS, keyed by PRAGMA user_version.
//
// Durability: WAL with synchronous=NORMAL. A commit is in the WAL (the OS page cache) before the
// call returns, so an answered 200 survives SIGKILL or any process crash; only an OS crash or
// power loss can drop the last few commits. FULL would fsync every commit and cost an order of
// magnitude in write throughput for a sandbox that does not need power-loss safety.
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { TossError } from "../domain/errors.js";
import { nextDeadline } from "../domain/deadlines.js";
import {
  normalizePaymentRecord,
  normalizeTenant,
  recordJson,
  type BillingAuth,
  type BillingRecord,
  type PaymentRecord,
  type Tenant,
  type TenantSettings,
} from "../domain/model.js";
import {
  IDEMPOTENCY_TTL_MS,
  type IdempotencyClaim,
  type IdempotencyRecord,
  type IdempotencyScope,
  type Store,
  type StoreOptions,
} from "./store.js";
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from "../webhooks/model.js";

/** The schema this code writes. A file at a lower version is migrated on open. */
export const SCHEMA_VERSION = 6;

// Version 1's tables. Later versions change them only through MIGRATIONS, so that a fresh file
// and a migrated one end up identical.
const SCHEMA = `
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
-- The orderId rule is enforced here, never by check-then-insert.
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

type Db = InstanceType<typeof Database>;

/** order_id, status, data (the record), deadline_at, rendition, rendition_tag, checkout. */
type RowColumns = [string, string, string, number | null, string | null, string | null, 0 | 1];

/** Adds a payments column unless it is there (a step re-run after a crash, or a file another version touched). */
function addPaymentsColumn(db: Db, name: string, type: string): void {
  const columns = db.prepare<[], string>(`SELECT name FROM pragma_table_info('payments')`).pluck().all();
  if (!columns.includes(name)) db.exec(`ALTER TABLE payments ADD COLUMN ${name} ${type}`);
}

/**
 * MIGRATIONS[n] takes a file from user_version n+1 to n+2 (index 0: version 1 → 2). Each runs
 * in one transaction with the version bump, so a crash leaves the file at the old version.
 */
const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  // 1 → 2: deadline_at, the epoch ms (tenant clock) of the payment's next deadline, for the
  // sweeper; payment_key alone indexed, for the payment window (opened without a key).
  (db) => {
    addPaymentsColumn(db, "deadline_at", "INTEGER");
    db.exec(`
      CREATE INDEX IF NOT EXISTS payments_deadline ON payments (tenant_id, deadline_at) WHERE deadline_at IS NOT NULL;
      CREATE INDEX IF NOT EXISTS payments_key ON payments (payment_key);
    `);
    const page = db.prepare<[number], { id: number; data: string }>(
      `SELECT rowid AS id, data FROM payments WHERE rowid > ? ORDER BY rowid LIMIT 500`,
    );
    const set = db.prepare<[number | null, number]>(`UPDATE payments SET deadline_at = ? WHERE rowid = ?`);
    for (let last = 0; ; ) {
      const rows = page.all(last);
      if (rows.length === 0) break;
      for (const row of rows) {
        set.run(nextDeadline(normalizePaymentRecord(JSON.parse(row.data) as PaymentRecord)), row.id);
        last = row.id;
      }
    }
  },
  // 2 → 3: webhooks. Endpoints per tenant; deliveries (queue and log in one table) with the
  // columns looked up by: next_attempt_at (tenant clock, set while a send is scheduled) in a
  // partial index for the dispatcher, seq for newest-first listing.
  (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS webhook_endpoints (
        seq        INTEGER PRIMARY KEY,
        tenant_id  TEXT NOT NULL,
        id         TEXT NOT NULL,
        data       TEXT NOT NULL,
        UNIQUE (tenant_id, id)
      );
      CREATE TABLE IF NOT EXISTS webhook_deliveries (
        seq              INTEGER PRIMARY KEY,
        tenant_id        TEXT NOT NULL,
        id               TEXT NOT NULL,
        webhook_id       TEXT NOT NULL,
        event_type       TEXT NOT NULL,
        status           TEXT NOT NULL,
        next_attempt_at  INTEGER,
        data             TEXT NOT NULL,
        UNIQUE (tenant_id, id)
      );
      CREATE INDEX IF NOT EXISTS webhook_deliveries_tenant ON webhook_deliveries (tenant_id, seq);
      CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (tenant_id, next_attempt_at)
        WHERE next_attempt_at IS NOT NULL;
      CREATE INDEX IF NOT EXISTS webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, webhook_id)
        WHERE next_attempt_at IS NOT NULL;
    `);
  },
  // 3 → 4: no status index (nothing looks payments up by status; it cost every write).
  (db) => {
    db.exec(`DROP INDEX IF EXISTS payments_status`);
  },
  // 4 → 5: the payment's rendered answer (StoreOptions.renderPayment) and what it was rendered
  // for. Older rows have none: their look-ups render from the record, as before. A write that
  // changes the record but not the rendition (a FakeToss of version 4 still running on this
  // file) clears the tag, so that stale bytes are never answered.
  (db) => {
    addPaymentsColumn(db, "rendition", "TEXT");
    addPaymentsColumn(db, "rendition_tag", "TEXT");
    db.exec(`
      CREATE TRIGGER IF NOT EXISTS payments_rendition_stale AFTER UPDATE OF data ON payments
      WHEN NEW.rendition IS OLD.rendition AND NEW.rendition_tag IS OLD.rendition_tag AND NEW.rendition_tag IS NOT NULL
      BEGIN
        UPDATE payments SET rendition_tag = NULL WHERE rowid = NEW.rowid;
      END;
    `);
  },
  // 5 → 6: the key-only index holds window payments only (checkout = 1: made by createPayment,
  // the ones with a checkout.url; 0 for the others). It held every payment: a B-tree updated at a
  // random leaf on every key-in, billing charge or virtual account, which no window opens. A row
  // inserted without the column (a FakeToss of version 5 still running on this file) gets it
  // from its record; this version always sets it, so the trigger's condition is all it costs.
  (db) => {
    addPaymentsColumn(db, "checkout", "INTEGER");
    db.exec(`
      UPDATE payments SET checkout = 1 WHERE json_extract(data, '$.payment.checkout') IS NOT NULL;
      CREATE INDEX IF NOT EXISTS payments_checkout ON payments (payment_key) WHERE checkout = 1;
      DROP INDEX IF EXISTS payments_key;
      CREATE TRIGGER IF NOT EXISTS payments_checkout_unset AFTER INSERT ON payments
      WHEN NEW.checkout IS NULL
      BEGIN
        UPDATE payments SET checkout = (json_extract(NEW.data, '$.payment.checkout') IS NOT NULL) WHERE rowid = NEW.rowid;
      END;
    `);
  },
];

/** Deliveries kept per tenant (the oldest finished ones beyond this are purged on enqueue). */
export const WEBHOOK_LOG_KEEP = 10_000;
const WEBHOOK_PURGE_EVERY = 500;

function migrate(db: Db): void {
  const read = (): number => db.pragma("user_version", { simple: true }) as number;
  const newer = (version: number) =>
    new Error(`the database was written by a newer FakeToss (schema ${version}; this one knows up to ${SCHEMA_VERSION})`);
  const current = read();
  if (current > SCHEMA_VERSION) throw newer(current);
  if (current === SCHEMA_VERSION) return;
  // Each step reads the version again under the write lock: two processes opening one file at
  // once never both run a step (nor the fresh file's SCHEMA over a migrated file).
  for (let done = false; !done; ) {
    done = db
      .transaction((): boolean => {
        const version = read();
        if (version > SCHEMA_VERSION) throw newer(version);
        if (version === SCHEMA_VERSION) return true;
        if (version < 1) {
          // A fresh file gets version 1's tables. Only a fresh one: on a migrated file, SCHEMA
          // would bring back what later versions dropped (4's status index, rebuilt over every row).
          db.exec(SCHEMA);
          db.pragma("user_version = 1");
        } else {
          MIGRATIONS[version - 1]!(db);
          db.pragma(`user_version = ${version + 1}`);
        }
        return false;
      })
      .immediate();
  }
}

const parsePayment = (text: string): PaymentRecord => normalizePaymentRecord(JSON.parse(text) as PaymentRecord);

/**
 * Reads (getPayment, getPaymentByOrderId) parse each distinct stored text once: the same bytes
 * are the same record, so repeated looks at an unchanged payment skip JSON.parse and hand out
 * the same object — which lets the HTTP layer reuse its rendered answer (wire.ts
 * renderPayment). The records are shared: nobody may modify them in place (updatePayment's callbacks get fresh
 * copies, as the Store contract says). Keyed by content, so another process writing the same
 * file can never make it stale.
 */
const READ_CACHE_MAX = 1024;
const readCache = new Map<string, PaymentRecord>();
function readPayment(text: string): PaymentRecord {
  let rec = readCache.get(text);
  if (rec === undefined) {
    rec = parsePayment(text);
    if (readCache.size >= READ_CACHE_MAX) readCache.delete(readCache.keys().next().value as string);
    readCache.set(text, rec);
  }
  return rec;
}
const parseEndpoint = (text: string): WebhookEndpointRecord => JSON.parse(text) as WebhookEndpointRecord;
const parseDelivery = (text: string): WebhookDeliveryRecord => JSON.parse(text) as WebhookDeliveryRecord;
const parseTenant = (text: string): Tenant => normalizeTenant(JSON.parse(text) as Tenant);

interface IdemRow {
  done: number;
  status: number | null;
  content_type: string | null;
  body: string | null;
  created_at: number;
  claimed_at: number;
}

type Scope4 = [string, string, string, string];

const PURGE_EVERY_MS = 60 * 60 * 1000;

function isUniqueViolation(err: unknown, column: string): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" && err.message.includes(column);
}

/** Runs a payment row's INSERT or UPDATE: a taken orderId (the unique index) is DUPLICATED_ORDER_ID. */
function writingOrderId(write: () => void): void {
  try {
    write();
  } catch (err) {
    if (isUniqueViolation(err, "order_id")) throw new TossError("DUPLICATED_ORDER_ID");
    throw err;
  }
}

const scope4 = (s: IdempotencyScope): Scope4 => [s.tenantId, s.key, s.method, s.path];

function toIdemRecord(row: IdemRow): IdempotencyRecord {
  return { status: row.status ?? 0, contentType: row.content_type ?? "", body: row.body ?? "", createdAt: row.created_at };
}

export function openSqliteStore(path: string, options: StoreOptions = {}): Store {
  if (path !== ":memory:" && !path.startsWith("file:")) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  // Every commit appends whole pages to the WAL; checkpointing (with its fsyncs) every ~40 MB
  // instead of every ~4 MB gives ~1.5x write throughput.
  db.pragma("wal_autocheckpoint = 10000");
  // No mmap: mapped pages of a big store count as the process's RSS (300 MB at 1M payments).
  // Reads go through a bounded 16 MB page cache; the OS page cache still holds the file.
  db.pragma("mmap_size = 0");
  db.pragma("cache_size = -16000");
  try {
    migrate(db);
    // Version 4 ran version 1's SCHEMA on every open, before its version check: even refusing
    // this file, it re-created the status index that version 4 dropped (a B-tree on every write).
    db.exec(`DROP INDEX IF EXISTS payments_status`);
  } catch (err) {
    db.close();
    throw err;
  }

  // ---- prepared once
  const tenantUpsert = db.prepare<[string, string, string, string]>(
    `INSERT INTO tenants (id, secret_key, client_key, data) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET secret_key = excluded.secret_key, client_key = excluded.client_key, data = excluded.data`,
  );
  const tenantGet = db.prepare<[string], string>(`SELECT data FROM tenants WHERE id = ?`).pluck();
  const tenantBySecret = db.prepare<[string], string>(`SELECT data FROM tenants WHERE secret_key = ?`).pluck();
  const tenantByClient = db.prepare<[string], string>(`SELECT data FROM tenants WHERE client_key = ?`).pluck();
  const tenantList = db.prepare<[], string>(`SELECT data FROM tenants ORDER BY rowid`).pluck();
  const tenantSetData = db.prepare<[string, string]>(`UPDATE tenants SET data = ? WHERE id = ?`);

  const delPayments = db.prepare<[string]>(`DELETE FROM payments WHERE tenant_id = ?`);
  const delAuths = db.prepare<[string]>(`DELETE FROM billing_auths WHERE tenant_id = ?`);
  const delBillings = db.prepare<[string]>(`DELETE FROM billings WHERE tenant_id = ?`);
  const delIdem = db.prepare<[string]>(`DELETE FROM idempotency WHERE tenant_id = ?`);
  const delEndpoints = db.prepare<[string]>(`DELETE FROM webhook_endpoints WHERE tenant_id = ?`);
  const delDeliveries = db.prepare<[string]>(`DELETE FROM webhook_deliveries WHERE tenant_id = ?`);

  // The columns a row derives from its record (rowColumns), in the same order in both statements.
  const payInsert = db.prepare<[string, string, ...RowColumns]>(
    `INSERT INTO payments (tenant_id, payment_key, order_id, status, data, deadline_at, rendition, rendition_tag, checkout)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const payGet = db.prepare<[string, string], string>(
    `SELECT data FROM payments WHERE tenant_id = ? AND payment_key = ?`,
  ).pluck();
  const payGetByOrder = db.prepare<[string, string], string>(
    `SELECT data FROM payments WHERE tenant_id = ? AND order_id = ?`,
  ).pluck();
  const payUpdate = db.prepare<[...RowColumns, string, string]>(
    `UPDATE payments SET order_id = ?, status = ?, data = ?, deadline_at = ?, rendition = ?, rendition_tag = ?, checkout = ?
     WHERE tenant_id = ? AND payment_key = ?`,
  );
  // One plucked BLOB, filtered in SQL: the bytes go to the socket as they are, never decoded
  // into a string and back, and no row object is built.
  const CURRENT = `rendition_tag = ? AND (deadline_at IS NULL OR deadline_at >= ?)`;
  const payRendition = db.prepare<[string, string, string, number], Buffer>(
    `SELECT CAST(rendition AS BLOB) FROM payments WHERE tenant_id = ? AND payment_key = ? AND ${CURRENT}`,
  ).pluck();
  const payRenditionByOrder = db.prepare<[string, string, string, number], Buffer>(
    `SELECT CAST(rendition AS BLOB) FROM payments WHERE tenant_id = ? AND order_id = ? AND ${CURRENT}`,
  ).pluck();
  const render = options.renderPayment;
  const rowColumns = (tenantId: string, rec: PaymentRecord): RowColumns => {
    const p = rec.payment;
    const rendition = render?.(tenantId, rec);
    return [p.orderId, p.status, recordJson(rec), nextDeadline(rec), rendition?.text ?? null, rendition?.tag ?? null, p.checkout ? 1 : 0];
  };
  // Across tenants, for the payment window: window payments only (checkout = 1, the partial index
  // payments_checkout). A key is unique per tenant only: prefer a payment still waiting in the
  // window, then the newest.
  const payFind = db.prepare<[string], { tenant_id: string; data: string }>(
    `SELECT tenant_id, data FROM payments WHERE payment_key = ? AND checkout = 1
     ORDER BY (status = 'READY') DESC, rowid DESC LIMIT 1`,
  );
  // Served by the partial index payments_deadline: only rows with a deadline are in it.
  const payDue = db.prepare<[string, number, number], string>(
    `SELECT payment_key FROM payments
     WHERE tenant_id = ? AND deadline_at IS NOT NULL AND deadline_at < ?
     ORDER BY deadline_at LIMIT ?`,
  ).pluck();

  const authInsert = db.prepare<[string, string, string]>(
    `INSERT INTO billing_auths (tenant_id, auth_key, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const authGet = db.prepare<[string, string], string>(
    `SELECT data FROM billing_auths WHERE tenant_id = ? AND auth_key = ?`,
  ).pluck();
  const authSet = db.prepare<[string, string, string]>(
    `UPDATE billing_auths SET data = ? WHERE tenant_id = ? AND auth_key = ?`,
  );

  // Upsert: an authKey with a fixed billingKey (fixtures) re-issues the same key after a reset.
  const billUpsert = db.prepare<[string, string, string]>(
    `INSERT INTO billings (tenant_id, billing_key, data) VALUES (?, ?, ?)
     ON CONFLICT (tenant_id, billing_key) DO UPDATE SET data = excluded.data`,
  );
  const billGet = db.prepare<[string, string], string>(
    `SELECT data FROM billings WHERE tenant_id = ? AND billing_key = ?`,
  ).pluck();
  const billInsert = db.prepare<[string, string, string]>(
    `INSERT INTO billings (tenant_id, billing_key, data) VALUES (?, ?, ?)`,
  );
  const billSet = db.prepare<[string, string, string]>(
    `UPDATE billings SET data = ? WHERE tenant_id = ? AND billing_key = ?`,
  );

  const idemGet = db.prepare<Scope4, IdemRow>(
    `SELECT done, status, content_type, body, created_at, claimed_at FROM idempotency
     WHERE tenant_id = ? AND idem_key = ? AND method = ? AND path = ?`,
  );
  const idemClaim = db.prepare<[...Scope4, number, number]>(
    `INSERT INTO idempotency (tenant_id, idem_key, method, path, done, created_at, claimed_at)
     VALUES (?, ?, ?, ?, 0, ?, ?)
     ON CONFLICT (tenant_id, idem_key, method, path) DO UPDATE SET
       done = 0, status = NULL, content_type = NULL, body = NULL,
       created_at = excluded.created_at, claimed_at = excluded.claimed_at`,
  );
  const idemPut = db.prepare<[...Scope4, number, string, string, number, number]>(
    `INSERT INTO idempotency (tenant_id, idem_key, method, path, done, status, content_type, body, created_at, claimed_at)
     VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, idem_key, method, path) DO UPDATE SET
       done = 1, status = excluded.status, content_type = excluded.content_type, body = excluded.body,
       created_at = excluded.created_at`,
  );
  const idemRelease = db.prepare<Scope4>(
    `DELETE FROM idempotency WHERE tenant_id = ? AND idem_key = ? AND method = ? AND path = ? AND done = 0`,
  );
  const idemPurge = db.prepare<[string, number]>(`DELETE FROM idempotency WHERE tenant_id = ? AND created_at < ?`);

  const whInsert = db.prepare<[string, string, string]>(`INSERT INTO webhook_endpoints (tenant_id, id, data) VALUES (?, ?, ?)`);
  const whList = db.prepare<[string], string>(`SELECT data FROM webhook_endpoints WHERE tenant_id = ? ORDER BY seq`).pluck();
  const whAny = db.prepare<[string], number>(`SELECT 1 FROM webhook_endpoints WHERE tenant_id = ? LIMIT 1`).pluck();
  const whGet = db.prepare<[string, string], string>(`SELECT data FROM webhook_endpoints WHERE tenant_id = ? AND id = ?`).pluck();
  const whDelete = db.prepare<[string, string]>(`DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ?`);
  const dlvInsert = db.prepare<[string, string, string, string, string, number | null, string]>(
    `INSERT INTO webhook_deliveries (tenant_id, id, webhook_id, event_type, status, next_attempt_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const dlvGet = db.prepare<[string, string], string>(`SELECT data FROM webhook_deliveries WHERE tenant_id = ? AND id = ?`).pluck();
  const dlvSet = db.prepare<[string, number | null, string, string, string]>(
    `UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, data = ? WHERE tenant_id = ? AND id = ?`,
  );
  // Served by webhook_deliveries_tenant, read backwards.
  const dlvList = db.prepare<[{ tenant: string; event: string | null; status: string | null; limit: number }], string>(
    `SELECT data FROM webhook_deliveries
     WHERE tenant_id = @tenant AND (@event IS NULL OR event_type = @event) AND (@status IS NULL OR status = @status)
     ORDER BY seq DESC LIMIT @limit`,
  ).pluck();
  const dlvScheduledOf = db.prepare<[string, string], string>(
    `SELECT data FROM webhook_deliveries WHERE tenant_id = ? AND webhook_id = ? AND next_attempt_at IS NOT NULL`,
  ).pluck();
  // Both served by the partial index webhook_deliveries_due: only scheduled rows are in it.
  const dlvSchedules = db.prepare<[], { tenant_id: string; next: number }>(
    `SELECT tenant_id, MIN(next_attempt_at) AS next FROM webhook_deliveries WHERE next_attempt_at IS NOT NULL GROUP BY tenant_id`,
  );
  const dlvDue = db.prepare<[string, number, number], string>(
    `SELECT data FROM webhook_deliveries
     WHERE tenant_id = ? AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?
     ORDER BY next_attempt_at, seq LIMIT ?`,
  ).pluck();
  const dlvPurge = db.prepare<[{ tenant: string; keep: number }]>(
    `DELETE FROM webhook_deliveries WHERE tenant_id = @tenant AND next_attempt_at IS NULL AND seq <=
       (SELECT seq FROM webhook_deliveries WHERE tenant_id = @tenant ORDER BY seq DESC LIMIT 1 OFFSET @keep)`,
  );

  // ---- helpers (synchronous; always called inside a transaction or as one statement)
  const insertPaymentSync = (tenantId: string, rec: PaymentRecord): void =>
    writingOrderId(() => payInsert.run(tenantId, rec.payment.paymentKey, ...rowColumns(tenantId, rec)));

  // Group commit: the payment writes of one turn of the event loop (concurrent key-ins, confirms,
  // cancels...) share one transaction, committed before any of them is answered. A commit costs
  // about as much as the writes it carries, so under load this halves a write's store time; a
  // lone write waits only for setImmediate. Writes run in arrival order, each seeing the ones
  // before it; one that fails (DUPLICATED_ORDER_ID, a refused transition) is undone alone (a
  // failed statement; a refused transition writes nothing), and a failed commit fails them all.
  interface QueuedWrite {
    run: () => unknown;
    resolve: (value: never) => void;
    reject: (err: unknown) => void;
  }
  let queuedWrites: QueuedWrite[] = [];
  const FAILED = Symbol("failed");
  const writeBatchTx = db.transaction((batch: QueuedWrite[]) =>
    batch.map((item) => {
      try {
        return { value: item.run() };
      } catch (err) {
        // An error that made SQLite roll the whole transaction back (disk full, I/O) fails the
        // batch: the writes after it would otherwise each commit on their own.
        if (!db.inTransaction) throw err;
        return { [FAILED]: err };
      }
    }),
  );
  const flushWrites = (): void => {
    const batch = queuedWrites;
    if (batch.length === 0) return;
    queuedWrites = [];
    let outcomes: Array<{ value?: unknown; [FAILED]?: unknown }>;
    try {
      outcomes = writeBatchTx.immediate(batch);
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (FAILED in o) item.reject(o[FAILED]);
      else item.resolve(o.value as never);
    });
  };
  const queueWrite = <T>(run: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (queuedWrites.push({ run, resolve: resolve as (value: never) => void, reject }) === 1) setImmediate(flushWrites);
    });

  const lastPurge = new Map<string, number>();

  const tenantUpdateTx = db.transaction((id: string, mutate: (t: Tenant) => Tenant): Tenant | undefined => {
    const text = tenantGet.get(id);
    if (text === undefined) return undefined;
    const prev = parseTenant(text);
    const next = mutate(prev);
    if (next === prev) return prev;
    if (next.id !== id || next.secretKey !== prev.secretKey) throw new Error("mutate must not change a tenant's id or keys");
    tenantSetData.run(JSON.stringify(next), id);
    return next;
  });

  const resetTx = db.transaction((id: string) => {
    delPayments.run(id);
    delAuths.run(id);
    delBillings.run(id);
    delIdem.run(id);
    delEndpoints.run(id);
    delDeliveries.run(id);
  });

  const writeDelivery = (tenantId: string, d: WebhookDeliveryRecord): void => {
    dlvSet.run(d.status, d.nextAttemptAt, JSON.stringify(d), tenantId, d.id);
  };

  const deleteEndpointTx = db.transaction(
    (tenantId: string, webhookId: string, drop: (d: WebhookDeliveryRecord) => WebhookDeliveryRecord): WebhookEndpointRecord | undefined => {
      const text = whGet.get(tenantId, webhookId);
      if (text === undefined) return undefined;
      whDelete.run(tenantId, webhookId);
      for (const row of dlvScheduledOf.all(tenantId, webhookId)) {
        const prev = parseDelivery(row);
        const next = drop(prev);
        if (next !== prev) writeDelivery(tenantId, { ...next, id: prev.id });
      }
      return parseEndpoint(text);
    },
  );

  const enqueuedSince = new Map<string, number>();
  const enqueueTx = db.transaction(
    (tenantId: string, eventType: string, build: (e: WebhookEndpointRecord) => WebhookDeliveryRecord): WebhookDeliveryRecord[] => {
      const created: WebhookDeliveryRecord[] = [];
      for (const text of whList.all(tenantId)) {
        const endpoint = parseEndpoint(text);
        if (!(endpoint.events as string[]).includes(eventType)) continue;
        const d = build(endpoint);
        dlvInsert.run(tenantId, d.id, d.webhookId, d.eventType, d.status, d.nextAttemptAt, JSON.stringify(d));
        created.push(d);
      }
      if (created.length > 0) {
        // Lazy purge of the log, one indexed range delete every WEBHOOK_PURGE_EVERY deliveries.
        const count = (enqueuedSince.get(tenantId) ?? WEBHOOK_PURGE_EVERY) + created.length;
        if (count >= WEBHOOK_PURGE_EVERY) {
          dlvPurge.run({ tenant: tenantId, keep: WEBHOOK_LOG_KEEP });
          enqueuedSince.set(tenantId, 0);
        } else enqueuedSince.set(tenantId, count);
      }
      return created;
    },
  );

  const updateDeliveryTx = db.transaction(
    (tenantId: string, id: string, mutate: (d: WebhookDeliveryRecord) => WebhookDeliveryRecord): WebhookDeliveryRecord | undefined => {
      const text = dlvGet.get(tenantId, id);
      if (text === undefined) return undefined;
      const prev = parseDelivery(text);
      const next = mutate(prev);
      if (next === prev) return prev;
      if (next.id !== id) throw new Error("mutate must not change a delivery's id");
      writeDelivery(tenantId, next);
      return next;
    },
  );

  // No SAVEPOINT of its own (it runs in the batch's transaction): mutate runs before the one
  // UPDATE, and SQLite undoes a failed statement alone, so a refused write leaves nothing behind.
  // That holds for the ABORT conflict rule, the only one this schema uses: an OR FAIL or
  // RAISE(FAIL) would keep a failed statement's earlier changes.
  const updatePaymentSync = (tenantId: string, paymentKey: string, mutate: (rec: PaymentRecord) => PaymentRecord): PaymentRecord | undefined => {
    const text = payGet.get(tenantId, paymentKey);
    if (text === undefined) return undefined;
    const prev = parsePayment(text);
    const next = mutate(prev);
    if (next === prev) return prev; // documented "no change" signal
    if (next.payment.paymentKey !== paymentKey) throw new Error("mutate must not change paymentKey");
    writingOrderId(() => payUpdate.run(...rowColumns(tenantId, next), tenantId, paymentKey));
    return next;
  };

  const consumeAuthTx = db.transaction(
    (tenantId: string, authKey: string, build: (auth: BillingAuth) => BillingRecord): BillingRecord | undefined => {
      const text = authGet.get(tenantId, authKey);
      if (text === undefined) return undefined;
      const auth = JSON.parse(text) as BillingAuth;
      const rec = build(auth);
      const used: BillingAuth = { ...auth, used: true, billingKey: rec.billing.billingKey };
      authSet.run(JSON.stringify(used), tenantId, authKey);
      billUpsert.run(tenantId, rec.billing.billingKey, JSON.stringify(rec));
      return rec;
    },
  );

  const updateBillingTx = db.transaction(
    (tenantId: string, billingKey: string, mutate: (rec: BillingRecord) => BillingRecord): BillingRecord | undefined => {
      const text = billGet.get(tenantId, billingKey);
      if (text === undefined) return undefined;
      const prev = JSON.parse(text) as BillingRecord;
      const next = mutate(prev);
      if (next === prev) return prev;
      if (next.billing.billingKey !== billingKey) throw new Error("mutate must not change billingKey");
      billSet.run(JSON.stringify(next), tenantId, billingKey);
      return next;
    },
  );

  const chargeTx = db.transaction(
    (tenantId: string, billingKey: string, build: (b: BillingRecord) => PaymentRecord): PaymentRecord | undefined => {
      const text = billGet.get(tenantId, billingKey);
      if (text === undefined) return undefined;
      const rec = build(JSON.parse(text) as BillingRecord);
      insertPaymentSync(tenantId, rec);
      return rec;
    },
  );

  const claimTx = db.transaction((s: Scope4, now: number, staleAfterMs: number): IdempotencyClaim => {
    const row = idemGet.get(...s);
    if (row !== undefined) {
      if (row.done === 1) {
        if (row.created_at >= now - IDEMPOTENCY_TTL_MS) return { state: "done", record: toIdemRecord(row) };
      } else if (row.claimed_at >= now - staleAfterMs) {
        return { state: "processing" };
      }
    }
    idemClaim.run(...s, now, now);
    return { state: "claimed" };
  });

  // Read-modify-write transactions take the write lock up front (BEGIN IMMEDIATE): with several
  // processes on one file, a deferred transaction could fail to upgrade its read lock.
  const store: Store = {
    async upsertTenant(t: Tenant) {
      tenantUpsert.run(t.id, t.secretKey, t.clientKey, JSON.stringify(t));
    },
    async getTenant(id) {
      const text = tenantGet.get(id);
      return text === undefined ? undefined : parseTenant(text);
    },
    async getTenantBySecretKey(secretKey) {
      const text = tenantBySecret.get(secretKey);
      return text === undefined ? undefined : parseTenant(text);
    },
    async getTenantByClientKey(clientKey) {
      const text = tenantByClient.get(clientKey);
      return text === undefined ? undefined : parseTenant(text);
    },
    async listTenants() {
      return tenantList.all().map(parseTenant);
    },
    async updateTenant(id, mutate) {
      return tenantUpdateTx.immediate(id, mutate);
    },
    async updateTenantSettings(id: string, settings: TenantSettings) {
      return tenantUpdateTx.immediate(id, (t) => ({ ...t, settings: { ...settings } }));
    },
    async resetTenant(id) {
      resetTx.immediate(id);
      lastPurge.delete(id);
      enqueuedSince.delete(id);
    },

    insertPayment(tenantId, rec) {
      return queueWrite(() => insertPaymentSync(tenantId, rec));
    },
    async getPayment(tenantId, paymentKey) {
      const text = payGet.get(tenantId, paymentKey);
      return text === undefined ? undefined : readPayment(text);
    },
    async getPaymentByOrderId(tenantId, orderId) {
      const text = payGetByOrder.get(tenantId, orderId);
      return text === undefined ? undefined : readPayment(text);
    },
    async getCurrentRendition(tenantId, by, tag, now) {
      // rendition_tag is NULL where no rendition was stored: such a row never matches.
      return "paymentKey" in by ? payRendition.get(tenantId, by.paymentKey, tag, now) : payRenditionByOrder.get(tenantId, by.orderId, tag, now);
    },
    async findPayment(paymentKey) {
      const row = payFind.get(paymentKey);
      return row === undefined ? undefined : { tenantId: row.tenant_id, rec: parsePayment(row.data) };
    },
    async listDuePayments(tenantId, now, limit) {
      return payDue.all(tenantId, now, limit);
    },
    updatePayment(tenantId, paymentKey, mutate) {
      return queueWrite(() => updatePaymentSync(tenantId, paymentKey, mutate));
    },

    async insertBillingAuth(tenantId, auth) {
      return authInsert.run(tenantId, auth.authKey, JSON.stringify(auth)).changes === 1;
    },
    async getBillingAuth(tenantId, authKey) {
      const text = authGet.get(tenantId, authKey);
      return text === undefined ? undefined : (JSON.parse(text) as BillingAuth);
    },
    async consumeBillingAuthAndInsertBilling(tenantId, authKey, build) {
      return consumeAuthTx.immediate(tenantId, authKey, build);
    },
    async insertBilling(tenantId, rec) {
      billInsert.run(tenantId, rec.billing.billingKey, JSON.stringify(rec));
    },
    async getBilling(tenantId, billingKey) {
      const text = billGet.get(tenantId, billingKey);
      return text === undefined ? undefined : (JSON.parse(text) as BillingRecord);
    },
    async updateBilling(tenantId, billingKey, mutate) {
      return updateBillingTx.immediate(tenantId, billingKey, mutate);
    },
    async chargeBilling(tenantId, billingKey, build) {
      return chargeTx.immediate(tenantId, billingKey, build);
    },

    async getIdempotent(scope, now) {
      const row = idemGet.get(...scope4(scope));
      if (row === undefined || row.done !== 1) return undefined;
      if (now !== undefined && row.created_at < now - IDEMPOTENCY_TTL_MS) return undefined;
      return toIdemRecord(row);
    },
    async claimIdempotent(scope, now, staleAfterMs) {
      return claimTx.immediate(scope4(scope), now, staleAfterMs);
    },
    async putIdempotent(scope, rec) {
      idemPut.run(...scope4(scope), rec.status, rec.contentType, rec.body, rec.createdAt, rec.createdAt);
      // Lazy purge: at most once an hour per tenant, one indexed range delete.
      const last = lastPurge.get(scope.tenantId);
      if (last === undefined || rec.createdAt - last >= PURGE_EVERY_MS || rec.createdAt < last) {
        lastPurge.set(scope.tenantId, rec.createdAt);
        idemPurge.run(scope.tenantId, rec.createdAt - IDEMPOTENCY_TTL_MS);
      }
    },
    async releaseIdempotent(scope) {
      idemRelease.run(...scope4(scope));
    },
    async purgeIdempotent(tenantId, cutoff) {
      return idemPurge.run(tenantId, cutoff).changes;
    },

    async insertWebhookEndpoint(tenantId, endpoint) {
      whInsert.run(tenantId, endpoint.id, JSON.stringify(endpoint));
    },
    async listWebhookEndpoints(tenantId) {
      return whList.all(tenantId).map(parseEndpoint);
    },
    async deleteWebhookEndpoint(tenantId, webhookId, drop) {
      return deleteEndpointTx.immediate(tenantId, webhookId, drop);
    },
    async enqueueWebhookDeliveries(tenantId, eventType, build) {
      // Most tenants have no endpoint: answer from a plain read, without taking the write lock
      // (BEGIN IMMEDIATE + COMMIT on every payment change otherwise). The transaction re-reads.
      if (whAny.get(tenantId) === undefined) return [];
      return enqueueTx.immediate(tenantId, eventType, build);
    },
    async getWebhookDelivery(tenantId, deliveryId) {
      const text = dlvGet.get(tenantId, deliveryId);
      return text === undefined ? undefined : parseDelivery(text);
    },
    async listWebhookDeliveries(tenantId, query) {
      return dlvList.all({ tenant: tenantId, event: query.eventType ?? null, status: query.status ?? null, limit: query.limit }).map(parseDelivery);
    },
    async listWebhookSchedules() {
      return dlvSchedules.all().map((r) => ({ tenantId: r.tenant_id, nextAttemptAt: r.next }));
    },
    async listDueWebhookDeliveries(tenantId, now, limit) {
      return dlvDue.all(tenantId, now, limit).map(parseDelivery);
    },
    async updateWebhookDelivery(tenantId, deliveryId, mutate) {
      return updateDeliveryTx.immediate(tenantId, deliveryId, mutate);
    },

    async close() {
      if (db.open) flushWrites();
      if (db.open) db.close();
    },
  };
  return store;
}
