// Sends a fuzz case over a raw node:http request (the target is sent verbatim: no URL
// normalisation of `../`, no re-encoding) and judges the answer.
import http from "node:http";
import type { FuzzCase } from "./fuzz.js";

export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** `setHost: false` sends no Host header unless `c.headers` has one (node:http adds it otherwise). */
export function sendRaw(
  base: { host: string; port: number; agent?: http.Agent; setHost?: boolean },
  c: Pick<FuzzCase, "method" | "path" | "headers" | "body">,
  timeoutMs = 15_000,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.body !== undefined) headers["content-length"] = String(Buffer.byteLength(c.body));
    let req: http.ClientRequest;
    try {
      req = http.request({ host: base.host, port: base.port, method: c.method, path: c.path, headers, agent: base.agent, setHost: base.setHost ?? true }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      });
    } catch (err) {
      // The client itself refused the request (a header or path it will not send): not a server
      // verdict. Reported as status -1 so that callers can count it separately.
      resolve({ status: -1, contentType: "", text: (err as Error).message });
      return;
    }
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(c.body);
  });
}

/** Sends, retrying once on a connection reset of a reused keep-alive socket (a client-side race). */
export async function send(base: { host: string; port: number; agent?: http.Agent }, c: FuzzCase): Promise<RawAnswer> {
  try {
    return await sendRaw(base, c);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ECONNRESET" || code === "EPIPE") {
      // The server may close after refusing a body it will not read (oversized): that is an
      // answer already given or a socket closed before the request was written. Try again on a
      // fresh connection; a second reset is a real failure.
      return sendRaw({ host: base.host, port: base.port, agent: undefined }, c);
    }
    throw err;
  }
}

/**
 * The verdict on one answer, or undefined when it is acceptable:
 * - never a 5xx, never no answer;
 * - API operations: a 4xx is exactly `{code, message}` (two non-empty strings) with an
 *   application/json content type and no stack trace; only 2xx and 4xx at all;
 * - browser pages (tag `Payment Window`): anything but a 5xx;
 * - a case marked mustFail must not succeed.
 */
export function judge(c: FuzzCase, a: RawAnswer, page: boolean): string | undefined {
  if (a.status === -1) return undefined; // never sent
  if (a.status >= 500) return `answered ${a.status}: ${a.text.slice(0, 200)}`;
  if (page) return undefined;
  if (a.status >= 200 && a.status < 300) return c.mustFail ? `accepted an invalid request (${a.status}): ${a.text.slice(0, 200)}` : undefined;
  if (a.status < 400) return `answered ${a.status} (neither 2xx nor 4xx)`;
  if (!/^application\/json\b/i.test(a.contentType)) return `${a.status} with content-type ${JSON.stringify(a.contentType)}: ${a.text.slice(0, 200)}`;
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    return `${a.status} body is not JSON: ${a.text.slice(0, 200)}`;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return `${a.status} body is not an object: ${a.text.slice(0, 200)}`;
  const keys = Object.keys(body).sort();
  if (keys.length !== 2 || keys[0] !== "code" || keys[1] !== "message") return `${a.status} body is not {code, message}: ${a.text.slice(0, 200)}`;
  const { code, message } = body as { code: unknown; message: unknown };
  if (typeof code !== "string" || !/^[A-Z][A-Z0-9_]+$/.test(code)) return `${a.status} code is not a Toss code: ${a.text.slice(0, 200)}`;
  if (typeof message !== "string" || message.length === 0) return `${a.status} message is empty`;
  if (/\bat .+\.(?:ts|js):\d+/.test(a.text)) return `${a.status} leaks a stack trace`;
  return undefined;
}

/** A short, replayable description of a case for failure messages. */
export { shortCase as describeCase } from "./fuzz.js";
