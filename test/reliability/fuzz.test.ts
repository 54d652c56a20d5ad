// Fuzz: for EVERY operation of openapi.yaml, malformed requests generated from the spec with
// fast-check (lib/fuzz.ts: wrong types, missing fields, out-of-range values, huge strings, odd
// Unicode, bad JSON, wrong content types, bad or missing auth, path injection, bad headers).
// Every answer is a Toss-shaped 4xx ({code, message}, application/json) or a success — never a
// 5xx — and the server answers a health request afterwards. The browser pages (tag
// `Payment Window`) answer HTML: for them only "no 5xx" is asserted.
//
// FUZZ_RUNS sets the cases per operation (default 200); FUZZ_SEED replays a failing run.
import http from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { basic, caseArb, type FuzzContext } from "./lib/fuzz.js";
import { describeCase, judge, send, sendRaw } from "./lib/send.js";
import { listOperations } from "./lib/spec-ops.js";
import { call, DEFAULT_SECRET_KEY, newTenant, seedPools, type Target } from "./lib/tenant.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const BODY_LIMIT = 65_536;
const operations = listOperations();

let server: TestServer;
let target: Target;
let ctx: FuzzContext;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  server = await startTestServer({ env: { FAKETOSS_BODY_LIMIT: String(BODY_LIMIT) } });
  const u = new URL(server.url);
  target = { host: u.hostname, port: Number(u.port) };
  const tenant = await newTenant(target);
  ctx = { secretKey: tenant.secretKey, pools: await seedPools(target, tenant.secretKey), bodyLimit: BODY_LIMIT };
});
afterAll(async () => {
  agent.destroy();
  await server?.close();
});

async function healthy(): Promise<void> {
  const r = await call(target, "GET", "/v1/payments/pay_123", DEFAULT_SECRET_KEY);
  expect(r.status, r.text).toBe(200);
}

describe("fuzz: every operation of openapi.yaml", () => {
  it("reads the operations from the spec", () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
    expect(new Set(operations.map((o) => o.id)).size).toBe(operations.length);
    for (const id of ["confirmPayment", "getPayment", "cancelPayment", "keyInPayment", "authenticatePayment", "getPaymentWindow"]) {
      expect(operations.map((o) => o.id)).toContain(id);
    }
  });

  for (const op of operations) {
    it(`${op.id} (${op.method} ${op.path}${op.page ? ", page" : ""}): ${RUNS} malformed requests, no 5xx, Toss-shaped 4xx`, async () => {
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(caseArb(op, ctx), async (c) => {
          const answer = await send({ host: target.host, port: target.port, agent }, c).catch((err: Error) => ({
            status: 0,
            contentType: "",
            text: `no answer: ${err.message}`,
          }));
          sent++;
          const verdict = answer.status === 0 ? answer.text : judge(c, answer, op.page);
          if (verdict) throw new Error(`${verdict}\n${describeCase(c)}`);
        }),
        { numRuns: RUNS, seed: SEED },
      );
      expect(sent).toBeGreaterThanOrEqual(RUNS);
      await healthy();
    }, 120_000);
  }

  it("still answers, and the default tenant's seed payment is untouched", async () => {
    await healthy();
    const r = await call(target, "GET", "/v1/payments/pay_123", DEFAULT_SECRET_KEY);
    expect(r.json).toMatchObject({ paymentKey: "pay_123", orderId: "order-001", totalAmount: 15000 });
  });
});

// Bugs the fuzz and the soak found, pinned down now that they are fixed.
describe("regressions the fuzz found", () => {
  it("confirm with autoApproveUnknownPaymentKeys and a paymentKey that is not well-formed Unicode is a 4xx, not a 500", async () => {
    const { secretKey } = await newTenant(target);
    await call(target, "PATCH", "/sandbox/settings", secretKey, { autoApproveUnknownPaymentKeys: true });
    const r = await call(target, "POST", "/v1/payments/confirm", secretKey, { paymentKey: "a\ud800b", orderId: "order-surrogate", amount: 1000 });
    expect(r.status).toBeLessThan(500);
  });

  it("a request whose headers exceed Node's 16 KB limit gets a Toss-shaped error, not Fastify's {error, message, statusCode} 431", async () => {
    const r = await sendRaw({ host: target.host, port: target.port }, { method: "GET", path: "/v1/payments/pay_123", headers: { authorization: basic(DEFAULT_SECRET_KEY), "idempotency-key": "k".repeat(20_000) } });
    expect(judge({ op: "getPayment", method: "GET", path: "", headers: {}, category: "header:oversized", mustFail: true }, r, false)).toBeUndefined();
  });

  it("the virtual clock stops a year short of 9999, so every deadline it sets is still a KST timestamp", async () => {
    const { secretKey } = await newTenant(target);
    const max = { days: 3650, hours: 87600, minutes: 5256000, seconds: 315360000 }; // 40 years a call
    let last = await call(target, "GET", "/sandbox/clock", secretKey);
    for (let i = 0; i < 7000 && last.status === 200; i++) last = await call(target, "POST", "/sandbox/clock/advance", secretKey, max);
    expect(last).toMatchObject({ status: 400, json: { code: "INVALID_REQUEST" } });
    const clock = await call(target, "GET", "/sandbox/clock", secretKey);
    expect(clock.json.now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
    // The longest deadline the clock sets, a virtual account's 90 days, is still a KST timestamp.
    const va = await call(target, "POST", "/v1/virtual-accounts", secretKey, {
      orderId: "va-end-of-time", orderName: "x", amount: 1000, customerName: "a", bank: "88", validHours: 2160,
    });
    expect(va.status).toBe(200);
    expect(va.json.virtualAccount.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
  }, 120_000);
});
