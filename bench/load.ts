// The load generator, run by bench/run.ts as its own process (pinned to the other core with
// taskset). Reads one scenario from BENCH_LOAD (JSON), drives it with autocannon (warm-up, then
// the measured run) and prints one JSON line with the result.
//
// Latency: autocannon's own histogram has 1 ms resolution, too coarse for loopback answers that
// take a fraction of a millisecond; the per-response times it emits (float ms) are collected here
// instead and the percentiles computed from them.
import autocannon from "autocannon";
import { groupCpuSeconds } from "./lib/procs.js";

export interface LoadSpec {
  port: number;
  connections: number;
  warmupSec: number;
  durationSec: number;
  /** Hard cap on requests per phase (the run is bounded by time and by count). */
  maxRequests: number;
  auth: string;
  kind: "get" | "write" | "cancel";
  /** get/cancel: the paymentKey is `${keyPrefix}${1 + random(keyCount)}`, or fixedKey. */
  keyPrefix?: string;
  keyCount?: number;
  fixedKey?: string;
  /** write: a fresh orderId per request, `${orderPrefix}${n}`. */
  orderPrefix?: string;
  /** write: "key-in" (POST /v1/payments/key-in) — the only write the benchmark times. */
  write?: "key-in";
  /** The server's process group: its CPU use over the measured phase is reported. */
  serverGroup?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /**
   * Share of one core used over the measured phase by the server's process group (null when
   * unknown) and by this load generator. A load generator near 1 with a server well below it
   * means the load generator, not the server, set the req/s.
   */
  serverCpu: number | null;
  loadCpu: number;
}

const KEYIN_BASE = {
  amount: 15000,
  orderName: "벤치마크 주문",
  cardNumber: "9410001234567890",
  cardExpirationYear: "30",
  cardExpirationMonth: "12",
  customerIdentityNumber: "900101",
};

function keyFor(spec: LoadSpec): string {
  if (spec.fixedKey) return spec.fixedKey;
  return `${spec.keyPrefix}${1 + Math.floor(Math.random() * spec.keyCount!)}`;
}

/** Unique per load process: rounds re-run the same scenario and orderIds must stay fresh. */
const RUN_TAG = `${process.pid.toString(36)}${(Date.now() % 1_000_000).toString(36)}`;

function requestsFor(spec: LoadSpec, phase: string): autocannon.Request[] {
  const headers: Record<string, string> = { authorization: spec.auth };
  let n = 0;
  switch (spec.kind) {
    case "get":
      return [{ method: "GET", path: `/v1/payments/${keyFor(spec)}`, headers, setupRequest: (req) => ({ ...req, path: `/v1/payments/${keyFor(spec)}` }) }];
    case "write":
      return [
        {
          method: "POST",
          path: "/v1/payments/key-in",
          headers: { ...headers, "content-type": "application/json" },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ ...KEYIN_BASE, orderId: `${spec.orderPrefix}${RUN_TAG}${phase}${++n}` }) }),
        },
      ];
    case "cancel":
      return [
        {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ cancelReason: "bench", cancelAmount: 100 }),
          setupRequest: (req) => ({ ...req, path: `/v1/payments/${keyFor(spec)}/cancel` }),
        },
      ];
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function phase(spec: LoadSpec, name: string, seconds: number, record: boolean): Promise<LoadResult> {
  const cap = Math.max(1, spec.maxRequests);
  const times = record ? new Float64Array(cap + spec.connections * 2) : undefined;
  let count = 0;
  const statuses: Record<string, number> = {};
  let errors = 0;
  const serverCpu0 = spec.serverGroup ? groupCpuSeconds(spec.serverGroup) : NaN;
  const loadCpu0 = process.cpuUsage();
  const started = performance.now();
  const instance = autocannon({
    url: `http://127.0.0.1:${spec.port}`,
    connections: spec.connections,
    pipelining: 1,
    duration: seconds,
    maxOverallRequests: cap,
    timeout: 10,
    requests: requestsFor(spec, name),
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (times && count < times.length) times[count] = responseTime;
    count++;
  });
  instance.on("reqError", () => errors++);
  const result = await instance;
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = spec.serverGroup ? (groupCpuSeconds(spec.serverGroup) - serverCpu0) / elapsed : NaN;
  const loadUse = process.cpuUsage(loadCpu0);
  const sorted = times ? times.subarray(0, Math.min(count, times.length)).sort() : new Float64Array();
  return {
    requests: count,
    seconds: elapsed,
    rps: count / elapsed,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
    statuses,
    errors,
    timeouts: result.timeouts,
    serverCpu: Number.isFinite(serverCpu) ? serverCpu : null,
    loadCpu: (loadUse.user + loadUse.system) / 1e6 / elapsed,
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_LOAD ?? "null") as LoadSpec | null;
  if (!spec) throw new Error("BENCH_LOAD is not set");
  if (spec.warmupSec > 0) await phase(spec, "w", spec.warmupSec, false);
  const result = await phase(spec, "m", spec.durationSec, true);
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
