// Crash durability: the real server on a file store, writes driven from many connections, and a
// SIGKILL in the middle of the load at three different points. After each restart, on the same
// file:
//   - every write that got a 200 is there and intact: the stored payment deep-equals the last
//     200 body of that payment (each payment is written by one worker, one request at a time);
//   - nothing is half-applied: a write that was in flight at the kill is either wholly there
//     (exactly one more cancel, deposit done, payment created) or wholly absent, and every
//     payment's arithmetic holds (balance = total - sum of cancels, lastTransactionKey...);
//   - every Idempotency-Key that got a 200 replays that 200 byte for byte.
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./lib/server-process.js";
import { basic } from "./lib/fuzz.js";
import { DEFAULT_SECRET_KEY, KEYIN_CARD } from "./lib/tenant.js";

const AUTH = basic(DEFAULT_SECRET_KEY);
const WORKERS = 8;

interface Ack {
  path: string;
  idem: string;
  text: string;
  body: any;
}

interface Tracked {
  kind: "card" | "va";
  orderId: string;
  paymentKey?: string;
  /** The 200 bodies of this payment's writes, in order. */
  acks: Ack[];
  /** A write sent and not answered when the server died. */
  inFlight?: { op: "create" | "cancel" | "deposit"; path: string; idem: string };
  /** The state a verification found after a kill (the last 200, or that plus the in-flight write). */
  settled?: any;
}

class Killed extends Error {}

function post(port: number, agent: http.Agent, path: string, body: unknown, idem: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path,
        agent,
        headers: { authorization: AUTH, "content-type": "application/json", "content-length": Buffer.byteLength(text), "idempotency-key": idem },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(text);
  });
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, headers: { authorization: AUTH, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on("error", reject);
  });
}

let seq = 0;
const uid = (p: string) => `${p}-${process.pid}-${Date.now().toString(36)}-${++seq}`;

/**
 * Drives writes until `killAfterAcks` 200s have arrived, then SIGKILLs the server at once (from
 * inside the response handler, so other requests are mid-flight). Returns what each worker saw.
 */
async function driveAndKill(server: ServerProcess, killAfterAcks: number, jitterMs: number, tracked: Tracked[]): Promise<{ acks: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
  let acks = 0;
  let dead = false;
  let armed = false;
  const kill = () => {
    dead = true;
    try {
      process.kill(-server.child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  };
  const ack = () => {
    acks++;
    if (acks >= killAfterAcks && !armed) {
      armed = true;
      // Without delay the server dies between requests; a few ms later it dies with requests
      // committed whose answers are still on the way (or mid-transaction).
      if (jitterMs === 0) kill();
      else setTimeout(kill, jitterMs);
    }
  };
  const send = async (t: Tracked, op: "create" | "cancel" | "deposit", path: string, body: unknown): Promise<any> => {
    if (dead) throw new Killed();
    if (armed) await new Promise((r) => setImmediate(r));
    const idem = uid("idem");
    t.inFlight = { op, path, idem };
    let r: { status: number; text: string };
    try {
      r = await post(server.port, agent, path, body, idem);
    } catch (err) {
      if (dead) throw new Killed();
      throw err;
    }
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${r.text.slice(0, 300)}`);
    t.inFlight = undefined;
    const parsed = JSON.parse(r.text);
    t.acks.push({ path, idem, text: r.text, body: parsed });
    ack();
    return parsed;
  };

  const worker = async (w: number): Promise<void> => {
    for (let n = 0; ; n++) {
      if (dead) return;
      const va = (w + n) % 3 === 0;
      const t: Tracked = { kind: va ? "va" : "card", orderId: uid(`crash${w}`).replace(/[^A-Za-z0-9_-]/g, ""), acks: [] };
      tracked.push(t);
      try {
        if (va) {
          const p = await send(t, "create", "/v1/virtual-accounts", { amount: 30_000, orderId: t.orderId, orderName: "크래시 가상계좌", customerName: "홍길동" });
          t.paymentKey = p.paymentKey;
          await send(t, "deposit", `/sandbox/virtual-accounts/${p.paymentKey}/deposit`, {});
          for (let i = 0; i < 3; i++) {
            await send(t, "cancel", `/v1/payments/${p.paymentKey}/cancel`, {
              cancelReason: `crash ${i}`,
              cancelAmount: 5000,
              refundReceiveAccount: { bank: "88", accountNumber: "110123456789", holderName: "홍길동" },
            });
          }
        } else {
          const p = await send(t, "create", "/v1/payments/key-in", { amount: 100_000, orderId: t.orderId, orderName: "크래시 주문", ...KEYIN_CARD });
          t.paymentKey = p.paymentKey;
          for (let i = 0; i < 6; i++) await send(t, "cancel", `/v1/payments/${p.paymentKey}/cancel`, { cancelReason: `crash ${i}`, cancelAmount: 1000 });
        }
      } catch (err) {
        if (err instanceof Killed) return;
        throw err;
      }
    }
  };
  const done = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  // A bound: whatever happens, the server dies within 20 s of load.
  const fallback = setTimeout(() => dead || kill(), 20_000);
  await done;
  clearTimeout(fallback);
  await server.exited;
  agent.destroy();
  return { acks };
}

/** The arithmetic every stored payment must satisfy, whatever happened to it. */
function expectConsistent(p: any): void {
  const cancels: any[] = p.cancels ?? [];
  const cancelled = cancels.reduce((s, c) => s + c.cancelAmount, 0);
  expect(p.balanceAmount, p.paymentKey).toBe(p.totalAmount - cancelled);
  if (cancels.length) {
    expect(p.lastTransactionKey).toBe(cancels[cancels.length - 1].transactionKey);
    expect(cancels[cancels.length - 1].refundableAmount).toBe(p.balanceAmount);
    expect(["PARTIAL_CANCELED", "CANCELED"]).toContain(p.status);
  }
}

const stats = { inFlightCommitted: 0, inFlightAbsent: 0, inFlightRetry409: 0 };

async function verify(port: number, tracked: Tracked[]): Promise<{ payments: number; acks: number }> {
  let acks = 0;
  for (const t of tracked) {
    const last = t.acks[t.acks.length - 1];
    // The payment, by orderId (a create in flight has no known paymentKey).
    const stored = await get(port, `/v1/payments/orders/${t.orderId}`);
    if (!last) {
      // Only a create was sent: the payment is wholly there or wholly absent (and stays so).
      expect([200, 404], stored.text).toContain(stored.status);
      if (t.settled !== undefined) {
        expect(stored.json).toEqual(t.settled);
      } else if (stored.status === 200) {
        stats.inFlightCommitted++;
        expectConsistent(stored.json);
        expect(stored.json.cancels).toBeNull();
        expect(stored.json.balanceAmount).toBe(stored.json.totalAmount);
      } else if (t.inFlight) stats.inFlightAbsent++;
      t.settled = stored.json;
      continue;
    }
    expect(stored.status, `${t.orderId}: ${stored.text}`).toBe(200);
    const now = stored.json;
    expectConsistent(now);
    acks += t.acks.length;
    // What the payment must look like: its last 200, or what an earlier verification found.
    const expected = t.settled ?? last.body;
    if (JSON.stringify(now) === JSON.stringify(expected)) {
      if (t.inFlight) stats.inFlightAbsent++;
    } else {
      // Only a write in flight at the kill may have landed after the last 200, and then wholly.
      expect(t.inFlight, `${t.orderId}: stored differs from the last 200 with nothing in flight`).toBeDefined();
      stats.inFlightCommitted++;
      if (t.inFlight!.op === "cancel") {
        const before = expected.cancels ?? [];
        expect(now.cancels).toHaveLength(before.length + 1);
        expect(now.cancels.slice(0, before.length)).toEqual(before);
        const { cancels: _a, balanceAmount: _b, status: _c, lastTransactionKey: _d, transactionKey: _d2, suppliedAmount: _e, vat: _f, taxFreeAmount: _g, virtualAccount: va1, ...restNow } = now;
        const { cancels: _h, balanceAmount: _i, status: _j, lastTransactionKey: _k, transactionKey: _k2, suppliedAmount: _l, vat: _m, taxFreeAmount: _n, virtualAccount: va2, ...restBefore } = expected;
        expect(restNow).toEqual(restBefore);
        // The cancel's transaction is the payment's last one (and its documented twin).
        expect(now.lastTransactionKey).toBe(now.cancels[now.cancels.length - 1].transactionKey);
        expect(now.transactionKey).toBe(now.lastTransactionKey);
        expect(now.balanceAmount).toBe(expected.balanceAmount - now.cancels[now.cancels.length - 1].cancelAmount);
        if (va1 && va2) expect({ ...va1, refundStatus: undefined, refundReceiveAccount: undefined }).toEqual({ ...va2, refundStatus: undefined, refundReceiveAccount: undefined });
      } else if (t.inFlight!.op === "deposit") {
        expect(expected.status).toBe("WAITING_FOR_DEPOSIT");
        expect(now.status).toBe("DONE");
        expect(now.approvedAt).not.toBeNull();
      } else {
        throw new Error(`${t.orderId}: unexpected difference after a ${t.inFlight!.op}`);
      }
    }
    t.settled = now;
    // Every 200 of this payment replays byte for byte under its Idempotency-Key.
    for (const a of t.acks) {
      const replay = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          { host: "127.0.0.1", port, method: "POST", path: a.path, headers: { authorization: AUTH, "content-type": "application/json", "idempotency-key": a.idem } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          },
        );
        req.on("error", reject);
        req.end("{}");
      });
      expect(replay.status, `${a.path} replay: ${replay.text.slice(0, 200)}`).toBe(200);
      expect(replay.text).toBe(a.text);
    }
    // A write that was in flight: its retry with the same key must never be a 5xx.
    if (t.inFlight) {
      const retry = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          { host: "127.0.0.1", port, method: "POST", path: t.inFlight!.path, headers: { authorization: AUTH, "content-type": "application/json", "idempotency-key": t.inFlight!.idem } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          },
        );
        req.on("error", reject);
        // The body does not matter for a replay; one that no operation accepts (not an object)
        // makes sure that the retry itself changes nothing when the first attempt never ran.
        req.end("[]");
      });
      expect(retry.status, retry.text).toBeLessThan(500);
      if (retry.status === 409) stats.inFlightRetry409++;
    }
  }
  return { payments: tracked.length, acks };
}

describe("SIGKILL mid-load, restart, nothing lost or half-applied", () => {
  let dir: string;
  let db: string;
  let server: ServerProcess | undefined;
  const tracked: Tracked[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "faketoss-crash-"));
    db = join(dir, "crash.db");
    server = await startServerProcess({ FAKETOSS_DB: db });
  }, 90_000);
  afterAll(async () => {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `[crash] writes in flight at the kills: ${stats.inFlightCommitted} committed wholly, ${stats.inFlightAbsent} absent; ` +
        `${stats.inFlightRetry409} retries with the same Idempotency-Key answered 409 (claim left by the dead process)`,
    );
  });

  // Three kill points: among the first creates, in the cancel bursts, and deep into mixed load.
  for (const [label, killAfter, jitter] of [
    ["early (first creates)", 12, 0],
    ["mid (cancel bursts)", 90, 3],
    ["late (mixed load)", 350, 8],
  ] as const) {
    it(`kill point ${label}: SIGKILL ${jitter} ms after ${killAfter} acknowledged writes`, async () => {
      const round: Tracked[] = [];
      const { acks } = await driveAndKill(server!, killAfter, jitter, round);
      expect(acks).toBeGreaterThanOrEqual(killAfter);
      expect(server!.child.signalCode).toBe("SIGKILL");
      tracked.push(...round);
      server = await startServerProcess({ FAKETOSS_DB: db });
      // Everything acknowledged so far, this round and the earlier ones, is still there.
      const v = await verify(server.port, tracked);
      expect(v.acks).toBeGreaterThanOrEqual(acks);
      for (const t of tracked) t.inFlight = undefined; // settled by this verification
    }, 120_000);
  }
});
