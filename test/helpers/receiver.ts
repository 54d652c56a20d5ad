// A shop's successUrl/failUrl stand-in: a node:http server on a free loopback port that records
// every request it gets (path and query) and answers a small HTML page, so a browser that the
// payment window redirects has somewhere real to land.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRedirect {
  /** `/success`, `/fail`, `/billing/success`, ... */
  path: string;
  /** The decoded query, one value per name. */
  query: Record<string, string>;
  /** The full URL as the receiver saw it. */
  url: string;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `${origin}/success` */
  successUrl: string;
  /** `${origin}/fail` */
  failUrl: string;
  /** Every request received, oldest first. */
  hits: ReceivedRedirect[];
  /** The most recent hit on `path`, waiting up to `timeoutMs` for one to arrive. */
  waitFor(path: string, timeoutMs?: number): Promise<ReceivedRedirect>;
  /** Forgets the hits so far. */
  clear(): void;
  close(): Promise<void>;
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export async function startReceiver(): Promise<Receiver> {
  const hits: ReceivedRedirect[] = [];
  const waiters: Array<{ path: string; resolve: (hit: ReceivedRedirect) => void }> = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const hit: ReceivedRedirect = { path: url.pathname, query: Object.fromEntries(url.searchParams), url: url.toString() };
    if (url.pathname !== "/favicon.ico") {
      hits.push(hit);
      for (const w of waiters.splice(0)) {
        if (w.path === hit.path) w.resolve(hit);
        else waiters.push(w);
      }
    }
    const rows = Object.entries(hit.query)
      .map(([k, v]) => `<dt>${escape(k)}</dt><dd data-name="${escape(k)}">${escape(v)}</dd>`)
      .join("");
    res.writeHead(url.pathname === "/favicon.ico" ? 404 : 200, { "content-type": "text/html; charset=utf-8", connection: "close" });
    res.end(`<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>shop ${escape(hit.path)}</title></head>` +
      `<body><h1 id="landed">${escape(hit.path)}</h1><dl>${rows}</dl></body></html>`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    successUrl: `${origin}/success`,
    failUrl: `${origin}/fail`,
    hits,
    waitFor(path, timeoutMs = 5000) {
      const existing = [...hits].reverse().find((h) => h.path === path);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver: nothing arrived at ${path} within ${timeoutMs} ms (got: ${hits.map((h) => h.path).join(", ") || "nothing"})`)), timeoutMs);
        waiters.push({ path, resolve: (hit) => (clearTimeout(timer), resolve(hit)) });
      });
    },
    clear() {
      hits.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
