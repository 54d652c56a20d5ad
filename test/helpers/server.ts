// Starts a real FakeToss on a free loopback port with a throw-away store, and hands out typed
// clients for it. Every response that comes back through a client is validated against the spec.
import { createFakeTossClient, type FakeTossClient } from "../../generated/client.js";
import { readConfig } from "../../src/config.js";
import { startFakeToss, type FakeToss } from "../../src/server.js";
import type { Clock } from "../../src/domain/clock.js";

export const DEFAULT_KEY = "test_sk_yjroot_faketoss_default";

export interface TestServer {
  ft: FakeToss;
  url: string;
  /** A typed client for a tenant (default key unless given). */
  client(options?: { secretKey?: string | null; acceptLanguage?: string }): FakeTossClient;
  close(): Promise<void>;
}

export async function startTestServer(options: { env?: Record<string, string>; clock?: Clock; db?: string } = {}): Promise<TestServer> {
  const config = readConfig([], { FAKETOSS_DB: options.db ?? ":memory:", PORT: "0", FAKETOSS_LOG: "silent", ...options.env });
  const ft = await startFakeToss(config, options.clock);
  return {
    ft,
    url: ft.url,
    client: (o = {}) => createFakeTossClient({ baseUrl: ft.url, secretKey: o.secretKey === undefined ? DEFAULT_KEY : o.secretKey, acceptLanguage: o.acceptLanguage }),
    close: () => ft.close(),
  };
}

/** Raw HTTP for what a typed client cannot send (bad JSON, wrong content type, odd auth). */
export async function raw(url: string, init: RequestInit & { auth?: string | null } = {}): Promise<{ status: number; text: string; json: any; headers: Headers }> {
  const headers = new Headers(init.headers);
  const auth = init.auth === undefined ? DEFAULT_KEY : init.auth;
  if (auth !== null && !headers.has("authorization")) headers.set("authorization", "Basic " + Buffer.from(`${auth}:`).toString("base64"));
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}
