// A/B comparison of FakeToss trees (or builds), side by side, for checking a performance fix on
// a shared machine: every server runs at once (pinned to cpu0, the load to cpu1), each on its own
// copy of one seeded store, and the load phases take turns over several rounds so that
// background load drifting over the run hits all servers alike. Prints req/s and p50 per round
// and the median, and each server's RSS (anonymous / file-backed) at the end.
//
//   npx tsx bench/ab.ts                                   # this tree alone
//   AB_SERVERS="main=.,fixed=/tmp/faketoss-fixed" npx tsx bench/ab.ts
//   AB_SERVERS="tsx=.,js=.:bench/.build/src/main.js" ...  # a tree as tsc output (built by you)
//   AB_SERVERS="main=.,ref=reference" ...                 # the plain fastify+SQLite yardstick
//
// Env: AB_SERVERS (name=dir[:node args], "reference" for bench/reference-server.ts),
// AB_KINDS (get,write,cancel), AB_ROUNDS (3), AB_SECONDS (4 measured + 1 warm-up per turn),
// AB_PAYMENTS (payments the GETs pick from, default 1000; 1000000 for the big-store case),
// AB_SEEDER (the tree that writes the seeded store, default "."; the oldest schema of the
// compared trees, since a newer file is refused by an older FakeToss).
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, json, waitForAnswer } from "./lib/net.js";
import { installCleanup, killAll, pinning, spawnGroup, type Spawned } from "./lib/procs.js";
import { seedPayments } from "./lib/seed.js";
import type { LoadResult, LoadSpec } from "./load.js";

const ROOT = resolve(import.meta.dirname, "..");
const AUTH = "Basic " + Buffer.from("test_sk_yjroot_faketoss_default:").toString("base64");
const KINDS = (process.env.AB_KINDS ?? "get,write,cancel").split(",") as Array<LoadSpec["kind"]>;
const ROUNDS = Number(process.env.AB_ROUNDS ?? 3);
const SECONDS = Number(process.env.AB_SECONDS ?? 4);
const PAYMENTS = Number(process.env.AB_PAYMENTS ?? 1000);
const CANCEL_TARGETS = 20_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  installCleanup();
  const dir = mkdtempSync(join(tmpdir(), "faketoss-ab-"));
  try {
    // One store, seeded once from a payment this tree writes.
    const db = join(dir, "seed.db");
    let port = await freePort();
    const seeder = spawnGroup(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: resolve(ROOT, process.env.AB_SEEDER ?? "."), env: { ...process.env, PORT: String(port), FAKETOSS_DB: db, FAKETOSS_LOG: "silent" } });
    await waitForAnswer(port, "/", {});
    const tpl = await json(port, "POST", "/v1/payments/key-in", AUTH, {
      amount: 1_000_000_000,
      orderId: `abtpl${Date.now().toString(36)}`,
      orderName: "A/B",
      cardNumber: "9410001234567890",
      cardExpirationYear: "30",
      cardExpirationMonth: "12",
      customerIdentityNumber: "900101",
    });
    if (tpl.status !== 200) throw new Error(tpl.text);
    await seeder.kill("SIGTERM");
    seedPayments(db, { templateKey: tpl.body.paymentKey, keyPrefix: "bench_g_", orderPrefix: "bench-g-", from: 1, to: PAYMENTS });
    seedPayments(db, { templateKey: tpl.body.paymentKey, keyPrefix: "bench_c_", orderPrefix: "bench-c-", from: 1, to: CANCEL_TARGETS });

    const servers: Array<{ name: string; port: number; proc: Spawned }> = [];
    for (const item of (process.env.AB_SERVERS ?? "this=.").split(",")) {
      // Only the first "=" and ":" separate: node args may hold both (--max-semi-space-size=32).
      if (!item.includes("=")) throw new Error(`AB_SERVERS: "${item}" is not name=dir[:node args]`);
      const name = item.slice(0, item.indexOf("="));
      const rest = item.slice(item.indexOf("=") + 1);
      const [where, args] = rest.includes(":") ? [rest.slice(0, rest.indexOf(":")), rest.slice(rest.indexOf(":") + 1)] : [rest, undefined];
      const mine = join(dir, `${name}.db`);
      copyFileSync(db, mine);
      port = await freePort();
      const env = { ...process.env, PORT: String(port), FAKETOSS_DB: mine, FAKETOSS_LOG: "silent" };
      const proc =
        where === "reference"
          ? spawnGroup(process.execPath, ["--import", "tsx", join(ROOT, "bench", "reference-server.ts")], { core: pinning.server, env })
          : spawnGroup(process.execPath, (args ?? "--import tsx src/main.ts").split(" "), { core: pinning.server, cwd: resolve(ROOT, where!), env });
      await waitForAnswer(port, "/v1/payments/bench_g_1", { authorization: AUTH }, { timeoutMs: 60_000 });
      servers.push({ name, port, proc });
    }

    for (const kind of KINDS) {
      const rps = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      const p50 = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      for (let r = 0; r < ROUNDS; r++) {
        for (const s of r % 2 ? [...servers].reverse() : servers) {
          const spec: LoadSpec = {
            port: s.port,
            connections: 10,
            warmupSec: 1,
            durationSec: SECONDS,
            maxRequests: 1_000_000,
            auth: AUTH,
            kind,
            keyPrefix: kind === "cancel" ? "bench_c_" : "bench_g_",
            keyCount: kind === "cancel" ? CANCEL_TARGETS : PAYMENTS,
            orderPrefix: `ab${s.name.replace(/[^A-Za-z0-9]/g, "")}${r}`,
          };
          const load = spawnGroup(process.execPath, ["--import", "tsx", join(ROOT, "bench", "load.ts")], { core: pinning.load, env: { ...process.env, BENCH_LOAD: JSON.stringify(spec) } });
          await load.exited;
          const out = JSON.parse(load.output().trim().split("\n").pop()!) as LoadResult;
          const bad = Object.entries(out.statuses).some(([k]) => !k.startsWith("2"));
          rps.get(s.name)!.push(bad ? NaN : Math.round(out.rps));
          p50.get(s.name)!.push(+out.p50.toFixed(2));
        }
      }
      console.log(`${kind}  req/s: ${servers.map((s) => `${s.name} ${rps.get(s.name)!.join("/")} (median ${median(rps.get(s.name)!)})`).join("  |  ")}`);
      console.log(`${" ".repeat(kind.length)}  p50 ms: ${servers.map((s) => `${s.name} ${p50.get(s.name)!.join("/")}`).join("  |  ")}`);
    }
    for (const s of servers) {
      const status = readFileSync(`/proc/${s.proc.child.pid}/status`, "utf8");
      const mb = (k: string) => (Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1]) / 1024).toFixed(0);
      console.log(`RSS ${s.name}: ${mb("VmRSS")} MB (anonymous ${mb("RssAnon")}, file-backed ${mb("RssFile")})`);
    }
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    killAll();
    process.exit(1);
  },
);
