// `npm run bench` (or `npm run bench -- --quick`): FakeToss against Prism and a bare node:http
// server, one after another on free loopback ports, each server pinned to core 0 and the load
// generator (bench/load.ts, autocannon) to core 1 when taskset and two cores exist.
//
// Measures, with warm-up: GET /v1/payments/{paymentKey}; a write (key-in, a fresh orderId per
// request); a partial cancel (100 KRW off big payments); start-up time (spawn → first answer,
// median); RSS after the load; GET at 1k and at 1M payments (seeded straight into the SQLite
// file). Prints the table and the ratios against the targets, and writes bench/RESULTS.md.
//
// Options: --quick (short phases and a 200k big store, for CI), --big=N (payments in the big
// store, default 1,000,000), --rounds=N, --duration=S / --warmup=S (seconds per measured /
// warm-up phase), --startups=N, --connections=N, --no-write-results (print only),
// --faketoss-dir=DIR (measure another FakeToss tree, e.g. a copy with fixes applied),
// --tsx (run FakeToss's src/main.ts through tsx instead of as `npm start` runs it: esbuild's
// cached transpile, scripts/start.mjs), --results=PATH (default
// bench/RESULTS.md), --label=TEXT (what the measured tree is, for the report).
//
// Also runs a yardstick, bench/reference-server.ts (plain fastify + SQLite, the server issue #6
// calibrates its targets with), reported for information.
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
  warmup: num("warmup", QUICK ? 1 : 2),
  duration: num("duration", QUICK ? 2 : 5),
  /** Measured rounds per scenario; the servers take turns within a round (see below). */
  rounds: num("rounds", QUICK ? 1 : 3),
  connections: num("connections", 10),
  startups: num("startups", QUICK ? 2 : 5),
  // Quick mode seeds 200k (5 s) instead of 1M (25 s, a 2 GB file): a smoke test of the path.
  big: num("big", QUICK ? 200_000 : 1_000_000),
  small: 1_000,
  /** Hard cap on requests per phase, whatever the duration. */
  maxRequests: QUICK ? 300_000 : 1_000_000,
  /** Whole run bound: every child is killed and the bench fails past this. */
  budgetMs: (QUICK ? 10 : 40) * 60_000,
  writeResults: flag("no-write-results") === undefined,
  /** The FakeToss tree to measure (default this one): e.g. a copy with proposed fixes applied. */
  ftDir: flag("faketoss-dir") ?? ROOT,
  /** Run FakeToss through tsx instead of as `npm start` does (scripts/start.mjs). */
  tsx: flag("tsx") !== undefined,
  /** Where the markdown goes (default bench/RESULTS.md). */
  results: flag("results") ?? join(ROOT, "bench", "RESULTS.md"),
  /** What the measured FakeToss is, for the report (default: its tree and git commit). */
  label: flag("label"),
};
const ftMain: string[] = OPT.tsx ? ["--import", "tsx", "src/main.ts"] : ["scripts/start.mjs"];
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

type Kind = "faketoss" | "prism-silent" | "prism-info" | "node-http" | "reference";

async function startServer(kind: Kind, name: string, opts: { db?: string; bareBody?: string; core?: string } = {}): Promise<Server> {
  const port = await freePort();
  const core = opts.core === undefined ? pinning.server : opts.core;
  let proc: Spawned;
  const started = performance.now();
  switch (kind) {
    case "faketoss":
      proc = spawnGroup(process.execPath, ftMain, {
        cwd: OPT.ftDir,
        core,
        env: { ...process.env, PORT: String(port), HOST, FAKETOSS_DB: opts.db!, FAKETOSS_LOG: "silent" },
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
    case "reference":
      proc = spawnGroup(process.execPath, ["--import", "tsx", join(ROOT, "bench", "reference-server.ts")], {
        cwd: ROOT,
        core,
        env: { ...process.env, PORT: String(port), FAKETOSS_DB: opts.db! },
      });
      break;
  }
  const alive = () => proc.child.exitCode === null && proc.child.signalCode === null;
  try {
    const answered = await waitForAnswer(port, "/v1/payments/pay_123", { authorization: AUTH }, { timeoutMs: 120_000, alive });
    return { name, port, proc, startupMs: answered - started };
  } catch (err) {
    await proc.kill();
    throw new Error(`${name} did not start: ${(err as Error).message}\n${proc.output()}`);
  }
}

async function stopServer(s: Server, graceful = true): Promise<void> {
  await s.proc.kill(graceful ? "SIGTERM" : "SIGKILL");
}

// ---------------------------------------------------------------- load

type LoadParams = Omit<LoadSpec, "port" | "connections" | "warmupSec" | "durationSec" | "maxRequests" | "auth">;

async function load(server: Server, spec: LoadParams, connections = OPT.connections): Promise<LoadResult> {
  const full: LoadSpec = {
    port: server.port,
    connections,
    warmupSec: OPT.warmup,
    durationSec: OPT.duration,
    maxRequests: OPT.maxRequests,
    auth: AUTH,
    serverGroup: server.proc.child.pid,
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

/** Median of each number across rounds; request and status counts summed. */
function combine(rs: LoadResult[]): LoadResult {
  const med = (f: (r: LoadResult) => number) => median(rs.map(f));
  const statuses: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    requests: rs.reduce((a, r) => a + r.requests, 0),
    seconds: rs.reduce((a, r) => a + r.seconds, 0),
    rps: med((r) => r.rps),
    p50: med((r) => r.p50),
    p90: med((r) => r.p90),
    p99: med((r) => r.p99),
    max: Math.max(...rs.map((r) => r.max)),
    statuses,
    errors: rs.reduce((a, r) => a + r.errors, 0),
    timeouts: rs.reduce((a, r) => a + r.timeouts, 0),
    serverCpu: rs.every((r) => r.serverCpu !== null) ? med((r) => r.serverCpu!) : null,
    loadCpu: med((r) => r.loadCpu),
  };
}

/**
 * Every server of `entries` gets one measured phase per round, taking turns (the order rotates
 * each round), so that background load drifting over the run (the machine is shared) hits all
 * servers alike instead of whichever ran at the bad moment. Medians over the rounds.
 */
async function rounds(
  scenario: string,
  entries: Array<{ server: Server; label: string; params: LoadParams; connections?: number }>,
  rows: Row[],
): Promise<void> {
  const results = new Map<string, LoadResult[]>(entries.map((e) => [e.label, []]));
  for (let r = 0; r < OPT.rounds; r++) {
    const order = entries.map((_, i) => entries[(i + r) % entries.length]!);
    for (const e of order) {
      log(`${scenario}, round ${r + 1}/${OPT.rounds}: ${e.label}`);
      results.get(e.label)!.push(await load(e.server, e.params, e.connections));
    }
  }
  for (const e of entries) rows.push({ server: e.label, scenario, r: combine(results.get(e.label)!) });
}

// ---------------------------------------------------------------- helpers

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "—");
/**
 * The load generator (one core) was the limit: it was near a full core while the server had
 * time to spare. The server's req/s is then a floor, not its capacity.
 */
const loadBound = (r: LoadResult): boolean => r.loadCpu >= 0.9 && r.serverCpu !== null && r.serverCpu < 0.9;
const cpuText = (r: LoadResult): string => `server ${Math.round((r.serverCpu ?? NaN) * 100)}% of a core, autocannon ${Math.round(r.loadCpu * 100)}%`;
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

/** RSS split: anonymous memory (heap...) and file-backed pages (mmap of the SQLite file, code). */
function rssDetail(pid: number): { rss: number; anon: number; file: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN) * 1024;
    return { rss: groupRss(pid), anon: kb("RssAnon"), file: kb("RssFile") + kb("RssShmem") };
  } catch {
    return { rss: groupRss(pid), anon: NaN, file: NaN };
  }
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

/** "commit abc1234 + uncommitted changes", or the --label. */
function describeTree(): string {
  if (OPT.label) return OPT.label;
  try {
    const commit = execSync("git rev-parse --short HEAD", { cwd: OPT.ftDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execSync("git status --porcelain -- src openapi.yaml", { cwd: OPT.ftDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return `commit ${commit}${dirty ? " + uncommitted changes in src/" : ""}`;
  } catch {
    return OPT.ftDir;
  }
}

const short = (n: number): string => (n >= 1_000_000 ? `${+(n / 1_000_000).toFixed(2)}M` : n >= 1000 ? `${+(n / 1000).toFixed(1)}k` : String(n));

// ---------------------------------------------------------------- the run

interface Row {
  server: string;
  scenario: string;
  r: LoadResult;
}

const FT = "FakeToss";
const PRISM_SILENT = "Prism -v silent";
const PRISM_INFO = "Prism (default log)";
const BARE = "node:http";
const REF = "fastify+SQLite (reference)";

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
  log(`mode ${QUICK ? "quick" : "full"}; work dir ${dir}; pinning ${pinning.available ? "servers→cpu0, load→cpu1 (taskset)" : "unavailable"}`);
  const rows: Row[] = [];
  const startups: Record<string, number[]> = {};
  const rss: Record<string, { rss: number; anon: number; file: number }> = {};
  const notes: string[] = [];
  const addStartup = (name: string, v: number) => (startups[name] ??= []).push(v);
  const running: Server[] = [];

  try {
    // ---- 1. the template: a real payment written by FakeToss itself
    const templateDb = join(dir, "template.db");
    let tpl: Awaited<ReturnType<typeof createTemplate>>;
    {
      const s = await startServer("faketoss", FT, { db: templateDb, core: "" });
      tpl = await createTemplate(s.port);
      await stopServer(s);
    }
    const bareBody = join(dir, "payment.json");
    writeFileSync(bareBody, tpl.body);
    log(`template payment ${tpl.paymentKey} (${Buffer.byteLength(tpl.body)} bytes of JSON)`);

    // ---- 2. stores: 1k payments, and the big one
    const smallDb = join(dir, "small.db");
    copyDb(templateDb, smallDb);
    const existing = countPayments(smallDb);
    const getKeys = OPT.small - existing;
    seedPayments(smallDb, { templateKey: tpl.paymentKey, keyPrefix: "bench_g_", orderPrefix: "bench-g-", from: 1, to: getKeys });
    const smallCount = countPayments(smallDb);
    const refDb = join(dir, "reference.db");
    copyDb(smallDb, refDb);
    seedPayments(refDb, { templateKey: tpl.paymentKey, keyPrefix: "bench_c_", orderPrefix: "bench-c-", from: 1, to: CANCEL_TARGETS });

    const bigDb = join(dir, "big.db");
    copyDb(templateDb, bigDb);
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
          log(`seeding the big store: ${done}/${total}`);
        }
      },
    });
    const bigCount = countPayments(bigDb);
    const fileMb = statSync(bigDb).size / 1024 / 1024;
    const BIG = `GET @${short(bigCount)}`;
    log(`small store ${smallCount} payments; big store ${bigCount} payments (${fileMb.toFixed(0)} MB), seeded in ${(seeded.ms / 1000).toFixed(1)} s`);
    notes.push(`Big store: ${bigCount.toLocaleString("en")} payments (${fileMb.toFixed(0)} MB SQLite file), seeded in ${(seeded.ms / 1000).toFixed(1)} s straight into the file (bench/lib/seed.ts).`);

    // ---- 3. start-up: FakeToss and Prism spawned in turns
    for (let i = 0; i < OPT.startups; i++) {
      for (const [kind, name] of [["faketoss", "faketoss"], ["prism-silent", "prism-silent"]] as const) {
        const s = await startServer(kind, name, { db: smallDb });
        addStartup(name, s.startupMs);
        await stopServer(s, kind === "faketoss");
      }
    }

    // ---- 4. every server up at once (pinned to the same core, idle ones cost nothing)
    const ft = await startServer("faketoss", FT, { db: smallDb });
    const ftBig = await startServer("faketoss", `${FT} ${BIG}`, { db: bigDb });
    const prismSilent = await startServer("prism-silent", PRISM_SILENT);
    const prismInfo = await startServer("prism-info", PRISM_INFO);
    const bare = await startServer("node-http", BARE, { bareBody });
    const ref = await startServer("reference", REF, { db: refDb });
    running.push(ft, ftBig, prismSilent, prismInfo, bare, ref);
    addStartup("faketoss (1M store)", ftBig.startupMs);
    addStartup("prism-info", prismInfo.startupMs);
    addStartup("node-http", bare.startupMs);

    const small = { keyPrefix: "bench_g_", keyCount: getKeys };
    const fixed = { fixedKey: "pay_123" };
    await rounds(
      "GET",
      [
        { server: ft, label: FT, params: { kind: "get", ...small } },
        { server: ftBig, label: `${FT} ${BIG}`, params: { kind: "get", keyPrefix: "bench_g_", keyCount: OPT.big } },
        { server: bare, label: BARE, params: { kind: "get", ...fixed } },
        { server: ref, label: REF, params: { kind: "get", ...small } },
        { server: prismSilent, label: PRISM_SILENT, params: { kind: "get", ...fixed } },
        { server: prismInfo, label: PRISM_INFO, params: { kind: "get", ...fixed } },
      ],
      rows,
    );
    // Latency unloaded: one connection, so p50 is one request's time, not the queue behind ten.
    await rounds(
      UNLOADED,
      [
        { server: ft, label: FT, params: { kind: "get", ...small }, connections: 1 },
        { server: ftBig, label: `${FT} ${BIG}`, params: { kind: "get", keyPrefix: "bench_g_", keyCount: OPT.big }, connections: 1 },
      ],
      rows,
    );
    for (const r of rows) {
      if (r.server !== `${FT} ${BIG}`) continue;
      r.server = FT;
      r.scenario = r.scenario === UNLOADED ? `${BIG}${ONE_CONNECTION}` : BIG;
    }
    rss["FakeToss @big"] = rssDetail(ftBig.proc.child.pid!);
    await stopServer(ftBig);
    running.splice(running.indexOf(ftBig), 1);
    rmSync(bigDb, { force: true });

    const stamp = Date.now().toString(36);
    await rounds(
      "write",
      [
        { server: ft, label: FT, params: { kind: "write", orderPrefix: `bw${stamp}` } },
        { server: bare, label: BARE, params: { kind: "write", orderPrefix: `nw${stamp}` } },
        { server: ref, label: REF, params: { kind: "write", orderPrefix: `rw${stamp}` } },
        { server: prismSilent, label: PRISM_SILENT, params: { kind: "write", orderPrefix: `pw${stamp}` } },
        { server: prismInfo, label: PRISM_INFO, params: { kind: "write", orderPrefix: `iw${stamp}` } },
      ],
      rows,
    );
    // Cancel targets, seeded next to the running server (WAL: a second writer is fine).
    seedPayments(smallDb, { templateKey: tpl.paymentKey, keyPrefix: "bench_c_", orderPrefix: "bench-c-", from: 1, to: CANCEL_TARGETS });
    const targets = { keyPrefix: "bench_c_", keyCount: CANCEL_TARGETS };
    await rounds(
      "cancel",
      [
        { server: ft, label: FT, params: { kind: "cancel", ...targets } },
        { server: bare, label: BARE, params: { kind: "cancel", ...fixed } },
        { server: ref, label: REF, params: { kind: "cancel", ...targets } },
        { server: prismSilent, label: PRISM_SILENT, params: { kind: "cancel", ...fixed } },
        { server: prismInfo, label: PRISM_INFO, params: { kind: "cancel", ...fixed } },
      ],
      rows,
    );
    for (const s of [ft, prismSilent, prismInfo, bare, ref]) rss[s.name] = rssDetail(s.proc.child.pid!);

    rows.sort((a, b) => order(a) - order(b));
    const report = render({ rows, startups, rss, notes, elapsedS: (performance.now() - t0) / 1000, smallCount, big: BIG });
    console.log(report.text);
    if (OPT.writeResults) {
      writeFileSync(OPT.results, report.markdown);
      log(`wrote ${OPT.results}`);
    }
  } finally {
    for (const s of running) await s.proc.kill("SIGKILL");
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

const SERVER_ORDER = [FT, BARE, REF, PRISM_SILENT, PRISM_INFO];
const ONE_CONNECTION = ", 1 connection";
const UNLOADED = `GET${ONE_CONNECTION}`;
const SCENARIO_ORDER = ["GET", "write", "cancel"];
function order(r: Row): number {
  const s = SERVER_ORDER.findIndex((x) => r.server.startsWith(x));
  const unloaded = r.scenario.endsWith(ONE_CONNECTION) ? 0.2 : 0;
  const c = (r.scenario.startsWith("GET @") ? 0.5 : SCENARIO_ORDER.indexOf(r.scenario.startsWith("GET") ? "GET" : r.scenario)) + unloaded;
  return s * 10 + c;
}

// ---------------------------------------------------------------- rendering

interface Ratio {
  name: string;
  value: number;
  target: string;
  pass: boolean | undefined;
  detail: string;
  /** A req/s of the ratio was the load generator's limit (loadBound). */
  loadBound: boolean;
}

function render(input: {
  rows: Row[];
  startups: Record<string, number[]>;
  rss: Record<string, { rss: number; anon: number; file: number }>;
  notes: string[];
  elapsedS: number;
  smallCount: number;
  big: string;
}): {
  text: string;
  markdown: string;
} {
  const { rows, startups, rss } = input;
  const find = (server: string, scenario: string): LoadResult | undefined => rows.find((r) => r.server === server && r.scenario === scenario)?.r;
  const ratios: Ratio[] = [];
  const valid = (...rs: Array<LoadResult | undefined>) => rs.every((r) => r && r.requests > 0 && non2xx(r) <= r.requests * 0.01);
  /** One row of the ratio table. No goal: reported for information. Measurements that are not valid miss. */
  const judge = (name: string, value: number, goal: { min: number } | { max: number } | undefined, ok: boolean, detail: string, bound = false) => {
    ratios.push({
      name,
      value,
      target: goal === undefined ? "(info)" : "min" in goal ? `≥ ${goal.min}` : `≤ ${goal.max}`,
      pass: !ok ? false : goal === undefined ? undefined : "min" in goal ? value >= goal.min : value <= goal.max,
      detail: ok ? detail : "INVALID: more than 1% non-2xx answers",
      loadBound: bound,
    });
  };
  const rpsRatio = (name: string, a: LoadResult | undefined, b: LoadResult | undefined, min: number | undefined) => {
    const bound = [a, b].filter((r): r is LoadResult => r !== undefined && loadBound(r)).map(cpuText);
    const detail = a && b ? `${Math.round(a.rps)} ÷ ${Math.round(b.rps)} req/s${bound.length ? `; set by the load generator, not the server (${bound.join("; ")})` : ""}` : "";
    judge(name, a && b ? a.rps / b.rps : NaN, min === undefined ? undefined : { min }, valid(a, b), detail, bound.length > 0);
  };
  /** req/s per CPU-second of the server: what a load generator that kept both servers busy would show. */
  const perCpuRatio = (name: string, a: LoadResult | undefined, b: LoadResult | undefined) => {
    if (!a || !b || !a.serverCpu || !b.serverCpu) return;
    const [pa, pb] = [a.rps / a.serverCpu, b.rps / b.serverCpu];
    judge(name, pa / pb, undefined, valid(a, b), `${Math.round(pa)} ÷ ${Math.round(pb)} req per server CPU-second`);
  };
  const ft = (s: string) => rows.find((r) => r.server === FT && r.scenario === s)?.r;
  rpsRatio("GET FakeToss ÷ node:http", ft("GET"), find("node:http", "GET"), 0.6);
  rpsRatio("write FakeToss ÷ node:http", ft("write"), find("node:http", "write"), 0.3);
  rpsRatio("cancel FakeToss ÷ node:http", ft("cancel"), find("node:http", "cancel"), undefined);
  for (const s of ["GET", "write", "cancel"]) perCpuRatio(`${s} FakeToss ÷ node:http, per server CPU-second`, ft(s), find("node:http", s));
  for (const s of ["GET", "write", "cancel"]) rpsRatio(`${s} FakeToss ÷ fastify+SQLite (reference)`, ft(s), find(REF, s), undefined);
  for (const s of ["GET", "write", "cancel"]) rpsRatio(`${s} FakeToss ÷ Prism -v silent`, ft(s), find("Prism -v silent", s), 5);
  for (const s of ["GET", "write", "cancel"]) rpsRatio(`${s} FakeToss ÷ Prism (default log)`, ft(s), find("Prism (default log)", s), undefined);
  const ftStart = median(startups["faketoss"] ?? []);
  const prStart = median(startups["prism-silent"] ?? []);
  judge("start-up FakeToss ÷ Prism -v silent", ftStart / prStart, { max: 0.25 }, true, `median ${ftStart.toFixed(0)} ÷ ${prStart.toFixed(0)} ms`);
  /** p50 at the big store ÷ at the small one; `max` undefined: reported for information. */
  const p50Ratio = (suffix: string, max: number | undefined) => {
    const big = ft(`${input.big}${suffix}`);
    const small = ft(`GET${suffix}`);
    if (!big || !small) return;
    const name = `GET p50 ${input.big.slice(5)} ÷ ${short(input.smallCount)}${suffix}`;
    judge(name, big.p50 / small.p50, max === undefined ? undefined : { max }, valid(big, small), `${ms(big.p50)} ÷ ${ms(small.p50)} ms`);
  };
  p50Ratio("", 1.2);
  p50Ratio(ONE_CONNECTION, undefined);
  const bigRss = rss["FakeToss @big"];
  if (bigRss !== undefined) {
    const detail = `after the GET load: ${mb(bigRss.anon)} MB anonymous + ${mb(bigRss.file)} MB file-backed (mmap of the SQLite file)`;
    judge(`RSS at ${input.big.slice(5)} payments (MB)`, bigRss.rss / 1024 / 1024, { max: 150 }, true, detail);
  }

  const head = ["server", "scenario", "req/s", "p50 ms", "p99 ms", "requests", "non-2xx", "server CPU", "load CPU"];
  const pct = (x: number | null): string => (x === null ? "—" : `${Math.round(x * 100)}%`);
  const table = rows.map((r) => [
    r.server,
    r.scenario,
    Math.round(r.r.rps).toString(),
    ms(r.r.p50),
    ms(r.r.p99),
    String(r.r.requests),
    String(non2xx(r.r)),
    pct(r.r.serverCpu),
    pct(r.r.loadCpu) + (loadBound(r.r) ? " (bound)" : ""),
  ]);
  const startupRows = Object.entries(startups).map(([k, v]) => [k, `${median(v).toFixed(0)} ms`, v.map((x) => x.toFixed(0)).join(", ")]);
  const rssRows = Object.entries(rss).map(([k, v]) => [k, `${mb(v.rss)} MB`, `${mb(v.anon)} MB`, `${mb(v.file)} MB`]);
  const ratioRows = ratios.map((r) => [r.name, Number.isFinite(r.value) ? r.value.toFixed(3) : "—", r.target, r.pass === undefined ? "info" : r.pass ? "PASS" : "MISS", r.detail]);

  const md = (h: string[], body: string[][]) => [`| ${h.join(" | ")} |`, `|${h.map(() => "---").join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  const txt = (h: string[], body: string[][]) => {
    const w = h.map((x, i) => Math.max(x.length, ...body.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join("  ");
    return [line(h), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n");
  };
  const date = new Date().toISOString();
  const machine = machineLine();
  const settings =
    `${QUICK ? "quick" : "full"} mode: per scenario ${OPT.rounds} round(s) in which every server takes a turn of ${OPT.warmup} s warm-up + ${OPT.duration} s measured ` +
    `(medians over rounds), ${OPT.connections} connections (1 in the "1 connection" rows), pipelining 1; ${pinning.available ? "servers pinned to cpu0 and autocannon to cpu1 (taskset)" : "no pinning (taskset or a second core missing)"}; ` +
    `FakeToss (${describeTree()}) on a file store (WAL) via \`node ${ftMain.join(" ").replace(OPT.ftDir + "/", "")}\`, FAKETOSS_LOG=silent; ` +
    `GET reads random keys among ${short(input.smallCount)} (and ${input.big.slice(5)}) payments.`;
  const misses = ratios.filter((r) => r.pass === false).map((r) => r.name);
  const unsure = ratios.filter((r) => r.pass === true && r.loadBound).map((r) => r.name);
  const verdict =
    (misses.length === 0 ? "All targets met." : `Targets missed: ${misses.join("; ")}.`) +
    (unsure.length === 0 ? "" : ` Met only against a load-bound ceiling (read the per server CPU-second rows): ${unsure.join("; ")}.`);

  const text = [
    "",
    `FakeToss benchmark — ${date}`,
    machine,
    settings,
    "",
    txt(head, table),
    'CPU: share of one core (server / autocannon); "(bound)": autocannon\'s limit, not the server\'s.',
    "",
    txt(["start-up", "median", "samples (ms)"], startupRows),
    "",
    txt(["RSS after load", "total", "anonymous", "file-backed"], rssRows),
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
    `- CPU columns: share of one core used over the measured phase by the server's processes and by autocannon. "(bound)": autocannon was at ≥ 90% of its core while the server was below 90% of its own, so that req/s is the load generator's limit and a floor of the server's. The "per server CPU-second" ratios divide each server's req/s by its CPU share.`,
    "",
    "## Throughput and latency",
    "",
    md(head, table),
    "",
    "## Start-up (spawn → first HTTP answer) and memory",
    "",
    md(["server", "median", "samples (ms)"], startupRows),
    "",
    md(["server", "RSS after load", "anonymous", "file-backed"], rssRows),
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
