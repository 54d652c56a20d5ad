// Wire-level assertions shared by the test/http suites: the exact Toss error shape, and the
// Authorization values a typed client cannot produce.
import http from "node:http";
import { expect } from "vitest";

/** `Basic base64(secretKey + ":")` from arbitrary (possibly odd) text. */
export const basicAuth = (secretKey: string): string => "Basic " + Buffer.from(`${secretKey}:`, "utf8").toString("base64");

/**
 * Asserts a Toss error answer: the status, a JSON content type, and a body that is exactly
 * `{code, message}` with two non-empty strings (no framework fields, no stack).
 */
export function expectTossError(
  res: { status: number; text: string; json: unknown; headers: Headers },
  status: number,
  code: string,
): { code: string; message: string } {
  expect(res.status, `${res.status} ${res.text.slice(0, 300)}`).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json\b/);
  expect(res.json, res.text.slice(0, 300)).toBeTypeOf("object");
  const body = res.json as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["code", "message"]);
  expect(body.code).toBe(code);
  expect(body.message).toBeTypeOf("string");
  expect((body.message as string).length).toBeGreaterThan(0);
  expect(res.text).not.toMatch(/\bat .+\.(?:ts|js):\d+/); // no stack frames
  return body as { code: string; message: string };
}

/**
 * A POST whose headers arrive now and whose body arrives only when asked: the server has
 * accepted the request (auth, Idempotency-Key claim) but cannot run it yet. `abort()` drops the
 * connection mid-body, as a flaky network would.
 */
export function slowPost(
  baseUrl: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): { finish(): Promise<{ status: number; text: string }>; abort(): Promise<void> } {
  const u = new URL(baseUrl);
  const req = http.request({
    host: u.hostname,
    port: u.port,
    path,
    method: "POST",
    headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers },
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
  });
  response.catch(() => {}); // an aborted request rejects; nobody awaits it then
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  req.flushHeaders();
  return {
    finish() {
      req.end(body.slice(half));
      return response;
    },
    async abort() {
      req.destroy();
      await new Promise((r) => setTimeout(r, 100));
    },
  };
}

/** Waits until the server has had time to take a request's headers (and run onRequest hooks). */
export const settle = (ms = 150): Promise<void> => new Promise((r) => setTimeout(r, ms));
