// `npx tsx bench/profile.ts [get|write|cancel|startup] [--seconds=S] [--big=N] [--keep]`: runs
// FakeToss under `node --cpu-prof` (file store, FAKETOSS_LOG=silent, pinned like the benchmark),
// drives one scenario with the benchmark's load generator, stops the server gracefully so that
// the profile is written, and prints where the time went: self time by function and by package.
// --keep leaves the .cpuprofile (open it in Chrome DevTools → Performance) and prints its path.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, HOST, json, waitForAnswer } from "./lib/net.js";
import { installCleanup, pinning, spawnGroup } from "./lib/procs.js";
import { seedPayments } from "./lib/seed.js";
import type { LoadResult, LoadSpec } from "./load.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const AUTH = "Basic " + Buffer.from("test_sk_yjroot_faketoss_default:").toString("base64");
const args = process.argv.slice(2);
const scenario = (args.find((a) => !a.startsWith("--")) ?? "get") as "get" | "write" | "cancel" | "startup";
const opt = (name: string, d: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? d);
const SECONDS = opt("seconds", 8);
const BIG = opt("big", 1000);
const KEEP = args.includes("--keep");

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export function summarize(profilePath: string, opts: { skipMs?: number; top?: number } = {}): string {
  const top = opts.top ?? 25;
  const prof = JSON.parse(readFileSync(profilePath, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: Node) => {
    const url = n.callFrame.url.replace(/^file:\/\//, "").replace(ROOT, "");
    return `${n.callFrame.functionName || "(anonymous)"}  ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ""}`;
  };
  const self = new Map<number, number>();
  const inclusive = new Map<string, number>();
  let t = 0;
  const skipUs = (opts.skipMs ?? 0) * 1000;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    t += dt;
    if (t < skipUs) return;
    self.set(id, (self.get(id) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
    }
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)").reduce((a, [, v]) => a + v, 0);
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const url = n.callFrame.url.replace(/^file:\/\//, "").replace(ROOT, "");
    fn.set(label(n), (fn.get(label(n)) ?? 0) + us);
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const group = m
      ? m[1]!
      : url.startsWith("src/") || url.startsWith("/src/")
        ? url.replace(/^\//, "")
        : url.startsWith("node:")
          ? "node:" + url.slice(5).split("/")[0]
          : url || (n.callFrame.functionName.startsWith("(") ? n.callFrame.functionName : "(native: " + n.callFrame.functionName + ")");
    pkg.set(group, (pkg.get(group) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [`sampled: ${(total / 1e6).toFixed(2)} s after the first ${opts.skipMs ?? 0} ms; idle ${pct(idle)}`, "", "self time by package / file:"];
  for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 22)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push("", "self time by function:");
  for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push("", "inclusive time, FakeToss's own functions and the hot library entry points:");
  for (const [k, v] of [...inclusive]
    .filter(([k]) => /\/src\/|fastify\/lib\/(reply|route|hooks|contentTypeParser|validation|handleRequest)|ajv|better-sqlite3|openapi-glue/.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    lines.push(`  ${pct(v)}  ${k}`);
  return lines.join("\n");
}

async function main(): Promise<void> {
  installCleanup();
  const dir = mkdtempSync(join(tmpdir(), "faketoss-prof-"));
  const profDir = join(dir, "prof");
  const db = join(dir, "p.db");
  const start = async (withProfile: boolean) => {
    const port = await freePort();
    const t0 = performance.now();
    const proc = spawnGroup(process.execPath, [...(withProfile ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`, "--cpu-prof-interval=200"] : []), "scripts/start.mjs"], {
      cwd: ROOT,
      core: pinning.server,
      env: { ...process.env, PORT: String(port), HOST, FAKETOSS_DB: db, FAKETOSS_LOG: "silent" },
    });
    const t1 = await waitForAnswer(port, "/v1/payments/pay_123", { authorization: AUTH }, { timeoutMs: 60_000 });
    return { port, proc, startupMs: t1 - t0 };
  };
  try {
    // A store with BIG payments to read and cancel.
    let s = await start(false);
    const tpl = await json(s.port, "POST", "/v1/payments/key-in", AUTH, {
      amount: 1_000_000_000,
      orderId: `proftpl${Date.now().toString(36)}`,
      orderName: "프로파일",
      cardNumber: "9410001234567890",
      cardExpirationYear: "30",
      cardExpirationMonth: "12",
      customerIdentityNumber: "900101",
    });
    if (tpl.status !== 200) throw new Error(tpl.text);
    await s.proc.kill("SIGTERM");
    seedPayments(db, { templateKey: tpl.body.paymentKey, keyPrefix: "bench_g_", orderPrefix: "bench-g-", from: 1, to: BIG });

    s = await start(true);
    console.error(`[profile] FakeToss up in ${s.startupMs.toFixed(0)} ms (with --cpu-prof)`);
    if (scenario !== "startup") {
      const spec: LoadSpec = {
        port: s.port,
        connections: 10,
        warmupSec: 1,
        durationSec: SECONDS,
        maxRequests: 1_000_000,
        auth: AUTH,
        kind: scenario,
        keyPrefix: "bench_g_",
        keyCount: BIG,
        orderPrefix: `pf${Date.now().toString(36)}`,
      };
      const load = spawnGroup(process.execPath, ["--import", "tsx", join(ROOT, "bench", "load.ts")], { cwd: ROOT, core: pinning.load, env: { ...process.env, BENCH_LOAD: JSON.stringify(spec) } });
      await load.exited;
      const r = JSON.parse(load.output().trim().split("\n").pop()!) as LoadResult;
      console.error(`[profile] ${scenario}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, statuses ${JSON.stringify(r.statuses)}`);
    }
    await s.proc.kill("SIGTERM"); // graceful: --cpu-prof writes the profile at exit
    const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error("no .cpuprofile written");
    // Skip start-up and warm-up: only the measured load.
    console.log(summarize(join(profDir, file), { skipMs: scenario === "startup" ? 0 : s.startupMs + 1500 }));
    if (KEEP) {
      const out = join(tmpdir(), `faketoss-${scenario}-${Date.now()}.cpuprofile`);
      copyFileSync(join(profDir, file), out);
      console.log(`\nprofile: ${out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
