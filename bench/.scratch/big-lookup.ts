import Database from "better-sqlite3"; import { mkdtempSync, rmSync, statSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
import { seedPayments } from "../lib/seed.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
const dir = mkdtempSync(join(tmpdir(), "bl-")); const db = join(dir, "b.db");
const st = openSqliteStore(db); await st.close();
const d0 = new Database(db);
d0.prepare("INSERT INTO payments (tenant_id, payment_key, order_id, status, data) VALUES ('t', 'tplkey', 'tplorder', 'DONE', ?)").run(JSON.stringify({ payment: { paymentKey: "tplkey", orderId: "tplorder", pad: "x".repeat(1300) } }));
d0.close();
const N = Number(process.env.N ?? 1000000);
console.log(seedPayments(db, { templateKey: "tplkey", keyPrefix: "k_", orderPrefix: "o_", from: 1, to: N }), statSync(db).size >> 20, "MB");
for (const mmap of [268435456, 0]) for (const cache of [-2000, -65536]) {
  const d = new Database(db); d.pragma("journal_mode = WAL"); d.pragma(`mmap_size = ${mmap}`); d.pragma(`cache_size = ${cache}`);
  const get = d.prepare("SELECT data FROM payments WHERE tenant_id = ? AND payment_key = ?").pluck();
  for (let i = 0; i < 20000; i++) get.get("t", "k_" + (1 + Math.floor(Math.random() * N)));
  const t = performance.now(); const M = 100000;
  for (let i = 0; i < M; i++) get.get("t", "k_" + (1 + Math.floor(Math.random() * N)));
  console.log(`mmap ${mmap} cache ${cache}: ${(((performance.now() - t) * 1000) / M).toFixed(2)} µs/lookup`);
  const small = d.prepare("SELECT data FROM payments WHERE tenant_id = ? AND payment_key = ?").pluck();
  const t2 = performance.now();
  for (let i = 0; i < M; i++) small.get("t", "k_" + (1 + Math.floor(Math.random() * 1000)));
  console.log(`   same, keys among the first 1000: ${(((performance.now() - t2) * 1000) / M).toFixed(2)} µs/lookup`);
  d.close();
}
rmSync(dir, { recursive: true, force: true });
