// `npm run bench` (or `npm run bench -- --quick`): FakeToss against Prism and a bare node:http
// server, one after another on free loopback ports, each server pinned to core 0 and the load
// generator (bench/load.ts, autocannon) to core 1 when taskset and two cores exist.
//
// Measures, with warm-up: GET /v1/payments/{paymentKey}; a write (key-in, a fresh orderId per
// request); a partial cancel (100 KRW off big payments); start-up time (spawn → first answer,
// median); RSS after the load; GET at 1k and at 1M payments (seeded straight into the SQLite
// file). Prints the table and the ratios against the targets, and writes bench/RESULTS.md.
//
// Options: --quick (short phases, for CI), --big=N (payments for the big-store run, default
// 1,000,000), --duration=S / --warmup=S (seconds per measured / warm-up phase),
// --connections=N, --no-write-results (print only).
import { execSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, HOST, json, waitForAnswer } from "./lib/net.js";
import { groupRss, installCleanup, killAll, pinning, spawnGroup, type Spawned } from "./lib/procs.js";
import { countPayments, seedPayments } from "./lib/seed.js";
import type { LoadResult, LoadSpec } from "./load.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PRISM_BIN = join(ROOT, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
const SECRET_KEY = "test_sk_yjroot_faketoss_default";
const AUTH = "Basic " + Buffer.from(`${SECRET_KEY}:`).toString("base64");

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const hit = argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "true";
};
const QUICK = flag("quick") !== undefined;
const num = (name: string, fallback: number): number => {
  const v = flag(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number`);
  return n;
};
const OPT = {
  warmup: num("warmup", QUICK ? 1 : 3),
  duration: num("duration", QUICK ? 3 : 10),
  connections: num("connections", 10),
  startups: num("startups", QUICK ? 3 : 5),
  big: num("big", 1_000_000),
  small: 1_000,
  /** Hard cap on requests per phase, whatever the duration. */
  maxRequests: QUICK ? 300_000 : 1_000_000,
  /** Whole run bound: every child is killed and the bench fails past this. */
  budgetMs: (QUICK ? 8 : 30) * 60_000,
  writeResults: flag("no-write-results") === undefined,
};
// Partial-cancel targets: enough big payments that each gets only a few cancels, so the record
// does not grow through the run (its cancels[] would, with a handful of payments).
const CANCEL_TARGETS = QUICK ? 5_000 : 20_000;

const log = (msg: string): void => console.error(`[bench] ${msg}`);

// ---------------------------------------------------------------- servers

interface Server {
  name: string;
  port: number;
  proc: Spawned;
  /** ms from spawn to the first HTTP answer. */
  startupMs: number;
}

type Kind = "faketoss" | "prism-silent" | "prism-info" | "node-http";

async function startServer(kind: Kind, opts: { db?: string; bareBody?: string; core?: string } = {}): Promise<Server> {
  const port = await freePort();
  const core = opts.core === undefined ? pinning.server : opts.core;
  let proc: Spawned;
  const started = performance.now();
  switch (kind) {
    case "faketoss":
      proc = spawnGroup(process.execPath, ["--import", "tsx", "src/main.ts"], {
        cwd: ROOT,
        core,
        env: { ...process.env, PORT: String(port), HOST, FAKETOSS_DB: opts.db!, FAKETOSS_LOG: "silent", NODE_ENV: "production" },
      });
      break;
    case "prism-silent":
    case "prism-info":
      proc = spawnGroup(
        process.execPath,
        [PRISM_BIN, "mock", join(ROOT, "openapi.yaml"), "-p", String(port), "-h", HOST, ...(kind === "prism-silent" ? ["-v", "silent"] : [])],
        // Prism's default level logs every request to stdout: it goes to /dev/null, as in CI.
        { cwd: ROOT, core, stdout: "ignore" },
      );
      break;
    case "node-http":
      proc = spawnGroup(process.execPath, ["--import", "tsx", join(ROOT, "bench", "bare-server.ts")], {
        cwd: ROOT,
        core,
        env: { ...process.env, PORT: String(port), BENCH_BARE_BODY: opts.bareBody! },
      });
      break;
  }
  const alive = () => proc.child.exitCode === null && proc.child.signalCode === null;
  try {
    const answered = await waitForAnswer(port, "/v1/payments/pay_123", { authorization: AUTH }, { timeoutMs: 120_000, alive });
    return { name: kind, port, proc, startupMs: answered - started };
  } catch (err) {
    await proc.kill();
    throw new Error(`${kind} did not start: ${(err as Error).message}\n${proc.output()}`);
  }
}

async function stopServer(s: Server, graceful = true): Promise<void> {
  await s.proc.kill(graceful ? "SIGTERM" : "SIGKILL");
}

// ---------------------------------------------------------------- load

async function load(server: Server, spec: Omit<LoadSpec, "port" | "connections" | "warmupSec" | "durationSec" | "maxRequests" | "auth">): Promise<LoadResult> {
  const full: LoadSpec = {
    port: server.port,
    connections: OPT.connections,
    warmupSec: OPT.warmup,
    durationSec: OPT.duration,
    maxRequests: OPT.maxRequests,
    auth: AUTH,
    ...spec,
  };
  const proc = spawnGroup(process.execPath, ["--import", "tsx", join(ROOT, "bench", "load.ts")], {
    cwd: ROOT,
    core: pinning.load,
    env: { ...process.env, BENCH_LOAD: JSON.stringify(full) },
  });
  const limit = (OPT.warmup + OPT.duration) * 1000 + 60_000;
  const code = await Promise.race([proc.exited, new Promise<string>((r) => setTimeout(() => r("timeout"), limit))]);
  if (code !== 0) {
    await proc.kill();
    throw new Error(`load generator for ${server.name} ${spec.kind} failed (${code}):\n${proc.output()}`);
  }
  const line = proc.output().trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!line) throw new Error(`load generator printed no result:\n${proc.output()}`);
  return JSON.parse(line) as LoadResult;
}

// ---------------------------------------------------------------- helpers

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "—");
const non2xx = (r: LoadResult): number => Object.entries(r.statuses).filter(([s]) => !s.startsWith("2")).reduce((a, [, n]) => a + n, 0) + r.errors;

function copyDb(from: string, to: string): void {
  copyFileSync(from, to);
  for (const ext of ["-wal", "-shm"]) if (existsSync(from + ext)) copyFileSync(from + ext, to + ext);
}

function machineLine(): string {
  const sh = (cmd: string): string => {
    try {
      return execSync(cmd, { encoding: "utf8" }).trim();
    } catch {
      return "?";
    }
  };
  const cpu = cpus()[0]?.model ?? "?";
  return `${sh("uname -a")} | CPU: ${cpu} | nproc: ${sh("nproc")} | node ${process.version}`;
}

/** Creates the template payment (a DONE card payment with a big balance) over HTTP. */
async function createTemplate(port: number): Promise<{ paymentKey: string; orderId: string; body: string }> {
  const orderId = `benchtpl${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const res = await json(port, "POST", "/v1/payments/key-in", AUTH, {
    amount: 1_000_000_000,
    orderId,
    orderName: "벤치마크 템플릿",
    cardNumber: "9410001234567890",
    cardExpirationYear: "30",
    cardExpirationMonth: "12",
    customerIdentityNumber: "900101",
  });
  if (res.status !== 200) throw new Error(`key-in for the template payment answered ${res.status}: ${res.text.slice(0, 300)}`);
  const paymentKey = (res.body as { paymentKey: string }).paymentKey;
  const got = await json(port, "GET", `/v1/payments/${encodeURIComponent(paymentKey)}`, AUTH);
  if (got.status !== 200) throw new Error(`GET of the template payment answered ${got.status}`);
  return { paymentKey, orderId, body: got.text };
}

// ---------------------------------------------------------------- the run

interface Row {
  server: string;
  scenario: string;
  r: LoadResult;
}

async function main(): Promise<void> {
  installCleanup();
  const budget = setTimeout(() => {
    log(`over the time budget (${OPT.budgetMs / 60_000} min): stopping`);
    killAll();
    process.exit(1);
  }, OPT.budgetMs);
  budget.unref();

  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "faketoss-bench-"));
  log(`mode ${QUICK ? "quick" : "full"}; work dir ${dir}; pinning ${pinning.available ? "server→cpu0, load→cpu1 (taskset)" : "unavailable"}`);
  const rows: Row[] = [];
  const startups: Record<string, number[]> = {};
  const rss: Record<string, number> = {};
  const notes: string[] = [];
  const addStartup = (name: string, v: number) => (startups[name] ??= []).push(v);

  try {
    // ---- 1. template: a real payment written by FakeToss itself
    const templateDb = join(dir, "template.db");
    let tpl: Awaited<ReturnType<typeof createTemplate>>;
    {
      const s = await startServer("faketoss", { db: templateDb, core: "" });
      tpl = await createTemplate(s.port);
      await stopServer(s);
    }
    const bareBody = join(dir, "payment.json");
    writeFileSync(bareBody, tpl.body);
    log(`template payment ${tpl.paymentKey} (${Buffer.byteLength(tpl.body)} bytes of JSON)`);

    // ---- 2. FakeToss, 1k payments
    const smallDb = join(dir, "small.db");
    copyDb(templateDb, smallDb);
    const existing = countPayments(smallDb);
    seedPayments(smallDb, { templateKey: tpl.paymentKey, keyPrefix: "bench_g_", orderPrefix: "bench-g-", from: 1, to: OPT.small - existing });
    const smallCount = countPayments(smallDb);
    log(`small store: ${smallCount} payments`);
    for (let i = 0; i < OPT.startups; i++) {
      const s = await startServer("faketoss", { db: smallDb });
      addStartup("faketoss", s.startupMs);
      await stopServer(s);
    }
    {
      const s = await startServer("faketoss", { db: smallDb });
      addStartup("faketoss", s.startupMs);
      const getKeys = { keyPrefix: "bench_g_", keyCount: OPT.small - existing };
      log("FakeToss GET (1k)");
      rows.push({ server: "FakeToss", scenario: "GET", r: await load(s, { kind: "get", ...getKeys }) });
      log("FakeToss write (key-in)");
      rows.push({ server: "FakeToss", scenario: "write", r: await load(s, { kind: "write", orderPrefix: `bw${Date.now().toString(36)}` }) });
      // Cancel targets, seeded next to the running server (WAL: a second writer is fine).
      seedPayments(smallDb, { templateKey: tpl.paymentKey, keyPrefix: "bench_c_", orderPrefix: "bench-c-", from: 1, to: CANCEL_TARGETS });
      log("FakeToss partial cancel");
      rows.push({ server: "FakeToss", scenario: "cancel", r: await load(s, { kind: "cancel", keyPrefix: "bench_c_", keyCount: CANCEL_TARGETS }) });
      rss["FakeToss"] = groupRss(s.proc.child.pid!);
      await stopServer(s);
    }

    // ---- 3. FakeToss, big store
    {
      const bigDb = join(dir, "big.db");
      copyDb(templateDb, bigDb);
      const seedStart = performance.now();
      let lastLog = 0;
      const seeded = seedPayments(bigDb, {
        templateKey: tpl.paymentKey,
        keyPrefix: "bench_g_",
        orderPrefix: "bench-g-",
        from: 1,
        to: OPT.big,
        onProgress: (done, total) => {
          if (performance.now() - lastLog > 5000) {
            lastLog = performance.now();
            log(`seeding ${done}/${total}`);
          }
        },
      });
      const bigCount = countPayments(bigDb);
      const fileMb = statSync(bigDb).size / 1024 / 1024;
      log(`big store: ${bigCount} payments seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (${seeded.rows} rows, ${fileMb.toFixed(0)} MB file)`);
      notes.push(`Big store: ${bigCount.toLocaleString("en")} payments (${fileMb.toFixed(0)} MB SQLite file), seeded in ${(seeded.ms / 1000).toFixed(1)} s by bench/lib/seed.ts.`);
      const s = await startServer("faketoss", { db: bigDb });
      addStartup("faketoss (1M store)", s.startupMs);
      log(`FakeToss GET (${bigCount} payments)`);
      rows.push({ server: "FakeToss", scenario: `GET @${short(bigCount)}`, r: await load(s, { kind: "get", keyPrefix: "bench_g_", keyCount: OPT.big }) });
      rss["FakeToss @big"] = groupRss(s.proc.child.pid!);
      await stopServer(s);
      rmSync(bigDb, { force: true });
      rmSync(bigDb + "-wal", { force: true });
      rmSync(bigDb + "-shm", { force: true });
    }

    // ---- 4. Prism, silent and at its default level
    for (let i = 0; i < OPT.startups; i++) {
      const s = await startServer("prism-silent");
      addStartup("prism-silent", s.startupMs);
      await stopServer(s, false);
    }
    for (const [kind, label] of [["prism-silent", "Prism -v silent"], ["prism-info", "Prism (default log)"]] as const) {
      const s = await startServer(kind);
      addStartup(kind, s.startupMs);
      log(`${label} GET / write / cancel`);
      rows.push({ server: label, scenario: "GET", r: await load(s, { kind: "get", fixedKey: "pay_123" }) });
      rows.push({ server: label, scenario: "write", r: await load(s, { kind: "write", orderPrefix: `pw${Date.now().toString(36)}` }) });
      rows.push({ server: label, scenario: "cancel", r: await load(s, { kind: "cancel", fixedKey: "pay_123" }) });
      rss[label] = groupRss(s.proc.child.pid!);
      await stopServer(s, false);
    }

    // ---- 5. bare node:http
    {
      const s = await startServer("node-http", { bareBody });
      addStartup("node-http", s.startupMs);
      log("node:http GET / write / cancel");
      rows.push({ server: "node:http", scenario: "GET", r: await load(s, { kind: "get", fixedKey: "pay_123" }) });
      rows.push({ server: "node:http", scenario: "write", r: await load(s, { kind: "write", orderPrefix: `nw${Date.now().toString(36)}` }) });
      rows.push({ server: "node:http", scenario: "cancel", r: await load(s, { kind: "cancel", fixedKey: "pay_123" }) });
      rss["node:http"] = groupRss(s.proc.child.pid!);
      await stopServer(s);
    }

    // ---- report
    const report = render({ rows, startups, rss, notes, elapsedS: (performance.now() - t0) / 1000, smallCount });
    console.log(report.text);
    if (OPT.writeResults) {
      writeFileSync(join(ROOT, "bench", "RESULTS.md"), report.markdown);
      log("wrote bench/RESULTS.md");
    }
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

const short = (n: number): string => (n >= 1_000_000 ? `${+(n / 1_000_000).toFixed(2)}M` : n >= 1000 ? `${+(n / 1000).toFixed(1)}k` : String(n));

// ---------------------------------------------------------------- rendering

interface Ratio {
  name: string;
  value: number;
  target: string;
  pass: boolean | undefined;
  detail: string;
}

function render(input: { rows: Row[]; startups: Record<string, number[]>; rss: Record<string, number>; notes: string[]; elapsedS: number; smallCount: number }): {
  text: string;
  markdown: string;
} {
  const { rows, startups, rss } = input;
  const find = (server: string, scenario: string): LoadResult | undefined => rows.find((r) => r.server === server && r.scenario === scenario)?.r;
  const bigRow = rows.find((r) => r.server === "FakeToss" && r.scenario.startsWith("GET @"));
  const ratios: Ratio[] = [];
  const valid = (...rs: Array<LoadResult | undefined>) => rs.every((r) => r && r.requests > 0 && non2xx(r) <= r.requests * 0.01);
  const rpsRatio = (name: string, a: LoadResult | undefined, b: LoadResult | undefined, min: number | undefined) => {
    const value = a && b ? a.rps / b.rps : NaN;
    const ok = valid(a, b);
    ratios.push({
      name,
      value,
      target: min === undefined ? "(info)" : `≥ ${min}`,
      pass: !ok ? false : min === undefined ? undefined : value >= min,
      detail: ok ? `${Math.round(a!.rps)} ÷ ${Math.round(b!.rps)} req/s` : "INVALID: more than 1% non-2xx answers",
    });
  };
  const ft = (s: string) => find("FakeToss", s);
  rpsRatio("GET FakeToss ÷ node:http", ft("GET"), find("node:http", "GET"), 0.6);
  rpsRatio("write FakeToss ÷ node:http", ft("write"), find("node:http", "write"), 0.3);
  rpsRatio("cancel FakeToss ÷ node:http", ft("cancel"), find("node:http", "cancel"), undefined);
  for (const s of ["GET", "write", "cancel"]) rpsRatio(`${s} FakeToss ÷ Prism -v silent`, ft(s), find("Prism -v silent", s), 5);
  for (const s of ["GET", "write", "cancel"]) rpsRatio(`${s} FakeToss ÷ Prism (default log)`, ft(s), find("Prism (default log)", s), undefined);
  const ftStart = median(startups["faketoss"] ?? []);
  const prStart = median(startups["prism-silent"] ?? []);
  ratios.push({
    name: "start-up FakeToss ÷ Prism -v silent",
    value: ftStart / prStart,
    target: "≤ 0.25",
    pass: ftStart / prStart <= 0.25,
    detail: `median ${ftStart.toFixed(0)} ÷ ${prStart.toFixed(0)} ms`,
  });
  const small = ft("GET");
  if (bigRow && small) {
    const v = bigRow.r.p50 / small.p50;
    ratios.push({ name: `GET p50 ${bigRow.scenario.slice(5)} ÷ ${short(input.smallCount)}`, value: v, target: "≤ 1.2", pass: valid(bigRow.r, small) && v <= 1.2, detail: `${ms(bigRow.r.p50)} ÷ ${ms(small.p50)} ms` });
  }
  const bigRss = rss["FakeToss @big"];
  if (bigRss !== undefined) {
    ratios.push({ name: `RSS at ${bigRow ? bigRow.scenario.slice(5) : "big"} payments (MB)`, value: bigRss / 1024 / 1024, target: "≤ 150", pass: bigRss / 1024 / 1024 <= 150, detail: "after the GET load" });
  }

  const head = ["server", "scenario", "req/s", "p50 ms", "p99 ms", "requests", "non-2xx"];
  const table = rows.map((r) => [r.server, r.scenario, Math.round(r.r.rps).toString(), ms(r.r.p50), ms(r.r.p99), String(r.r.requests), String(non2xx(r.r))]);
  const startupRows = Object.entries(startups).map(([k, v]) => [k, `${median(v).toFixed(0)} ms`, v.map((x) => x.toFixed(0)).join(", ")]);
  const rssRows = Object.entries(rss).map(([k, v]) => [k, `${mb(v)} MB`]);
  const ratioRows = ratios.map((r) => [r.name, Number.isFinite(r.value) ? r.value.toFixed(3) : "—", r.target, r.pass === undefined ? "info" : r.pass ? "PASS" : "MISS", r.detail]);

  const md = (h: string[], body: string[][]) => [`| ${h.join(" | ")} |`, `|${h.map(() => "---").join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  const txt = (h: string[], body: string[][]) => {
    const w = h.map((x, i) => Math.max(x.length, ...body.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join("  ");
    return [line(h), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n");
  };
  const date = new Date().toISOString();
  const machine = machineLine();
  const settings = `${QUICK ? "quick" : "full"} mode: ${OPT.warmup} s warm-up + ${OPT.duration} s measured per scenario, ${OPT.connections} connections, pipelining 1; ${pinning.available ? "server pinned to cpu0 and autocannon to cpu1 (taskset)" : "no pinning (taskset or a second core missing)"}; FakeToss on a file store (WAL), FAKETOSS_LOG=silent.`;
  const misses = ratios.filter((r) => r.pass === false).map((r) => r.name);
  const verdict = misses.length === 0 ? "All targets met." : `Targets missed: ${misses.join("; ")}.`;

  const text = [
    "",
    `FakeToss benchmark — ${date}`,
    machine,
    settings,
    "",
    txt(head, table),
    "",
    txt(["start-up", "median", "samples (ms)"], startupRows),
    "",
    txt(["RSS after load", ""], rssRows),
    "",
    txt(["ratio", "value", "target", "result", "detail"], ratioRows),
    "",
    ...input.notes,
    verdict,
    `(${input.elapsedS.toFixed(0)} s)`,
  ].join("\n");

  const markdown = [
    "# FakeToss benchmark results",
    "",
    "Written by `npm run bench` (bench/run.ts); the latest run replaces this file.",
    "",
    `- Date: ${date}`,
    `- Machine: \`${machine}\``,
    `- Settings: ${settings}`,
    `- Latency percentiles come from every response of the measured phase (float ms), not autocannon's 1 ms histogram.`,
    "",
    "## Throughput and latency",
    "",
    md(head, table),
    "",
    "## Start-up (spawn → first HTTP answer) and memory",
    "",
    md(["server", "median", "samples (ms)"], startupRows),
    "",
    md(["server", "RSS after load"], rssRows),
    "",
    "## Ratios against the targets (issue #6)",
    "",
    md(["ratio", "value", "target", "result", "detail"], ratioRows),
    "",
    ...input.notes.map((n) => `- ${n}`),
    `- ${verdict}`,
    "",
  ].join("\n");
  return { text, markdown };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    killAll();
    process.exit(1);
  },
);
