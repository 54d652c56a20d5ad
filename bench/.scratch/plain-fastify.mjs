// ad-hoc calibration: a plain fastify + better-sqlite3 server over the same file (GET and a write)
import Fastify from "fastify";
import Database from "better-sqlite3";
const db = new Database(process.env.DB); db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL");
const get = db.prepare("SELECT data FROM payments WHERE payment_key = ?").pluck();
const ins = db.prepare("INSERT INTO payments (tenant_id, payment_key, order_id, status, data) VALUES ('t', ?, ?, 'DONE', ?)");
const app = Fastify({ logger: false });
app.get("/v1/payments/:paymentKey", async (req, reply) => { const t = get.get(req.params.paymentKey); if (!t) return reply.code(404).send({ code: "NOT_FOUND_PAYMENT", message: "x" }); return JSON.parse(t); });
let n = 0;
app.post("/v1/payments/key-in", async (req) => { const p = { ...req.body, paymentKey: "pk" + process.pid + "_" + ++n, status: "DONE", totalAmount: req.body.amount }; ins.run(p.paymentKey, p.orderId, JSON.stringify(p)); return p; });
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
