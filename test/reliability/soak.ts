// `npm run soak`: the fuzz of fuzz.test.ts at scale against ONE real server process (file store):
// at least SOAK_CASES (default 100,000) malformed requests spread over every operation of
// openapi.yaml, SOAK_CONCURRENCY at a time (default 8), bounded by SOAK_SECONDS (default 900).
// Prints the counts per operation and exits non-zero on any 5xx, any non-Toss-shaped error,
// any invalid request accepted, a server that stops answering, or fewer cases than asked.
//
//   npm run soak                          # 100k cases
//   SOAK_CASES=20000 npm run soak         # shorter
//   SOAK_SEED=123 npm run soak            # replay a run's generation
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { caseArb, shortCase, type FuzzCase, type FuzzContext } from "./lib/fuzz.js";
import { judge, send } from "./lib/send.js";
import { listOperations, type Operation } from "./lib/spec-ops.js";
import { startServerProcess } from "./lib/server-process.js";
import { call, DEFAULT_SECRET_KEY, newTenant, seedPools, type Target } from "./lib/tenant.js";

const TOTAL = Number(process.env.SOAK_CASES ?? 100_000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 900);
const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 2_147_483_647);
const BODY_LIMIT = 65_536;
const BATCH = 250; // cases generated per operation at a time

interface Counts {
  cases: number;
  s2xx: number;
  s4xx: number;
  s5xx: number;
  /** 3xx (the browser pages redirect) */
  s3xx: number;
  /** no answer at all, or a status outside 2xx-5xx */
  other: number;
  unsent: number;
  violations: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  const dir = mkdtempSync(join(tmpdir(), "faketoss-soak-"));
  const server = await startServerProcess({ FAKETOSS_DB: join(dir, "soak.db"), FAKETOSS_BODY_LIMIT: String(BODY_LIMIT) });
  const target: Target = { host: server.host, port: server.port };
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let exitCode = 0;
  const stop = (signal: string) => {
    console.error(`\n${signal}: stopping the server`);
    void server.kill().then(() => process.exit(130));
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));

  try {
    const ops = listOperations();
    const counts = new Map<string, Counts>(ops.map((o) => [o.id, { cases: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, other: 0, unsent: 0, violations: 0 }]));
    const failures: string[] = [];
    const examples = new Map<string, number>();
    console.log(`soak: ${TOTAL} cases over ${ops.length} operations, ${CONCURRENCY} at a time, seed ${SEED}, server pid ${server.child.pid} on port ${server.port}`);

    let ctx: FuzzContext = await freshContext(target);
    const arbs = new Map<string, fc.Arbitrary<FuzzCase>>();
    const arbFor = (op: Operation) => {
      let arb = arbs.get(op.id);
      if (!arb) arbs.set(op.id, (arb = caseArb(op, ctx)));
      return arb;
    };

    let done = 0;
    let batchNo = 0;
    let lastReport = Date.now();
    while (done < TOTAL && Date.now() < deadline) {
      // One batch per operation per round, interleaved, so every operation gets its share.
      const queue: Array<{ op: Operation; c: FuzzCase }> = [];
      for (const op of ops) {
        for (const c of fc.sample(arbFor(op), { numRuns: BATCH, seed: SEED + ++batchNo })) queue.push({ op, c });
      }
      shuffle(queue, SEED + batchNo);
      let next = 0;
      const worker = async () => {
        for (;;) {
          if (done >= TOTAL || Date.now() >= deadline) return;
          const item = queue[next++];
          if (!item) return;
          const { op, c } = item;
          const n = counts.get(op.id)!;
          const answer = await send({ host: target.host, port: target.port, agent }, c).catch((err: Error) => ({ status: 0, contentType: "", text: `no answer: ${err.message}` }));
          n.cases++;
          done++;
          if (answer.status === -1) n.unsent++;
          else if (answer.status === 0) n.other++;
          else if (answer.status >= 500) n.s5xx++;
          else if (answer.status >= 400) n.s4xx++;
          else if (answer.status >= 300) n.s3xx++;
          else if (answer.status >= 200) n.s2xx++;
          else n.other++;
          const verdict = answer.status === 0 ? answer.text : judge(c, answer, op.page);
          if (verdict) {
            n.violations++;
            // A few examples per operation (one broken operation must not hide the others).
            const seen = examples.get(op.id) ?? 0;
            if (seen < 3) {
              examples.set(op.id, seen + 1);
              failures.push(`${verdict}\n  ${shortCase(c).replace(/\n/g, "\n  ")}`);
            }
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      if (server.child.exitCode !== null || server.child.signalCode !== null) {
        failures.push(`the server process died (${server.child.exitCode ?? server.child.signalCode}):\n${server.output()}`);
        break;
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        const s5 = [...counts.values()].reduce((a, c) => a + c.s5xx, 0);
        console.log(`  ${done} cases, ${s5} 5xx, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
      // Resets, deletions and expiries eat the real objects the cases aim at: renew them.
      if (batchNo % (ops.length * 4) === 0) {
        ctx = await freshContext(target);
        arbs.clear();
      }
    }

    const health = await call(target, "GET", "/v1/payments/pay_123", DEFAULT_SECRET_KEY).catch((err: Error) => ({ status: 0, text: err.message }));
    const elapsed = (Date.now() - started) / 1000;
    printTable(counts);
    const totals = [...counts.values()].reduce(
      (a, c) => ({ cases: a.cases + c.cases, s5xx: a.s5xx + c.s5xx, violations: a.violations + c.violations, unsent: a.unsent + c.unsent }),
      { cases: 0, s5xx: 0, violations: 0, unsent: 0 },
    );
    console.log(
      `\nsoak: ${totals.cases} cases in ${elapsed.toFixed(0)} s (${(totals.cases / elapsed).toFixed(0)}/s); 5xx: ${totals.s5xx}; ` +
        `other violations: ${totals.violations - totals.s5xx}; not sendable by the client: ${totals.unsent}; health after: ${health.status}`,
    );
    if (failures.length) console.log(`\nfailures (up to 3 per operation):\n${failures.join("\n")}`);
    if (totals.s5xx > 0 || totals.violations > 0 || health.status !== 200 || failures.length) exitCode = 1;
    if (totals.cases < TOTAL) {
      console.log(`soak: only ${totals.cases} of ${TOTAL} cases within ${SECONDS} s`);
      exitCode = 1;
    }
    console.log(exitCode === 0 ? "soak: PASS" : "soak: FAIL");
  } finally {
    agent.destroy();
    await server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

async function freshContext(target: Target): Promise<FuzzContext> {
  const tenant = await newTenant(target);
  return { secretKey: tenant.secretKey, pools: await seedPools(target, tenant.secretKey), bodyLimit: BODY_LIMIT };
}

function shuffle<T>(xs: T[], seed: number): void {
  let s = seed >>> 0 || 1;
  for (let i = xs.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
}

function printTable(counts: Map<string, Counts>): void {
  const head = ["operation", "cases", "2xx", "3xx", "4xx", "5xx", "no answer", "unsent", "violations"];
  const rows = [...counts.entries()].map(([op, c]) => [op, c.cases, c.s2xx, c.s3xx, c.s4xx, c.s5xx, c.other, c.unsent, c.violations].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ");
  console.log("\n" + line(head));
  console.log(w.map((n) => "-".repeat(n)).join("  "));
  for (const r of rows) console.log(line(r));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
