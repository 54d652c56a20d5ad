// A yardstick, not a contender: the "plain fastify + SQLite" server that issue #6 calibrates its
// targets with. Same routes and file as FakeToss (GET a payment by key, key-in insert, partial
// cancel as a read-modify-write transaction), none of FakeToss's contract work: no auth, no
// OpenAPI validation, no wire mapping, no idempotency.
import Fastify from "fastify";
import Database from "better-sqlite3";

const db = new Database(process.env.FAKETOSS_DB!);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
// Its own copy of a FakeToss file: FakeToss's triggers (for older FakeToss versions on one file)
// are not part of a plain fastify + SQLite server, and would tax its writes.
for (const t of db.prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).pluck().all()) db.exec(`DROP TRIGGER "${t}"`);
const tenant = (db.prepare("SELECT tenant_id FROM payments WHERE payment_key LIKE 'bench_g_%' LIMIT 1").pluck().get() as string | undefined) ?? "t";
const get = db.prepare<[string, string], string>("SELECT data FROM payments WHERE tenant_id = ? AND payment_key = ?").pluck();
const insert = db.prepare("INSERT INTO payments (tenant_id, payment_key, order_id, status, data) VALUES (?, ?, ?, 'DONE', ?)");
const update = db.prepare("UPDATE payments SET status = ?, data = ? WHERE tenant_id = ? AND payment_key = ?");
const cancel = db.transaction((key: string, amount: number) => {
  const text = get.get(tenant, key);
  if (text === undefined) return undefined;
  const rec = JSON.parse(text) as { payment: { balanceAmount: number; status: string; cancels: unknown[] | null } };
  const p = rec.payment;
  if (amount > p.balanceAmount) return null;
  p.balanceAmount -= amount;
  p.status = "PARTIAL_CANCELED";
  p.cancels = [...(p.cancels ?? []), { cancelAmount: amount, canceledAt: new Date().toISOString() }];
  update.run(p.status, JSON.stringify(rec), tenant, key);
  return p;
});

let n = 0;
const app = Fastify({ logger: false });
app.get<{ Params: { paymentKey: string } }>("/v1/payments/:paymentKey", async (req, reply) => {
  const text = get.get(tenant, req.params.paymentKey);
  if (text === undefined) return reply.code(404).send({ code: "NOT_FOUND_PAYMENT", message: "not found" });
  return (JSON.parse(text) as { payment: unknown }).payment;
});
app.post<{ Body: { amount: number; orderId: string; orderName: string } }>("/v1/payments/key-in", async (req) => {
  const payment = { ...req.body, paymentKey: `ref_${process.pid}_${++n}`, status: "DONE", totalAmount: req.body.amount, balanceAmount: req.body.amount, cancels: null };
  insert.run(tenant, payment.paymentKey, payment.orderId, JSON.stringify({ payment }));
  return payment;
});
app.post<{ Params: { paymentKey: string }; Body: { cancelAmount: number } }>("/v1/payments/:paymentKey/cancel", async (req, reply) => {
  const p = cancel.immediate(req.params.paymentKey, req.body.cancelAmount);
  if (p === undefined) return reply.code(404).send({ code: "NOT_FOUND_PAYMENT", message: "not found" });
  if (p === null) return reply.code(403).send({ code: "NOT_CANCELABLE_AMOUNT", message: "too much" });
  return p;
});
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
