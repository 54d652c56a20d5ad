// Bulk seeding of a FakeToss SQLite file, straight into the store's own tables (never over
// HTTP): copies of one real payment row that the server itself wrote, with a new paymentKey and
// orderId, inserted by SQLite in big transactions (a recursive CTE: no per-row JavaScript).
//
// The row is copied column by column as the server wrote it (whatever columns the current schema
// has: deadline_at, status...), and the JSON `data` gets the new keys by text replacement of the
// template's (unique, random) paymentKey and orderId, and so does its stored rendition. The
// server must not be writing the same file at the time, or must be (WAL, busy_timeout) — both
// work; the writes are plain inserts.
import Database from "better-sqlite3";

export interface SeedOptions {
  /** The paymentKey of the template row (a payment the server created). */
  templateKey: string;
  /** New rows get paymentKey `${keyPrefix}${i}` and orderId `${orderPrefix}${i}`, i = from..to. */
  keyPrefix: string;
  orderPrefix: string;
  from: number;
  to: number;
  /** Rows per transaction. */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export function seedPayments(dbPath: string, opts: SeedOptions): { rows: number; ms: number } {
  const started = performance.now();
  const db = new Database(dbPath);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 10000");
    db.pragma("synchronous = OFF"); // a benchmark fixture: a crash here just means re-seeding
    db.pragma("cache_size = -262144"); // 256 MB page cache for the index inserts
    const template = db
      .prepare<[string], { tenant_id: string; payment_key: string; order_id: string }>(
        `SELECT tenant_id, payment_key, order_id FROM payments WHERE payment_key = ? ORDER BY rowid LIMIT 1`,
      )
      .get(opts.templateKey);
    if (!template) throw new Error(`seed: no template payment ${opts.templateKey} in ${dbPath}`);
    const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('payments')`).all().map((c) => c.name);
    const exprs = columns.map((c) => {
      if (c === "payment_key") return `$keyPrefix || n.i`;
      if (c === "order_id") return `$orderPrefix || n.i`;
      // The record and its rendered answer (sqlite.ts) both carry the keys.
      if (c === "data" || c === "rendition") return `replace(replace(t."${c}", $tplKey, $keyPrefix || n.i), $tplOrder, $orderPrefix || n.i)`;
      return `t."${c}"`;
    });
    const insert = db.prepare(
      `INSERT INTO payments (${columns.map((c) => `"${c}"`).join(", ")})
       WITH RECURSIVE n(i) AS (SELECT CAST($from AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < $to)
       SELECT ${exprs.join(", ")}
       FROM n, (SELECT * FROM payments WHERE tenant_id = $tenant AND payment_key = $tplKey) AS t`,
    );
    const batch = opts.batch ?? 100_000;
    const total = opts.to - opts.from + 1;
    let rows = 0;
    for (let from = opts.from; from <= opts.to; from += batch) {
      const to = Math.min(opts.to, from + batch - 1);
      const run = db.transaction(() =>
        insert.run({
          from,
          to,
          keyPrefix: opts.keyPrefix,
          orderPrefix: opts.orderPrefix,
          tplKey: template.payment_key,
          tplOrder: template.order_id,
          tenant: template.tenant_id,
        }),
      );
      rows += run.immediate().changes;
      opts.onProgress?.(rows, total);
    }
    db.pragma("wal_checkpoint(TRUNCATE)");
    return { rows, ms: performance.now() - started };
  } finally {
    db.close();
  }
}

/** Number of payment rows in the file. */
export function countPayments(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare<[], number>(`SELECT count(*) FROM payments`).pluck().get() ?? 0;
  } finally {
    db.close();
  }
}
