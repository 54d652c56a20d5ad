// Loopback-only HTTP helpers for the benchmark: a free port, a tiny JSON client, and "wait until
// the server answers anything".
import http from "node:http";
import { createServer } from "node:net";

export const HOST = "127.0.0.1";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface Answer {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

const agent = new http.Agent({ keepAlive: false });

/** One request to 127.0.0.1:port. Never follows redirects; rejects on connection errors. */
export function request(
  port: number,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers["content-length"] = String(Buffer.byteLength(opts.body));
    const req = http.request({ host: HOST, port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
      res.on("error", reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

export async function json<T = any>(port: number, method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; body: T; text: string }> {
  const res = await request(port, method, path, {
    headers: { authorization: auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text: res.text };
}

/**
 * Polls `path` until the server answers anything at all (any HTTP status), every `everyMs`.
 * Resolves with the time of the first answer (performance.now()), rejects after `timeoutMs` or
 * when `alive()` turns false.
 */
export async function waitForAnswer(
  port: number,
  path: string,
  headers: Record<string, string>,
  opts: { timeoutMs?: number; everyMs?: number; alive?: () => boolean } = {},
): Promise<number> {
  const deadline = performance.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    try {
      await request(port, "GET", path, { headers, timeoutMs: 5000 });
      return performance.now();
    } catch {
      if (opts.alive && !opts.alive()) throw new Error("the server exited before answering");
      if (performance.now() > deadline) throw new Error(`no answer on port ${port} within ${opts.timeoutMs ?? 60_000} ms`);
      await new Promise((r) => setTimeout(r, opts.everyMs ?? 5));
    }
  }
}
