// Wire-level assertions shared by the test/http suites: the exact Toss error shape, and the
// Authorization values a typed client cannot produce.
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
