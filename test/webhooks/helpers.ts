// Webhook test kit: a real receiver (node:http on a free 127.0.0.1 port) that records every
// request and can be told to fail, hang or go down; a FakeToss started with webhook options; the
// spec's webhook payload schemas; and polling of the delivery log.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { expect } from "vitest";
import { createFakeTossClient, type FakeTossClient } from "../../generated/client.js";
import type { components } from "../../generated/schema.js";
import { readConfig } from "../../src/config.js";
import type { Clock } from "../../src/domain/clock.js";
import { startFakeToss, type FakeTossOptions } from "../../src/server.js";
import { DEFAULT_KEY, type TestServer } from "../helpers/server.js";
import { expectMatchesSpec, spec } from "../helpers/spec.js";

export type WebhookDelivery = components["schemas"]["WebhookDelivery"];
export type WebhookEndpoint = components["schemas"]["WebhookEndpoint"];
export type EventType = components["schemas"]["WebhookEventType"];

// ---------------------------------------------------------------- receiver

export interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body text. */
  body: string;
  json: any;
  /** Real time of arrival (Date.now()). */
  at: number;
}

export type Mode = { kind: "status"; status: number } | { kind: "hang" };

export interface HookReceiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  url(path?: string): string;
  hits: Hit[];
  /** Answer every request with this status (default 200). */
  answer(status: number): void;
  /** Accept requests but never answer. */
  hang(): void;
  /** Stop listening: connections are refused. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  /** Resolves the first hit (old or new) matching `pred`, waiting up to `timeoutMs`. */
  waitFor(pred: (h: Hit) => boolean, timeoutMs?: number): Promise<Hit>;
  /** Resolves once `n` hits match. */
  waitForCount(pred: (h: Hit) => boolean, n: number, timeoutMs?: number): Promise<Hit[]>;
  close(): Promise<void>;
}

export async function startHookReceiver(): Promise<HookReceiver> {
  const hits: Hit[] = [];
  let mode: Mode = { kind: "status", status: 200 };
  const sockets = new Set<Socket>();
  const listeners = new Set<() => void>();

  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      hits.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, json, at: Date.now() });
      for (const l of [...listeners]) l();
      if (mode.kind === "hang") return; // never answers
      res.writeHead(mode.status, { "content-type": "text/plain" });
      res.end(mode.status < 300 ? "ok" : "nope");
    });
  };

  let server = http.createServer(handler);
  const track = (s: http.Server): void => {
    s.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
  };
  track(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });

  const waitForCount = (pred: (h: Hit) => boolean, n: number, timeoutMs = 5000): Promise<Hit[]> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const matching = hits.filter(pred);
        if (matching.length >= n) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(matching);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`receiver: ${hits.filter(pred).length}/${n} matching hits within ${timeoutMs} ms (got ${hits.length}: ${hits.map((h) => h.headers["tosspayments-webhook-transmission-id"]).join(", ")})`));
      }, timeoutMs);
      if (!check()) listeners.add(check);
    });

  return {
    origin,
    port,
    url: (path = "/hook") => origin + path,
    hits,
    answer(status) {
      mode = { kind: "status", status };
    },
    hang() {
      mode = { kind: "hang" };
    },
    down: stop,
    async up() {
      server = http.createServer(handler);
      track(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
      });
    },
    waitFor: async (pred, timeoutMs) => (await waitForCount(pred, 1, timeoutMs))[0]!,
    waitForCount,
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}

// ---------------------------------------------------------------- server

/** startTestServer with webhook (and other) options for createFakeToss. */
export async function startWebhookServer(
  options: { env?: Record<string, string>; clock?: Clock; db?: string; ft?: FakeTossOptions } = {},
): Promise<TestServer> {
  const config = readConfig([], { FAKETOSS_DB: options.db ?? ":memory:", PORT: "0", FAKETOSS_LOG: "silent", ...options.env });
  const ft = await startFakeToss(config, options.clock, { ...options.ft, webhooks: { intervalMs: 50, ...options.ft?.webhooks } });
  return {
    ft,
    url: ft.url,
    client: (o = {}) =>
      createFakeTossClient({ baseUrl: ft.url, secretKey: o.secretKey === undefined ? DEFAULT_KEY : o.secretKey, acceptLanguage: o.acceptLanguage }),
    close: () => ft.close(),
  };
}

// ---------------------------------------------------------------- spec

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema(spec as object, "openapi");
const validators = new Map<string, ValidateFunction>();

/** Asserts that `body` matches `#/components/schemas/<name>` of openapi.yaml. */
export function expectMatchesSchema(name: string, body: unknown): void {
  let validate = validators.get(name);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
    validators.set(name, validate);
  }
  const ok = validate(body);
  expect(ok, `${name} does not match openapi.yaml: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`).toBe(true);
}

/** The request-body schema the spec's `webhooks:` section declares for an event. */
export const EVENT_SCHEMA: Record<EventType, string> = {
  PAYMENT_STATUS_CHANGED: "PaymentStatusChangedEvent",
  DEPOSIT_CALLBACK: "DepositCallbackEvent",
  BILLING_DELETED: "BillingDeletedEvent",
};

/** The `webhooks:` section names these schemas (guards EVENT_SCHEMA against drift). */
export function webhookSectionSchema(event: EventType): string {
  const section = (spec as unknown as { webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } }> }).webhooks;
  return section[event]!.post.requestBody.content["application/json"]!.schema.$ref.replace("#/components/schemas/", "");
}

// ---------------------------------------------------------------- API shortcuts

export async function registerHook(client: FakeTossClient, url: string, events?: EventType[]): Promise<WebhookEndpoint> {
  const { data, error, response } = await client.POST("/sandbox/webhooks", { body: events ? { url, events } : { url } });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("registerWebhook", 200, data);
  return data!;
}

export async function listDeliveries(
  client: FakeTossClient,
  query: { eventType?: EventType; status?: WebhookDelivery["status"]; limit?: string } = {},
): Promise<WebhookDelivery[]> {
  const { data, error, response } = await client.GET("/sandbox/webhooks/deliveries", { params: { query } });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("listWebhookDeliveries", 200, data);
  return data!;
}

/** Polls the delivery log until `pred` holds for the delivery `id`. */
export async function waitForDelivery(
  client: FakeTossClient,
  id: string,
  pred: (d: WebhookDelivery) => boolean,
  timeoutMs = 5000,
): Promise<WebhookDelivery> {
  const deadline = Date.now() + timeoutMs;
  let last: WebhookDelivery | undefined;
  for (;;) {
    last = (await listDeliveries(client, { limit: "1000" })).find((d) => d.id === id);
    if (last !== undefined && pred(last)) return last;
    if (Date.now() > deadline) throw new Error(`delivery ${id} did not reach the expected state: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function advance(client: FakeTossClient, body: { days?: number; hours?: number; minutes?: number; seconds?: number }): Promise<void> {
  const { error, response } = await client.POST("/sandbox/clock/advance", { body });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
}

/** Seconds between two KST second-precision timestamps. */
export const secondsBetween = (a: string, b: string): number => (Date.parse(b) - Date.parse(a)) / 1000;
