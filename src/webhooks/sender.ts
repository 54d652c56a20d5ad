// One HTTP attempt: POST the stored bytes with Toss's headers, and report what happened. Success
// is a 2xx whose answer completes within the timeout. Nothing here retries; nothing throws.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { forbiddenReason, hostOf, literalForbiddenReason, type DestinationPolicy, type ResolvedAddress, type Resolver } from "./destinations.js";

export interface SendOptions {
  policy: DestinationPolicy;
  resolve: Resolver;
  timeoutMs: number;
  /** Aborts the attempt without an outcome (the server is closing). */
  signal: AbortSignal;
}

export interface SendResult {
  ok: boolean;
  /** The destination policy forbids where the URL leads: no request was sent. */
  refused: boolean;
  /** The attempt was cut short by `signal` (shutdown): it must not be recorded. */
  aborted: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const errorText = (err: unknown): string => {
  if (err instanceof AggregateError && err.errors.length > 0) return errorText(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
};

export async function sendWebhook(target: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = (): number => Math.max(0, Math.round(performance.now() - started));
  const result = (r: Partial<SendResult>): SendResult => ({
    ok: false,
    refused: false,
    aborted: false,
    statusCode: null,
    error: null,
    durationMs: elapsed(),
    ...r,
  });

  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return result({ error: "invalid URL" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return result({ refused: true, error: `destination forbidden: ${url.protocol} is not http(s)` });

  // One deadline for everything: resolution, connection, answer.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onShutdown = (): void => controller.abort();
  if (options.signal.aborted) controller.abort();
  else options.signal.addEventListener("abort", onShutdown, { once: true });

  try {
    let lookup: LookupFunction | undefined;
    if (options.policy === "public") {
      const host = hostOf(url);
      const literal = literalForbiddenReason(host);
      if (literal !== null) return result({ refused: true, error: `destination forbidden: ${host} is ${literal}` });
      if (isIP(host) === 0) {
        let addresses: ResolvedAddress[];
        try {
          addresses = await raceAbort(options.resolve(host), controller.signal);
        } catch (err) {
          if (options.signal.aborted) return result({ aborted: true, error: "aborted: the server is closing" });
          if (timedOut) return result({ error: `timeout: no answer within ${options.timeoutMs} ms` });
          return result({ error: `DNS lookup of ${host} failed: ${errorText(err)}` });
        }
        if (addresses.length === 0) return result({ error: `DNS lookup of ${host} found no address` });
        for (const a of addresses) {
          const reason = forbiddenReason(a.address);
          if (reason !== null) return result({ refused: true, error: `destination forbidden: ${host} resolves to ${a.address} (${reason})` });
        }
        lookup = pinnedLookup(addresses);
      }
    }

    const statusCode = await post(url, body, headers, controller.signal, lookup);
    if (statusCode >= 200 && statusCode < 300) return result({ ok: true, statusCode });
    return result({ statusCode, error: `HTTP ${statusCode}` });
  } catch (err) {
    if (options.signal.aborted) return result({ aborted: true, error: "aborted: the server is closing" });
    const statusCode = (err as { statusCode?: number }).statusCode ?? null;
    if (timedOut) return result({ statusCode, error: `timeout: no answer within ${options.timeoutMs} ms` });
    return result({ statusCode, error: errorText(err) });
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", onShutdown);
  }
}

/** Connects only to addresses already checked (no second resolution between check and use). */
export function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, opts: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    const family = opts?.family === 6 || opts?.family === "IPv6" ? 6 : opts?.family === 4 || opts?.family === "IPv4" ? 4 : 0;
    const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
    if (usable.length === 0) {
      callback(Object.assign(new Error(`no IPv${family} address`), { code: "ENOTFOUND" }));
      return;
    }
    if (opts?.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, usable[0]!.address, usable[0]!.family);
  }) as unknown as LookupFunction;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("aborted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

/**
 * POSTs and resolves the status once the answer has been read to its end (its body is
 * discarded). Rejects on a network error or an abort; a status that arrived before the answer
 * broke off rides along as `err.statusCode`.
 */
function post(url: URL, body: string, headers: Record<string, string>, signal: AbortSignal, lookup: LookupFunction | undefined): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const transport = url.protocol === "https:" ? https : http;
    const payload = Buffer.from(body, "utf8");
    let status: number | undefined;
    const fail = (err: unknown): void => {
      if (status !== undefined && err && typeof err === "object") (err as { statusCode?: number }).statusCode = status;
      reject(err);
    };
    const req = transport.request(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(payload.length), connection: "close" },
      signal,
      agent: false,
      ...(lookup ? { lookup } : {}),
    });
    req.on("error", fail);
    req.on("response", (res) => {
      status = res.statusCode ?? 0;
      res.on("error", fail);
      res.on("end", () => resolve(status!));
      res.on("close", () => {
        if (!res.complete) fail(new Error("the answer broke off"));
      });
      res.resume();
    });
    req.end(payload);
  });
}
