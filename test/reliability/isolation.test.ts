// Isolation: two tenants — one from FAKETOSS_KEYS, one from createKeyPair — and no operation of
// one ever reads or changes the other's payments, billing keys, idempotency records, webhooks,
// settings or clock. Besides the targeted checks, a sweep calls EVERY operation of openapi.yaml
// that takes an id in its path with the other tenant's ids (read from the spec, so new
// operations are covered), and the victim's state is compared before and after.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { validArb } from "./lib/fuzz.js";
import { listOperations } from "./lib/spec-ops.js";
import { call, expectOk, freshId, issueVa, keyIn, KEYIN_CARD, newTenant, type Target } from "./lib/tenant.js";

const A = "test_sk_isolation_tenant_a";
let server: TestServer;
let t: Target;
let B: string;

interface World {
  key: string;
  done: any; // a DONE card payment (key-in)
  ready: any; // READY (createPayment)
  session: any; // IN_PROGRESS (createPayment + authenticate)
  va: any; // WAITING_FOR_DEPOSIT
  billingKey: string;
  idem: { key: string; text: string };
  webhookId?: string;
  deliveryId?: string;
}

let a: World;
let b: World;
let webhooksReady = false;

async function build(key: string): Promise<World> {
  const done = await keyIn(t, key, 40_000);
  const win = (orderId = freshId("iso-win")) =>
    expectOk(
      call(t, "POST", "/v1/payments", key, { method: "CARD", amount: 15000, orderId, orderName: "격리 주문", successUrl: "http://127.0.0.1:9/s", failUrl: "http://127.0.0.1:9/f" }),
      "createPayment",
    );
  const ready = await win();
  const s = await win();
  const session = (await expectOk(call(t, "POST", `/sandbox/payments/${s.paymentKey}/authenticate`, key), "authenticatePayment")).payment;
  const va = await issueVa(t, key, 20_000);
  const billing = await expectOk(call(t, "POST", "/v1/billing/authorizations/card", key, { customerKey: "iso-customer", ...KEYIN_CARD }), "issueBillingKeyWithCard");
  const idemKey = "shared-idempotency-key";
  const idemRes = await call(t, "POST", "/v1/payments/key-in", key, { amount: 1000, orderId: freshId("iso-idem"), orderName: "멱등", ...KEYIN_CARD }, { "idempotency-key": idemKey });
  expect(idemRes.status).toBe(200);
  const w: World = { key, done, ready, session, va, billingKey: billing.billingKey, idem: { key: idemKey, text: idemRes.text } };
  const hook = await call(t, "POST", "/sandbox/webhooks", key, { url: "http://127.0.0.1:9/iso-hook" });
  if (hook.status === 200) {
    webhooksReady = true;
    w.webhookId = hook.json.id;
    // An event for the webhook: a deposit.
    const va2 = await issueVa(t, key, 10_000);
    await expectOk(call(t, "POST", `/sandbox/virtual-accounts/${va2.paymentKey}/deposit`, key), "depositVirtualAccount");
    const deliveries = await call(t, "GET", "/sandbox/webhooks/deliveries", key);
    const list = Array.isArray(deliveries.json) ? deliveries.json : (deliveries.json?.deliveries ?? []);
    w.deliveryId = list[0]?.id;
  }
  return w;
}

/** Everything observable about a tenant, through its own key. */
async function snapshot(w: World): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of ["done", "ready", "session", "va"] as const) {
    const r = await call(t, "GET", `/v1/payments/${w[name].paymentKey}`, w.key);
    out[name] = [r.status, r.json];
    const byOrder = await call(t, "GET", `/v1/payments/orders/${w[name].orderId}`, w.key);
    out[`${name}ByOrder`] = [byOrder.status, byOrder.json?.paymentKey];
  }
  out.settings = (await call(t, "GET", "/sandbox/settings", w.key)).json;
  out.clockOffset = (await call(t, "GET", "/sandbox/clock", w.key)).json?.offsetSeconds;
  const replay = await call(t, "POST", "/v1/payments/key-in", w.key, {}, { "idempotency-key": w.idem.key });
  out.idempotentReplay = replay.text === w.idem.text;
  if (webhooksReady) {
    out.webhooks = (await call(t, "GET", "/sandbox/webhooks", w.key)).json;
    const d = await call(t, "GET", "/sandbox/webhooks/deliveries", w.key);
    out.deliveries = (Array.isArray(d.json) ? d.json : (d.json?.deliveries ?? [])).map((x: { id: string; status: string }) => [x.id, x.status]);
  }
  return out;
}

beforeAll(async () => {
  server = await startTestServer({ env: { FAKETOSS_KEYS: `${A}:test_ck_isolation_tenant_a` } });
  const u = new URL(server.url);
  t = { host: u.hostname, port: Number(u.port) };
  B = (await newTenant(t)).secretKey;
  a = await build(A);
  // A's own settings and clock differ from the defaults, so that a leak would show.
  await expectOk(call(t, "PATCH", "/sandbox/settings", A, { labels: "toss", autoApproveUnknownPaymentKeys: true }), "updateSettings");
  await expectOk(call(t, "POST", "/sandbox/clock/advance", A, { hours: 2 }), "advanceClock");
  b = await build(B);
}, 60_000);
afterAll(() => server?.close());

describe("targeted: B never sees or touches A", () => {
  it("payments: A's keys and orderIds are 404 for B, by key and by orderId", async () => {
    for (const p of [a.done, a.ready, a.session, a.va]) {
      const r = await call(t, "GET", `/v1/payments/${p.paymentKey}`, B);
      expect(r.status).toBe(404);
      expect(r.json.code).toBe("NOT_FOUND_PAYMENT");
      const o = await call(t, "GET", `/v1/payments/orders/${p.orderId}`, B);
      expect(o.status).toBe(404);
    }
  });

  it("confirm of A's authenticated session by B is 404 NOT_FOUND_PAYMENT_SESSION", async () => {
    const r = await call(t, "POST", "/v1/payments/confirm", B, { paymentKey: a.session.paymentKey, orderId: a.session.orderId, amount: a.session.totalAmount });
    expect(r.status).toBe(404);
    expect(r.json.code).toBe("NOT_FOUND_PAYMENT_SESSION");
  });

  it("A's autoApprove setting does not apply to B; B's confirm of an unknown key stays 404", async () => {
    const r = await call(t, "POST", "/v1/payments/confirm", B, { paymentKey: "pay_unknown_iso", orderId: freshId("iso-auto"), amount: 1000 });
    expect(r.status).toBe(404);
  });

  it("cancel, authenticate, fail, expire, deposit, deposit-cancel of A's payments by B are 404", async () => {
    const attempts: Array<[string, unknown]> = [
      [`/v1/payments/${a.done.paymentKey}/cancel`, { cancelReason: "침입" }],
      [`/sandbox/payments/${a.ready.paymentKey}/authenticate`, undefined],
      [`/sandbox/payments/${a.ready.paymentKey}/fail`, {}],
      [`/sandbox/payments/${a.session.paymentKey}/expire`, undefined],
      [`/sandbox/virtual-accounts/${a.va.paymentKey}/deposit`, {}],
      [`/sandbox/virtual-accounts/${a.va.paymentKey}/deposit-cancel`, undefined],
    ];
    for (const [path, body] of attempts) {
      const r = await call(t, "POST", path, B, body);
      expect(r.status, `${path}: ${r.text}`).toBe(404);
    }
  });

  it("billing: A's billing key cannot be charged, deleted or rigged by B", async () => {
    const charge = await call(t, "POST", `/v1/billing/${a.billingKey}`, B, { customerKey: "iso-customer", orderId: freshId("iso-charge"), orderName: "정기", amount: 1000 });
    expect(charge.status).toBe(404);
    expect(charge.json.code).toBe("NOT_FOUND_BILLING");
    const del = await call(t, "DELETE", `/v1/billing/${a.billingKey}`, B);
    expect(del.status).toBe(404);
    const rig = await call(t, "POST", `/sandbox/billing/${a.billingKey}/failures`, B, { count: 3 });
    expect(rig.status).toBeGreaterThanOrEqual(400);
    expect(rig.status).toBeLessThan(500);
    // A can still charge it, and it does not fail (B's rigging did not land).
    const ok = await call(t, "POST", `/v1/billing/${a.billingKey}`, A, { customerKey: "iso-customer", orderId: freshId("iso-charge-a"), orderName: "정기", amount: 1000 });
    expect(ok.status, ok.text).toBe(200);
  });

  it("idempotency: the same Idempotency-Key on the same path is a different request for B", async () => {
    const r = await call(t, "POST", "/v1/payments/key-in", B, { amount: 2000, orderId: freshId("iso-idem-b"), orderName: "멱등 B", ...KEYIN_CARD }, { "idempotency-key": a.idem.key });
    // B already used that key on that path in build(): B gets B's own first answer, never A's.
    expect(r.status).toBe(200);
    expect(r.text).toBe(b.idem.text);
    expect(r.text).not.toBe(a.idem.text);
    const fresh = freshId("fresh-key");
    const x = await call(t, "POST", "/v1/payments/key-in", A, { amount: 3000, orderId: freshId("iso-idem-a2"), orderName: "멱등 A2", ...KEYIN_CARD }, { "idempotency-key": fresh });
    const y = await call(t, "POST", "/v1/payments/key-in", B, { amount: 4000, orderId: freshId("iso-idem-b2"), orderName: "멱등 B2", ...KEYIN_CARD }, { "idempotency-key": fresh });
    expect(x.status).toBe(200);
    expect(y.status).toBe(200);
    expect(y.json.paymentKey).not.toBe(x.json.paymentKey);
    expect(y.json.totalAmount).toBe(4000);
  });

  it("orderIds are per tenant: B may use A's orderId", async () => {
    const r = await call(t, "POST", "/v1/payments/key-in", B, { amount: 1000, orderId: a.done.orderId, orderName: "같은 주문번호", ...KEYIN_CARD });
    expect(r.status, r.text).toBe(200);
    const mine = await call(t, "GET", `/v1/payments/orders/${a.done.orderId}`, A);
    expect(mine.json.paymentKey).toBe(a.done.paymentKey);
  });

  it("settings and clock: A's labels, autoApprove and clock advance are A's alone", async () => {
    const sa = await call(t, "GET", "/sandbox/settings", A);
    const sb = await call(t, "GET", "/sandbox/settings", B);
    expect(sa.json).toMatchObject({ labels: "toss", autoApproveUnknownPaymentKeys: true });
    expect(sb.json.autoApproveUnknownPaymentKeys).toBe(false);
    expect(sb.json.labels).not.toBe("toss");
    expect((await call(t, "GET", `/v1/payments/${a.done.paymentKey}`, A)).json.method).toBe("카드");
    expect((await call(t, "GET", `/v1/payments/${b.done.paymentKey}`, B)).json.method).toBe("CARD");
    const ca = await call(t, "GET", "/sandbox/clock", A);
    const cb = await call(t, "GET", "/sandbox/clock", B);
    expect(ca.json.offsetSeconds).toBeGreaterThanOrEqual(7200);
    expect(cb.json.offsetSeconds).toBe(0);
  });

  it("webhooks: B does not list, remove or resend A's endpoints and deliveries", async (ctx) => {
    if (!webhooksReady) ctx.skip();
    const list = await call(t, "GET", "/sandbox/webhooks", B);
    expect(JSON.stringify(list.json)).not.toContain(a.webhookId!);
    const rm = await call(t, "DELETE", `/sandbox/webhooks/${a.webhookId}`, B);
    expect(rm.status).toBe(404);
    const deliveries = await call(t, "GET", "/sandbox/webhooks/deliveries", B);
    if (a.deliveryId) {
      expect(JSON.stringify(deliveries.json)).not.toContain(a.deliveryId);
      const resend = await call(t, "POST", `/sandbox/webhooks/deliveries/${a.deliveryId}/resend`, B);
      expect(resend.status).toBe(404);
    }
  });
});

describe("sweep: every operation with an id in its path, called with the other tenant's ids", () => {
  const ops = listOperations().filter((o) => !o.page && o.secured && o.params.some((p) => p.in === "path"));

  it("covers the spec's id-taking operations", () => {
    expect(ops.length).toBeGreaterThanOrEqual(10);
  });

  for (const [attackerName, victimName] of [
    ["B", "A"],
    ["A", "B"],
  ] as const) {
    it(`${attackerName} → ${victimName}: never a 2xx, and ${victimName}'s state is unchanged`, async () => {
      const attacker = attackerName === "A" ? a : b;
      const victim = victimName === "A" ? a : b;
      const before = await snapshot(victim);
      const ids: Record<string, string[]> = {
        paymentKey: [victim.done.paymentKey, victim.ready.paymentKey, victim.session.paymentKey, victim.va.paymentKey],
        // (not done.orderId: B reuses A's, legitimately, in "orderIds are per tenant")
        orderId: [victim.session.orderId, victim.va.orderId],
        billingKey: [victim.billingKey],
        webhookId: victim.webhookId ? [victim.webhookId] : [],
        deliveryId: victim.deliveryId ? [victim.deliveryId] : [],
      };
      let calls = 0;
      for (const op of ops) {
        const pathParams = op.params.filter((p) => p.in === "path");
        const choices = pathParams.map((p) => ids[p.name] ?? []);
        if (choices.some((c) => c.length === 0)) continue;
        // A schema-valid body (the first example-biased sample), so only ownership can refuse.
        const body = op.body ? fc.sample(validArb(op.body.schema), { numRuns: 1, seed: 42 })[0] : undefined;
        for (const value of choices[0]!) {
          const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(name === pathParams[0]!.name ? value : ids[name]![0]!));
          const r = await call(t, op.method, path, attacker.key, body);
          calls++;
          expect(r.status, `${op.id} ${op.method} ${path} as ${attackerName}: ${r.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
          expect(r.status).toBeLessThan(500);
        }
      }
      expect(calls).toBeGreaterThanOrEqual(ops.length);
      const after = await snapshot(victim);
      expect(after).toEqual(before);
    }, 60_000);
  }

  it("a reset of B leaves A whole", async () => {
    const before = await snapshot(a);
    await expectOk(call(t, "POST", "/sandbox/reset", B), "resetTenant");
    expect((await call(t, "GET", `/v1/payments/${b.done.paymentKey}`, B)).status).toBe(404);
    expect(await snapshot(a)).toEqual(before);
  });
});
