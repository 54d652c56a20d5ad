// Races: many requests at once on one object, over real HTTP connections (one socket each).
// The outcome must be what a serial execution would give: one confirm wins, cancels never
// overdraw, one Idempotency-Key has one effect, deposits and deposit-cancels alternate.
// The cancel race runs twice: in one server, and split across two server processes sharing
// one SQLite file (true parallelism on two cores).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startServerProcess, type ServerProcess } from "./lib/server-process.js";
import { call, expectOk, freshId, issueVa, keyIn, newTenant, type Target } from "./lib/tenant.js";

let server: TestServer;
let t: Target;
let key: string;

beforeAll(async () => {
  server = await startTestServer();
  const u = new URL(server.url);
  t = { host: u.hostname, port: Number(u.port) };
  key = (await newTenant(t)).secretKey;
});
afterAll(() => server?.close());

const all = <T>(n: number, f: (i: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
const codes = (rs: Array<{ status: number; json: any }>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of rs) {
    const k = r.status === 200 ? "200" : `${r.status} ${r.json?.code}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

async function authenticatedSession(amount = 15000): Promise<{ paymentKey: string; orderId: string; amount: number }> {
  const orderId = freshId("race");
  const created = await expectOk(
    call(t, "POST", "/v1/payments", key, { method: "CARD", amount, orderId, orderName: "경쟁 주문", successUrl: "http://127.0.0.1:9/s", failUrl: "http://127.0.0.1:9/f" }),
    "createPayment",
  );
  await expectOk(call(t, "POST", `/sandbox/payments/${created.paymentKey}/authenticate`, key), "authenticatePayment");
  return { paymentKey: created.paymentKey, orderId, amount };
}

describe("50 concurrent confirms of one session", () => {
  it("approve exactly once; the other 49 get ALREADY_PROCESSED_PAYMENT", async () => {
    const session = await authenticatedSession();
    const results = await all(50, () => call(t, "POST", "/v1/payments/confirm", key, session));
    const ok = results.filter((r) => r.status === 200);
    expect(ok, JSON.stringify(codes(results))).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused.every((r) => r.status === 400 && r.json?.code === "ALREADY_PROCESSED_PAYMENT"), JSON.stringify(codes(results))).toBe(true);
    const after = await expectOk(call(t, "GET", `/v1/payments/${session.paymentKey}`, key), "getPayment");
    expect(after.status).toBe("DONE");
    expect(after).toEqual(ok[0]!.json);
  });
});

async function cancelRace(targets: Target[], secretKey: string): Promise<void> {
  const p = await keyIn(targets[0]!, secretKey, 10_000);
  const results = await all(20, (i) =>
    call(targets[i % targets.length]!, "POST", `/v1/payments/${p.paymentKey}/cancel`, secretKey, { cancelReason: `race ${i}`, cancelAmount: 1000 }),
  );
  const ok = results.filter((r) => r.status === 200);
  expect(ok, JSON.stringify(codes(results))).toHaveLength(10);
  const refused = results.filter((r) => r.status !== 200);
  expect(refused.every((r) => r.status === 403 && r.json?.code === "NOT_CANCELABLE_AMOUNT"), JSON.stringify(codes(results))).toBe(true);
  // Each success saw a distinct balance, 9000 down to 0: a serial order exists.
  expect(ok.map((r) => r.json.balanceAmount).sort((a, b) => b - a)).toEqual([9000, 8000, 7000, 6000, 5000, 4000, 3000, 2000, 1000, 0]);
  for (const r of ok) expect(r.json.balanceAmount).toBeGreaterThanOrEqual(0);
  const after = await expectOk(call(targets[0]!, "GET", `/v1/payments/${p.paymentKey}`, secretKey), "getPayment");
  expect(after.balanceAmount).toBe(0);
  expect(after.status).toBe("PARTIAL_CANCELED");
  expect(after.cancels).toHaveLength(10);
  expect(after.cancels.reduce((s: number, c: { cancelAmount: number }) => s + c.cancelAmount, 0)).toBe(10_000);
  expect(after.cancels.map((c: { refundableAmount: number }) => c.refundableAmount)).toEqual([9000, 8000, 7000, 6000, 5000, 4000, 3000, 2000, 1000, 0]);
  // The stored payment is the last success's answer.
  expect(ok.map((r) => r.json)).toContainEqual(after);
}

describe("20 concurrent partial cancels of 1,000 on a 10,000 payment", () => {
  it("exactly 10 succeed, the balance ends at 0 and is never negative (one server)", async () => {
    await cancelRace([t], key);
  });

  describe("two server processes on one SQLite file", () => {
    let dir: string;
    let a: ServerProcess | undefined;
    let b: ServerProcess | undefined;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "faketoss-races-"));
      const db = join(dir, "shared.db");
      a = await startServerProcess({ FAKETOSS_DB: db });
      b = await startServerProcess({ FAKETOSS_DB: db }); // after a: fixtures are installed once
    }, 120_000);
    afterAll(async () => {
      await a?.kill();
      await b?.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it("exactly 10 succeed across both processes, balance 0", async () => {
      const ta = { host: a!.host, port: a!.port };
      const tb = { host: b!.host, port: b!.port };
      await cancelRace([ta, tb], "test_sk_yjroot_faketoss_default");
      for (const s of [a!, b!]) expect(s.child.exitCode).toBeNull();
    }, 60_000);
  });
});

describe("20 concurrent requests with one Idempotency-Key", () => {
  it("key-in: one payment is created; the others replay it byte for byte or get 409", async () => {
    const idem = freshId("idem");
    const orderIds = Array.from({ length: 20 }, () => freshId("idem-order"));
    const results = await all(20, (i) =>
      call(
        t,
        "POST",
        "/v1/payments/key-in",
        key,
        { amount: 12_000, orderId: orderIds[i], orderName: "멱등 경쟁", cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" },
        { "idempotency-key": idem },
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const busy = results.filter((r) => r.status === 409);
    expect(ok.length + busy.length, JSON.stringify(codes(results))).toBe(20);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(busy.every((r) => r.json?.code === "IDEMPOTENT_REQUEST_PROCESSING")).toBe(true);
    expect(new Set(ok.map((r) => r.text)).size).toBe(1); // replays are byte-identical
    // Exactly one of the 20 orderIds exists: one effect.
    const found = await Promise.all(orderIds.map((o) => call(t, "GET", `/v1/payments/orders/${o}`, key)));
    expect(found.filter((r) => r.status === 200)).toHaveLength(1);
    expect(found.filter((r) => r.status === 404)).toHaveLength(19);
    // A later retry replays the same answer.
    const again = await call(t, "POST", "/v1/payments/key-in", key, { amount: 1 }, { "idempotency-key": idem });
    expect(again.status).toBe(200);
    expect(again.text).toBe(ok[0]!.text);
  });

  it("partial cancel: the balance drops once", async () => {
    const p = await keyIn(t, key, 10_000);
    const idem = freshId("idem-cancel");
    const results = await all(20, () => call(t, "POST", `/v1/payments/${p.paymentKey}/cancel`, key, { cancelReason: "once", cancelAmount: 1000 }, { "idempotency-key": idem }));
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length + results.filter((r) => r.status === 409 && r.json?.code === "IDEMPOTENT_REQUEST_PROCESSING").length, JSON.stringify(codes(results))).toBe(20);
    expect(new Set(ok.map((r) => r.text)).size).toBe(1);
    const after = await expectOk(call(t, "GET", `/v1/payments/${p.paymentKey}`, key), "getPayment");
    expect(after.balanceAmount).toBe(9000);
    expect(after.cancels).toHaveLength(1);
  });
});

describe("concurrent deposits and deposit-cancels on one virtual account", () => {
  it("successes alternate (a serial order exists) and the final state is the last success", async () => {
    const va = await issueVa(t, key, 25_000);
    const path = (op: string) => `/sandbox/virtual-accounts/${va.paymentKey}/${op}`;
    const successes: Array<{ op: string; body: any }> = [];
    for (let round = 0; round < 5; round++) {
      const ops = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? "deposit" : "deposit-cancel"));
      const results = await Promise.all(ops.map((op) => call(t, "POST", path(op), key).then((r) => ({ op, r }))));
      for (const { op, r } of results) {
        if (r.status === 200) {
          successes.push({ op, body: r.json });
          expect(r.json.status).toBe(op === "deposit" ? "DONE" : "WAITING_FOR_DEPOSIT");
        } else {
          expect(r.status, r.text).toBeLessThan(500);
          expect(r.json?.code, r.text).toBe("INVALID_PAYMENT_STATUS");
        }
      }
    }
    const deposits = successes.filter((s) => s.op === "deposit").length;
    const cancels = successes.length - deposits;
    // Starting from WAITING_FOR_DEPOSIT, a serial history alternates deposit, cancel, deposit...
    expect(deposits - cancels).toBeGreaterThanOrEqual(0);
    expect(deposits - cancels).toBeLessThanOrEqual(1);
    expect(deposits).toBeGreaterThanOrEqual(1);
    const final = await expectOk(call(t, "GET", `/v1/payments/${va.paymentKey}`, key), "getPayment");
    expect(final.status).toBe(deposits > cancels ? "DONE" : "WAITING_FOR_DEPOSIT");
    expect(final.totalAmount).toBe(25_000);
    expect(final.balanceAmount).toBe(25_000);
    expect(final.cancels).toBeNull();
    // Whatever committed last is one of the successful answers, as it was sent.
    expect(successes.map((s) => s.body)).toContainEqual(final);
    // Every transition got its own transaction key.
    expect(new Set(successes.map((s) => s.body.lastTransactionKey)).size).toBe(successes.length);
  });
});
