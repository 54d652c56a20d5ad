import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
import { freePort, json, waitForAnswer } from "../lib/net.js"; import { pinning, spawnGroup, installCleanup } from "../lib/procs.js"; import { seedPayments } from "../lib/seed.js";
installCleanup();
const AUTH = "Basic " + Buffer.from("test_sk_yjroot_faketoss_default:").toString("base64");
const dir = mkdtempSync(join(tmpdir(), "cal-")); const db = join(dir, "c.db");
let port = await freePort();
let p = spawnGroup(process.execPath, ["--import", "tsx", "src/main.ts"], { env: { ...process.env, PORT: String(port), FAKETOSS_DB: db, FAKETOSS_LOG: "silent" } });
await waitForAnswer(port, "/", {});
const tpl = await json(port, "POST", "/v1/payments/key-in", AUTH, { amount: 1000, orderId: "caltpl123", orderName: "x", cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" });
await p.kill("SIGTERM");
seedPayments(db, { templateKey: tpl.body.paymentKey, keyPrefix: "bench_g_", orderPrefix: "bench-g-", from: 1, to: 1000 });
const run = async (kind: string) => {
  const spec = { port, connections: 10, warmupSec: 2, durationSec: Number(process.env.SECS ?? 5), maxRequests: 1e6, auth: AUTH, kind, keyPrefix: "bench_g_", keyCount: 1000, orderPrefix: "cal" + Date.now().toString(36) };
  const l = spawnGroup(process.execPath, ["--import", "tsx", "bench/load.ts"], { core: pinning.load, env: { ...process.env, BENCH_LOAD: JSON.stringify(spec) } });
  await l.exited; const r = JSON.parse(l.output().trim().split("\n").pop()!); return `${kind} ${r.rps.toFixed(0)} req/s p50 ${r.p50.toFixed(2)} ${JSON.stringify(r.statuses)}`;
};
for (const which of (process.env.WHICH ?? "plain,faketoss").split(",")) {
  port = await freePort();
  p = which === "plain"
    ? spawnGroup(process.execPath, ["bench/.scratch/plain-fastify.mjs"], { core: pinning.server, env: { ...process.env, PORT: String(port), DB: db } })
    : spawnGroup(process.execPath, (process.env.FTCMD ?? "--import tsx src/main.ts").split(" "), { core: pinning.server, cwd: process.env.FTCWD ?? process.cwd(), env: { ...process.env, PORT: String(port), FAKETOSS_DB: db, FAKETOSS_LOG: "silent" } });
  await waitForAnswer(port, "/v1/payments/bench_g_1", { authorization: AUTH });
  console.log(which, await run("get"), "|", await run("write"));
  await p.kill("SIGTERM");
}
process.exit(0);
