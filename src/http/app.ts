// The HTTP layer. Routes, request validation and security all come from openapi.yaml at
// start-up (fastify-openapi-glue + Ajv2020); this file wires hooks around them so that every
// answer, good or bad, is Toss-shaped.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { STATUS_CODES } from "node:http";
import Fastify, { errorCodes, type FastifyInstance, type FastifyReply, type FastifyRequest, type onRequestHookHandler } from "fastify";
import openapiGlue from "fastify-openapi-glue";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse as parseYaml } from "yaml";
import type { Config } from "../config.js";
import { CACHE_DIR, ROOT } from "../root.js";
import type { Clock } from "../domain/clock.js";
import { TossError } from "../domain/errors.js";
import type { Tenant } from "../domain/model.js";
import type { PaymentService } from "../domain/payments.js";
import type { SandboxService } from "../domain/sandbox.js";
import type { TenantRegistry } from "../domain/tenants.js";
import type { Store } from "../store/store.js";
import type { WebhookService } from "../webhooks/service.js";
import { authenticate } from "./auth.js";
import { registerDocs } from "./docs.js";
import { langOf, sendTossError, toTossError } from "./errors.js";
import { createHandlers } from "./handlers.js";
import { idempotencyHooks } from "./idempotency.js";
import { errorPage } from "./pages.js";
import { checkTestCode } from "./test-code.js";

declare module "fastify" {
  interface FastifyRequest {
    tenant?: Tenant;
  }
}

export const SPEC_PATH = join(ROOT, "openapi.yaml");

const FORM = "application/x-www-form-urlencoded";

/** A DNS name or IPv4 address, or a bracketed IPv6 one, and an optional port. */
const VALID_HOST = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export interface AppDeps {
  config: Config;
  store: Store;
  clock: Clock;
  service: PaymentService;
  sandbox: SandboxService;
  tenants: TenantRegistry;
  webhooks: WebhookService;
}

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store, clock, tenants } = deps;
  const specText = readFileSync(SPEC_PATH, "utf8");
  const spec = loadSpec(specText);
  const schemes = Object.keys((spec as { components?: { securitySchemes?: object } }).components?.securitySchemes ?? {});
  if (schemes.join() !== "basicAuth") throw new Error(`openapi.yaml: the HTTP layer implements only basicAuth, the spec has ${schemes.join(", ")}`);

  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimit,
    return503OnClosing: false,
    // Node answers a missing Host with an empty 400 of its own; the hook below answers Toss's.
    http: { requireHostHeader: false },
    // Toss keys are up to 200 characters; Fastify's default cuts path params at 100.
    routerOptions: { maxParamLength: 300, ignoreTrailingSlash: true },
    // Requests Node's HTTP parser refuses before Fastify sees them (headers over 16 KB, a
    // malformed request line) are Toss-shaped too; Fastify's default writes {error, statusCode}.
    clientErrorHandler: (err, socket) => {
      if ((err as NodeJS.ErrnoException).code === "ECONNRESET" || !socket.writable) return socket.destroy();
      const status = (err as NodeJS.ErrnoException).code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
      const error = new TossError("INVALID_REQUEST", "요청 헤더가 너무 크거나 요청 형식이 올바르지 않습니다.", "The request headers are too large or the request is malformed.");
      const body = JSON.stringify({ code: error.code, message: error.messageKo });
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nx-faketoss-error-code: ${error.code}\r\nconnection: close\r\n\r\n${body}`,
      );
    },
    // Errors Fastify raises before routing (a badly encoded path...) are Toss-shaped too.
    frameworkErrors: (err, request, reply) => {
      const { error } = toTossError(err);
      reply.header("x-faketoss-error-code", error.code);
      sendTossError(reply, error, langOf(request));
    },
  });

  // OpenAPI 3.1 schemas are JSON Schema 2020-12. Bodies are never coerced: "15000" is not 15000.
  // verbose: errors carry their parent schema, where the spec names the Toss error code.
  const ajv = new Ajv2020({ strict: false, coerceTypes: false, allErrors: false, verbose: true, useDefaults: false });
  addFormats(ajv);
  // Compiled on a route's first request, not at start-up: compiling every operation's schemas
  // up front is ~0.6 s of a ~2.7 s start-up, and most routes of a CI run are never called.
  app.setValidatorCompiler(({ schema }) => {
    let compiled: ValidateFunction | undefined;
    const validate = ((data: unknown) => {
      compiled ??= ajv.compile(schema as object);
      const ok = compiled(data);
      validate.errors = compiled.errors;
      return ok;
    }) as ValidateFunction;
    return validate;
  });

  // The spec's request bodies are all application/json: any other type is refused (415 → Toss
  // error), instead of reaching a handler unvalidated.
  app.removeContentTypeParser(["text/plain"]);
  // An empty JSON body is "no body": optional bodies may be omitted even with a Content-Type,
  // and required ones are refused below with a Toss error. Prototype poisoning is refused.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    if (body === "" || (typeof body === "string" && body.trim() === "")) return done(null, undefined);
    parseJson(req, body as string, done);
  });
  // Browser forms of the payment window post urlencoded fields, on the operations whose spec
  // lists that type; everywhere else a form would skip the JSON schema's types, so it is refused.
  const formRoutes = routesWhere(spec, (op) => FORM in (op.requestBody?.content ?? {}));
  app.addContentTypeParser(FORM, { parseAs: "string" }, (req, body, done) => {
    // The same refusal as any other unlisted type (errors.ts maps it to a Toss error).
    if (!formRoutes.has(`${req.method} ${req.routeOptions.url}`)) return done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(FORM), undefined);
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  // checkout.url and the published spec's server are built from Host: it must be a host[:port].
  app.addHook("onRequest", (request, _reply, done) => {
    const host = request.headers.host;
    if (host !== undefined ? VALID_HOST.test(host) : request.raw.httpVersion === "1.0") return done();
    done(new TossError("INVALID_REQUEST", "Host 헤더가 없거나 올바르지 않습니다.", "The Host header is missing or malformed."));
  });

  app.decorateRequest("tenant", undefined);
  app.decorateRequest("idempotency", undefined);

  const bodyRequired = routesWhere(spec, (op) => op.requestBody?.required === true);
  const idem = idempotencyHooks(store, clock, idempotencyKeyLimit(spec));

  const lookup = (key: string) => tenants.lookupSecretKey(key);
  const authOnly: onRequestHookHandler = (request, _reply, done) => {
    try {
      request.tenant = authenticate(request.headers.authorization, lookup);
      done();
    } catch (err) {
      done(err as Error);
    }
  };
  const authAndTestCode: onRequestHookHandler = (request, _reply, done) => {
    try {
      request.tenant = authenticate(request.headers.authorization, lookup);
      checkTestCode(request);
      done();
    } catch (err) {
      done(err as Error);
    }
  };

  app.addHook("onRoute", (route) => {
    // Responses are checked against the spec in tests; at run time we send what the domain built.
    if (route.schema && "response" in route.schema) delete (route.schema as Record<string, unknown>).response;
    // The spec's security runs before the body is parsed or validated: a request with a bad key
    // is 401 whatever its body, as in Toss. Then Idempotency-Key, which also replays errors.
    // fastify-openapi-glue attaches the spec's security requirement as a preHandler. It moves
    // to onRequest so that a request with a bad key is 401 whatever its body, as in Toss. It
    // becomes one synchronous gate (the spec's only scheme is basicAuth): authentication, then
    // TossPayments-Test-Code on Toss's own /v1 API (not on /sandbox), then Idempotency-Key,
    // which also replays errors.
    if (typeof route.preHandler === "function") {
      route.preHandler = undefined;
      const headers = (route.schema as { headers?: { properties?: Record<string, unknown> } } | undefined)?.headers;
      const takesKey = route.method === "POST" && Object.keys(headers?.properties ?? {}).some((k) => k.toLowerCase() === "idempotency-key");
      const gate = route.url.startsWith("/v1/") ? authAndTestCode : authOnly;
      route.onRequest = takesKey ? [gate, idem.onRequest] : [gate];
      if (takesKey) route.onSend = [idem.onSend];
    }
    // Fastify validates a body only when one arrived with a Content-Type; a POST with neither
    // must not reach the handler with `body === undefined`.
    if (bodyRequired.has(`${route.method} ${route.url}`)) route.preValidation = [requireBody];
  });

  app.setErrorHandler((err, request, reply) => {
    const { error, internal } = toTossError(err);
    if (internal) console.error(`[faketoss] ${request.method} ${request.url} failed:`, err);
    reply.header("x-faketoss-error-code", error.code);
    // The browser pages (x-faketoss-page in the spec) answer HTML, errors included.
    if ((request.routeOptions.schema as Record<string, unknown> | undefined)?.["x-faketoss-page"]) {
      return errorPage(reply, error.status, "잘못된 요청입니다", error.messageKo);
    }
    return sendTossError(reply, error, langOf(request));
  });

  const specPaths = Object.keys((spec.paths as Record<string, unknown>) ?? {}).map(
    (p) => new RegExp("^" + p.replace(/\{[^}]+\}/g, "[^/]+") + "/?$"),
  );
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0]!;
    const known = specPaths.some((re) => re.test(path));
    const error = known ? new TossError("NOT_FOUND_HTTP_METHOD") : new TossError("NOT_FOUND");
    reply.header("x-faketoss-error-code", error.code);
    return sendTossError(reply, error, langOf(request));
  });

  if (config.log === "info") {
    app.addHook("onResponse", (request, reply, done) => {
      const code = reply.getHeader("x-faketoss-error-code");
      const who = request.tenant && request.tenant.secretKey !== "test_sk_yjroot_faketoss_default" ? ` [${request.tenant.secretKey.slice(0, 16)}…]` : "";
      console.log(`${request.method} ${request.url} → ${reply.statusCode}${code ? " " + String(code) : ""} ${reply.elapsedTime.toFixed(1)}ms${who}`);
      done();
    });
  }

  const serviceHandlers = createHandlers(deps);
  // Glue would serve an operation without a handler as a 500 on every call: refuse to start instead.
  const missing = operationsWithoutHandler(spec, serviceHandlers);
  if (missing.length > 0) {
    throw new Error(`openapi.yaml has operations without a handler in src/http/handlers.ts: ${missing.join(", ")} (run npm run generate, then npm run typecheck)`);
  }
  await app.register(openapiGlue, {
    specification: structuredClone(spec),
    serviceHandlers,
    securityHandlers: {
      // Replaced by the synchronous gate above in onRoute; declared so glue marks secured routes.
      basicAuth: async (request: FastifyRequest, _reply: FastifyReply) => {
        request.tenant = authenticate(request.headers.authorization, lookup);
      },
    },
  });

  registerDocs(app, specText, spec);
  app.get("/", (_req, reply) => reply.redirect("/api-docs"));

  return app;
}

async function requireBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) {
    throw new TossError("INVALID_REQUEST", "요청 본문(JSON 객체)이 필요합니다.", "A JSON object request body is required.");
  }
}

const SPEC_CACHE = join(CACHE_DIR, "openapi.json");

/**
 * openapi.yaml as an object. Parsing the YAML takes about half a second, so the parsed form is
 * cached as JSON next to the dependencies, keyed by the YAML's hash: an edited spec is re-read.
 */
function loadSpec(specText: string): Record<string, unknown> {
  const hash = createHash("sha256").update(specText).digest("hex");
  try {
    const cached = JSON.parse(readFileSync(SPEC_CACHE, "utf8")) as { hash: string; spec: Record<string, unknown> };
    if (cached.hash === hash) return cached.spec;
  } catch {
    // No cache yet, or an unreadable one: parse the YAML below.
  }
  const spec = parseYaml(specText) as Record<string, unknown>;
  try {
    mkdirSync(dirname(SPEC_CACHE), { recursive: true });
    writeFileSync(SPEC_CACHE, JSON.stringify({ hash, spec }));
  } catch {
    // A read-only install still works, only slower to start.
  }
  return spec;
}

interface SpecOperation {
  operationId?: string;
  requestBody?: { required?: boolean; content?: Record<string, unknown> };
}

/** Every operation of the spec's paths (not its `webhooks:`, which FakeToss sends), with Fastify's route key. */
function* operationsOf(spec: Record<string, unknown>): Generator<{ route: string; op: SpecOperation }> {
  for (const [path, item] of Object.entries((spec.paths as Record<string, Record<string, SpecOperation>>) ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      // "POST /v1/payments/:paymentKey/cancel"
      if (op && typeof op === "object" && !Array.isArray(op)) yield { route: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`, op };
    }
  }
}

/** The route keys of every operation that `has`. */
function routesWhere(spec: Record<string, unknown>, has: (op: SpecOperation) => boolean): Set<string> {
  const out = new Set<string>();
  for (const { route, op } of operationsOf(spec)) if (has(op)) out.add(route);
  return out;
}

/** The operationIds that `handlers` lacks. */
export function operationsWithoutHandler(spec: Record<string, unknown>, handlers: object): string[] {
  const ids = [...operationsOf(spec)].map(({ op }) => op.operationId).filter((id): id is string => typeof id === "string");
  return ids.filter((id) => !(id in handlers)).sort();
}

/** The Idempotency-Key limit is the spec's, not a copy of it. */
function idempotencyKeyLimit(spec: Record<string, unknown>): number {
  const param = (spec as { components?: { parameters?: Record<string, { schema?: { maxLength?: number } }> } }).components
    ?.parameters?.IdempotencyKey;
  const limit = param?.schema?.maxLength;
  if (typeof limit !== "number") throw new Error("openapi.yaml: components.parameters.IdempotencyKey.schema.maxLength is missing");
  return limit;
}
