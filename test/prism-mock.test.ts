// The stateless mock (`npm run mock`, Prism in static mode) answers every operation of
// openapi.yaml the way the spec says, through the published typed client:
//   - each success answer is the spec's first named example for that operation;
//   - a request without Authorization gets the spec's 401, Toss-shaped {code, message};
//   - an invalid body gets the spec's 400, Toss-shaped (never Prism's problem+json 422).
// Operations are read from openapi.yaml, so a new operation is covered without editing this file.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createFakeTossClient, withIdempotencyKey } from "../generated/client.js";

const root = join(import.meta.dirname, "..");
const specPath = join(root, "openapi.yaml");
const prismBin = join(root, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");

// ---- reading the spec ------------------------------------------------------------------------

type Json = Record<string, any>;
const spec = parse(readFileSync(specPath, "utf8"), { maxAliasCount: -1 }) as Json;

/** Follow a local `$ref` (`#/components/...`) until a non-ref object is reached. */
function deref<T = Json>(node: any): T {
  let current = node;
  for (let hops = 0; current && typeof current === "object" && "$ref" in current; hops++) {
    if (hops > 20) throw new Error(`$ref cycle at ${current.$ref}`);
    const ref: string = current.$ref;
    if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported here: ${ref}`);
    current = ref
      .slice(2)
      .split("/")
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce((obj: any, key) => obj?.[key], spec);
    if (current === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return current as T;
}

/** The value of the first named example of a media type object (or its `example`). */
function firstExampleValue(media: Json | undefined): unknown {
  if (!media) return undefined;
  const examples = media.examples as Json | undefined;
  if (examples && Object.keys(examples).length > 0) {
    return deref(examples[Object.keys(examples)[0]!]).value;
  }
  return media.example;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

interface Operation {
  id: string;
  method: (typeof METHODS)[number];
  path: string;
  pathParams: Record<string, unknown>;
  body: unknown;
  hasBody: boolean;
  requestSchema: Json | undefined;
  /** false when the operation opts out of auth (`security: []` or an empty requirement) */
  secured: boolean;
  successStatus: number;
  successExample: unknown;
  responses: Json;
}

function operations(): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths as Json)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      // Browser pages (the payment window) answer HTML and redirects, not the JSON API mocked here.
      if (op["x-faketoss-page"]) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: Json) =>
        deref(p),
      );
      const pathParams: Record<string, unknown> = {};
      for (const p of params.filter((p) => p.in === "path")) {
        const value = p.example ?? deref(p.schema ?? {}).example;
        if (value === undefined) throw new Error(`${op.operationId}: path param ${p.name} has no example`);
        pathParams[p.name] = value;
      }
      const requestBody = op.requestBody ? deref(op.requestBody) : undefined;
      const requestMedia = requestBody?.content?.["application/json"] as Json | undefined;
      const responses = op.responses as Json;
      const successCode = Object.keys(responses)
        .filter((c) => /^2\d\d$/.test(c))
        .sort()[0];
      if (!successCode) throw new Error(`${op.operationId}: no 2xx response`);
      const success = deref(responses[successCode]);
      const security = (op.security ?? spec.security ?? []) as Json[];
      ops.push({
        id: op.operationId,
        method,
        path,
        pathParams,
        body: firstExampleValue(requestMedia),
        hasBody: requestBody !== undefined,
        requestSchema: requestMedia?.schema ? deref(requestMedia.schema) : undefined,
        secured: security.length > 0 && security.every((req) => Object.keys(req).length > 0),
        successStatus: Number(successCode),
        successExample: firstExampleValue(success.content?.["application/json"]),
        responses,
      });
    }
  }
  return ops;
}

/** First example of the operation's response for `status`, as Prism serves it. */
function responseExample(op: Operation, status: number): unknown {
  const response = op.responses[String(status)];
  if (!response) throw new Error(`${op.id}: the spec defines no ${status} response`);
  return firstExampleValue(deref(response).content?.["application/json"]);
}

const allOperations = operations();

// ---- Prism -----------------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

let prism: ChildProcess | undefined;
let prismOutput = "";
let baseUrl = "";

async function waitForPrism(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (prism?.exitCode !== null) throw new Error(`prism exited early:\n${prismOutput}`);
    try {
      await fetch(url); // any HTTP answer (even 401/404) means it is listening
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`prism did not answer within ${timeoutMs} ms:\n${prismOutput}`);
}

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // Static mode (no -d): Prism serves the first named example of each response.
  prism = spawn(
    process.execPath,
    [prismBin, "mock", specPath, "--host", "127.0.0.1", "--port", String(port)],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  prism.stdout?.on("data", (d) => (prismOutput += d));
  prism.stderr?.on("data", (d) => (prismOutput += d));
  await waitForPrism(`${baseUrl}/`, 45_000);
}, 60_000);

afterAll(() => {
  if (prism?.pid && prism.exitCode === null) {
    try {
      process.kill(-prism.pid, "SIGTERM"); // the whole process group
    } catch {
      prism.kill("SIGTERM");
    }
  }
});

// ---- calls through the typed client ---------------------------------------------------------

/** The typed client, loosened so that operations read from the spec can be called generically. */
type LooseClient = {
  request(
    method: string,
    url: string,
    init?: Record<string, unknown>,
  ): Promise<{ data?: unknown; error?: unknown; response: Response }>;
};

function call(op: Operation, options: { secretKey?: string | null; body?: unknown } = {}) {
  const client = createFakeTossClient({
    baseUrl,
    ...(options.secretKey !== undefined ? { secretKey: options.secretKey } : {}),
  }) as unknown as LooseClient;
  const body = "body" in options ? options.body : op.body;
  return client.request(op.method, op.path, {
    params: { path: op.pathParams },
    ...(op.hasBody ? { body } : {}),
    ...(op.method === "post" ? withIdempotencyKey(`prism-${op.id}`) : {}),
  });
}

function expectTossError(response: Response, error: unknown) {
  expect(response.headers.get("content-type")).toMatch(/^application\/json\b/);
  expect(error).toEqual({ code: expect.any(String), message: expect.any(String) });
  expect(Object.keys(error as object).sort()).toEqual(["code", "message"]);
}

describe("Prism mock of openapi.yaml", () => {
  it("the spec has operations to mock", () => {
    expect(allOperations.length).toBeGreaterThan(0);
  });

  describe("success answers are the spec's first named example", () => {
    for (const op of allOperations) {
      it(`${op.id} (${op.method.toUpperCase()} ${op.path}) answers ${op.successStatus} with its first example`, async () => {
        const { data, error, response } = await call(op);
        expect(error, JSON.stringify(error)).toBeUndefined();
        expect(response.status).toBe(op.successStatus);
        if (op.successExample !== undefined) expect(data).toEqual(op.successExample);
      });
    }
  });

  describe("a request without Authorization gets the spec's Toss-shaped 401", () => {
    for (const op of allOperations.filter((o) => o.secured)) {
      it(`${op.id} without Authorization answers 401 {code, message}, not problem+json`, async () => {
        const { error, response } = await call(op, { secretKey: null });
        expect(response.status).toBe(401);
        expectTossError(response, error);
        expect(error).toEqual(responseExample(op, 401));
      });
    }
  });

  describe("an invalid body gets the spec's Toss-shaped 400", () => {
    for (const op of allOperations.filter((o) => o.hasBody)) {
      it(`${op.id} with a body that breaks its schema answers 400 {code, message}, not 422 problem+json`, async () => {
        // {} misses every required property; [] is not an object at all.
        const required = (op.requestSchema?.required as string[] | undefined) ?? [];
        const { error, response } = await call(op, { body: required.length > 0 ? {} : [] });
        expect(response.status).toBe(400);
        expectTossError(response, error);
        expect(error).toEqual(responseExample(op, 400));
      });
    }

    it("confirmPayment with amount as a string and no orderId answers 400 {code, message}", async () => {
      const client = createFakeTossClient({ baseUrl });
      const { error, response } = await client.POST("/v1/payments/confirm", {
        // deliberately wrong: the typed client would not let this through without the cast
        body: { paymentKey: "pay_123", amount: "15000" } as never,
      });
      expect(response.status).toBe(400);
      expectTossError(response, error);
    });
  });
});
