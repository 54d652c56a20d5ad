/**
 * Typed FakeToss / Toss Payments client (hand-written; the only non-generated file here).
 *
 * It wraps openapi-fetch's `createClient<paths>` around the types that `npm run generate`
 * writes to `./schema.d.ts` from `openapi.yaml`. The paths are Toss's own, so the same client
 * works against real Toss: change `baseUrl` and `secretKey`.
 *
 *   import { createFakeTossClient } from "faketoss/client";
 *
 *   const toss = createFakeTossClient();               // http://localhost:4000, default test key
 *   const { data, error } = await toss.POST("/v1/payments/confirm", {
 *     body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 },
 *     params: { header: { "Idempotency-Key": "confirm-order-001" } },
 *   });
 *   if (error) console.log(error.code, error.message); // Toss error {code, message}
 *
 * Per-call Idempotency-Key: the spec declares `Idempotency-Key` as a header parameter on every
 * POST, so openapi-fetch types it under `params.header` (as above). For calls whose operation
 * does not declare it, or to keep a call site short, spread `withIdempotencyKey(key)` into the
 * call options instead: `toss.POST(path, { body, ...withIdempotencyKey(key) })`.
 *
 * Runs on Node >= 20 and in browsers: only fetch, Headers, TextEncoder and btoa are used.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** Toss Payment object (`GET /v1/payments/{paymentKey}`, confirm, cancel, ...). */
export type Payment = components["schemas"]["Payment"];
/** One entry of `Payment.cancels`. */
export type Cancel = components["schemas"]["Cancel"];
/** Billing-key object (`POST /v1/billing/authorizations/issue`). */
export type Billing = components["schemas"]["Billing"];
/** `Payment.virtualAccount`. */
export type VirtualAccount = components["schemas"]["VirtualAccount"];
/** Toss error body `{ code, message }` (every 4xx/5xx, and `Payment.failure`). */
export type TossError = components["schemas"]["TossError"];

/** The openapi-fetch client over the FakeToss paths. */
export type FakeTossClient = Client<paths>;

/** The secret key of the tenant that always exists in FakeToss. */
export const DEFAULT_SECRET_KEY = "test_sk_yjroot_faketoss_default";
/** Where `npm start` serves FakeToss by default. */
export const DEFAULT_BASE_URL = "http://localhost:4000";

export interface FakeTossClientOptions {
  /**
   * Toss secret key; sent as `Authorization: Basic base64(secretKey + ":")`.
   * Default `test_sk_yjroot_faketoss_default`. Pass `null` to send no Authorization header
   * (to exercise 401 answers).
   */
  secretKey?: string | null;
  /** Default `http://localhost:4000`. Use `https://api.tosspayments.com` for real Toss. */
  baseUrl?: string;
  /** Custom fetch, e.g. an in-process handler in tests. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Sent as `Accept-Language` (e.g. `en-US` for English error messages). */
  acceptLanguage?: string;
  /** Sent as `TossPayments-Test-Code` to force a Toss error code, as in Toss's test mode. */
  testCode?: string;
}

/** `base64(secretKey + ":")` over the UTF-8 bytes, without Node's Buffer (works in browsers). */
export function basicAuthorization(secretKey: string): string {
  const bytes = new TextEncoder().encode(`${secretKey}:`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * Options to spread into one call to send an `Idempotency-Key` header:
 * `client.POST("/v1/payments/confirm", { body, ...withIdempotencyKey("order-001-confirm") })`.
 */
export function withIdempotencyKey(key: string): { headers: { "Idempotency-Key": string } } {
  return { headers: { "Idempotency-Key": key } };
}

/** Create a typed client. Headers set per call (including Authorization) win over these. */
export function createFakeTossClient(options: FakeTossClientOptions = {}): FakeTossClient {
  const {
    secretKey = DEFAULT_SECRET_KEY,
    baseUrl = DEFAULT_BASE_URL,
    fetch: customFetch,
    acceptLanguage,
    testCode,
  } = options;

  const client = createClient<paths>({
    baseUrl,
    ...(customFetch ? { fetch: customFetch } : {}),
  });

  const defaults: Record<string, string> = {};
  if (secretKey !== null) defaults["Authorization"] = basicAuthorization(secretKey);
  if (acceptLanguage !== undefined) defaults["Accept-Language"] = acceptLanguage;
  if (testCode !== undefined) defaults["TossPayments-Test-Code"] = testCode;

  const tossHeaders: Middleware = {
    onRequest({ request }) {
      for (const [name, value] of Object.entries(defaults)) {
        if (!request.headers.has(name)) request.headers.set(name, value);
      }
      return request;
    },
  };
  client.use(tossHeaders);
  return client;
}
