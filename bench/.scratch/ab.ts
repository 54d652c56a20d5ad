// A/B: FakeToss trees side by side (each its own process on a copy of one seeded store), load
// phases interleaved over rounds to cancel out background drift. SERVERS="name:dir[:cmd],..."
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
import { freePort, json, waitForAnswer } from "../lib/net.js"; import { pinning, spawnGroup, installCleanup } from "../lib/procs.js"; import { seedPayments } from "../lib/seed.js";
installCleanup();
const AUTH = "Basic " + Buffer.from("test_sk_yjroot_faketoss_default:").toString("base64");
const dir = mkdtempSync(join(tmpdir(), "ab-")); const db = join(dir, "c.db");
let port = await freePort();
let p = spawnGroup(process.execPath, ["--import", "tsx", "src/main.ts"], { env: { ...process.env, PORT: String(port), FAKETOSS_DB: db, FAKETOSS_LOG: "silent" } });
await waitForAnswer(port, "/", {});
const tpl = await json(port, "POST", "/v1/payments/key-in", AUTH, { amount: 1e9, orderId: "abtpl1234", orderName: "x", cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" });
await p.kill("SIGTERM");
const GETN = Number(process.env.BIG ?? 1000);
seedPayments(db, { templateKey: tpl.body.paymentKey, keyPrefix: "bench_g_", orderPrefix: "bench-g-", from: 1, to: GETN });
seedPayments(db, { templateKey: tpl.body.paymentKey, keyPrefix: "bench_c_", orderPrefix: "bench-c-", from: 1, to: 20000 });
const servers = [] as { name: string; port: number }[];
const procs = new Map<string, number>();
for (const spec of (process.env.SERVERS ?? "main:/work/main").split(",")) {
  const [name, cwd, cmd] = spec.split(":");
  const mydb = join(dir, name + ".db"); copyFileSync(db, mydb);
  const port = await freePort();
  const env: Record<string, string> = { ...process.env as Record<string, string>, PORT: String(port), FAKETOSS_DB: mydb, FAKETOSS_LOG: "silent" };
  const proc = name.startsWith("ref") ? spawnGroup(process.execPath, ["--import", "tsx", "/work/main/bench/reference-server.ts"], { core: pinning.server, env })
    : spawnGroup(process.execPath, (cmd ?? "--import tsx src/main.ts").split(" "), { core: pinning.server, cwd, env });
  await waitForAnswer(port, "/v1/payments/bench_g_1", { authorization: AUTH }, { timeoutMs: 60000 });
  servers.push({ name, port });
  procs.set(name, proc.child.pid!);
}
const ROUNDS = Number(process.env.ROUNDS ?? 3);
for (const kind of (process.env.KINDS ?? "get,write,cancel").split(",")) {
  const res = new Map<string, number[]>();
  const p50s = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) for (const s of r % 2 ? [...servers].reverse() : servers) {
    const spec = { port: s.port, connections: 10, warmupSec: 1, durationSec: Number(process.env.SECS ?? 4), maxRequests: 1e6, auth: AUTH, kind, keyPrefix: kind === "cancel" ? "bench_c_" : "bench_g_", keyCount: kind === "cancel" ? 20000 : GETN, orderPrefix: "ab" + s.name + Date.now().toString(36) };
    const l = spawnGroup(process.execPath, ["--import", "tsx", "bench/load.ts"], { core: pinning.load, env: { ...process.env, BENCH_LOAD: JSON.stringify(spec) } });
    await l.exited; const out = JSON.parse(l.output().trim().split("\n").pop()!);
    const bad = Object.entries(out.statuses).filter(([k]) => !k.startsWith("2")).length;
    (res.get(s.name) ?? res.set(s.name, []).get(s.name)!).push(Math.round(out.rps) * (bad ? -1 : 1));
    (p50s.get(s.name) ?? p50s.set(s.name, []).get(s.name)!).push(+out.p50.toFixed(2));
  }
  console.log("p50", [...p50s].map(([n, v]) => `${n}: ${v.join("/")}`).join("  |  "));
  console.log(kind, [...res].map(([n, v]) => `${n}: ${v.join("/")} (median ${[...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]})`).join("  |  "));
}
for (const s of servers) { const pid = procs.get(s.name)!; const st = readFileSync(`/proc/${pid}/status`, "utf8"); console.log("rss", s.name, /VmRSS:\s+(\d+)/.exec(st)![1], "anon", /RssAnon:\s+(\d+)/.exec(st)![1], "file", /RssFile:\s+(\d+)/.exec(st)![1]); }
process.exit(0);
