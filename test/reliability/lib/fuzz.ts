// Malformed requests for every operation of openapi.yaml, derived from the spec with fast-check:
// a schema-valid request is generated first, then one thing is broken — a body field (wrong type,
// missing, out of range, huge, odd Unicode, null, prototype keys), the body itself (bad JSON,
// not an object, empty, wrong or missing content type, oversized, deeply nested), the
// Authorization header, a path parameter (../, %00, bad percent-encoding, very long keys), a
// header (Idempotency-Key, TossPayments-Test-Code, Accept-Language), the query, or the method.
//
// Used by fuzz.test.ts (a few hundred cases per operation) and soak.ts (100k+).
import fc from "fast-check";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { allowedTypes, jsonType, type Json, type Operation, type Param } from "./spec-ops.js";

// The server's own validator settings (src/http/app.ts): a candidate "invalid" value is kept only
// if it really violates the property's schema, so that mustFail never lies.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false, coerceTypes: false, allErrors: false, validateSchema: false });
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();
function violates(schema: Json, value: unknown): boolean {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(schema)));
  return !v(value);
}

export interface FuzzCase {
  op: string;
  method: string;
  /** Raw request target, sent verbatim (may hold `../`, `%00`...). */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What was broken, e.g. `body:wrong-type amount`. */
  category: string;
  /** A 2xx would be a bug: the request is invalid whatever the server's state. */
  mustFail: boolean;
}

export interface FuzzContext {
  /** The secret key of the tenant the fuzz runs as. */
  secretKey: string;
  /** Real ids of that tenant, so that some cases reach the domain. By path-param name. */
  pools: Record<string, string[]>;
  /** FAKETOSS_BODY_LIMIT of the server. */
  bodyLimit: number;
}

export const basic = (secretKey: string): string => "Basic " + Buffer.from(`${secretKey}:`, "utf8").toString("base64");

// ---------------------------------------------------------------- valid values from a schema

/** Loopback only: whatever the fuzz registers (webhooks, redirects) must never leave the host. */
const LOOPBACK_URLS = ["http://127.0.0.1:9/success", "http://127.0.0.1:9/fail", "http://localhost:9/hook?x=1"];

export function validArb(schema: Json, name = "", depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if (/url$/i.test(name) && allowedTypes(schema).has("string")) return fc.constantFrom(...LOOPBACK_URLS);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) {
    const alts = (schema.oneOf ?? schema.anyOf) as Json[];
    return fc.oneof(...alts.map((s) => validArb({ ...schema, oneOf: undefined, anyOf: undefined, ...s }, name, depth + 1)));
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Json = { ...schema, allOf: undefined };
    for (const part of schema.allOf as Json[]) {
      Object.assign(merged, part, {
        properties: { ...(merged.properties ?? {}), ...(part.properties ?? {}) },
        required: [...((merged.required as string[]) ?? []), ...((part.required as string[]) ?? [])],
      });
    }
    return validArb(merged, name, depth + 1);
  }
  const types = [...allowedTypes(schema)];
  if (types.length > 1) return fc.oneof(...types.map((t) => validArb({ ...schema, type: t }, name, depth + 1)));
  const type = types[0] ?? (schema.properties ? "object" : schema.items ? "array" : "string");
  const example = schema.example;
  const withExample = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    example !== undefined && jsonType(example) === type ? fc.oneof({ arbitrary: fc.constant(example), weight: 1 }, { arbitrary: arb, weight: 2 }) : arb;
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
    case "number": {
      const min = typeof schema.minimum === "number" ? schema.minimum : typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + 1 : 0;
      const max = typeof schema.maximum === "number" ? schema.maximum : typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum - 1 : 1_000_000;
      const realistic = fc.integer({ min: Math.max(min, Math.min(max, 0)), max: Math.min(max, Math.max(min, 1_000_000)) });
      return withExample(fc.oneof({ arbitrary: realistic, weight: 4 }, { arbitrary: fc.constantFrom(min, max), weight: 1 }));
    }
    case "string":
      return withExample(stringArb(schema));
    case "array": {
      const items = validArb((schema.items as Json) ?? {}, name, depth + 1);
      const minLength = (schema.minItems as number) ?? 0;
      const maxLength = Math.min((schema.maxItems as number) ?? 3, minLength + 3);
      return schema.uniqueItems
        ? fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(items, { minLength, maxLength });
    }
    case "object":
    default:
      return objectArb(schema, depth);
  }
}

function stringArb(schema: Json): fc.Arbitrary<string> {
  const maxLength = typeof schema.maxLength === "number" ? schema.maxLength : 40;
  const minLength = typeof schema.minLength === "number" ? schema.minLength : 0;
  if (typeof schema.pattern === "string") {
    let re: RegExp;
    try {
      re = new RegExp(schema.pattern as string, "u");
    } catch {
      re = new RegExp(schema.pattern as string);
    }
    return fc.stringMatching(re).filter((s) => [...s].length >= minLength && [...s].length <= maxLength);
  }
  switch (schema.format) {
    case "email":
      return fc.emailAddress().filter((s) => s.length <= maxLength);
    case "uri":
    case "url":
      return fc.constantFrom(...LOOPBACK_URLS);
    case "date-time":
      return fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-01-01T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString());
  }
  const cap = Math.min(maxLength, minLength + 30);
  return fc.oneof(
    fc.string({ minLength, maxLength: cap }),
    fc.constantFrom("홍길동", "FakeToss 티셔츠", "test", "고객 요청").filter((s) => [...s].length >= minLength && [...s].length <= maxLength),
  );
}

function objectArb(schema: Json, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = (schema.properties as Record<string, Json>) ?? {};
  const required = new Set((schema.required as string[]) ?? []);
  const names = Object.keys(props);
  if (names.length === 0 && schema.additionalProperties && typeof schema.additionalProperties === "object") {
    const max = Math.min((schema.maxProperties as number) ?? 3, 3);
    return fc.dictionary(fc.stringMatching(/^[a-z]{1,10}$/), validArb(schema.additionalProperties as Json, "", depth + 1) as fc.Arbitrary<unknown>, {
      maxKeys: max,
    }) as fc.Arbitrary<Record<string, unknown>>;
  }
  const minProps = (schema.minProperties as number) ?? 0;
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const n of names) record[n] = validArb(props[n]!, n, depth + 1);
  const requiredKeys = names.filter((n) => required.has(n));
  return fc.record(record, { requiredKeys }).map((obj) => {
    // minProperties (e.g. AdvanceClockRequest, UpdateSettingsRequest): fill from the examples.
    const out = obj as Record<string, unknown>;
    for (const n of names) {
      if (Object.keys(out).length >= minProps) break;
      if (!(n in out)) out[n] = props[n]!.example ?? (allowedTypes(props[n]!).has("boolean") ? true : 1);
    }
    return out;
  });
}

// ---------------------------------------------------------------- broken values

const ODD_STRINGS = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff\ud800",
  "\u202e\u0645\u0631\u062d\u0628\u0627",
  "\u200b\u200c\u200d\ufeff",
  "e\u0301\u0301\u0301\u0301\u0301",
  "👩‍👩‍👧‍👦🇰🇷",
  "\uffff\ufffe",
  "𝕗𝕒𝕜𝕖",
  "\r\n\t\u000b\u000c",
  "'; DROP TABLE payments; --",
  "\" OR 1=1 --",
  "${7*7}{{7*7}}<%= 7*7 %>",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "%00%2e%2e%2f",
  "__proto__",
  "constructor",
  "NaN",
  "-0",
  "1e309",
];

export const oddStringArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
);

/** Values whose JSON type the schema does not allow (Ajv never coerces). */
function wrongTypeArb(schema: Json): fc.Arbitrary<unknown> | undefined {
  const allowed = allowedTypes(schema);
  if (allowed.size === 0) return undefined;
  const candidates: unknown[] = ["15000", "", 1.5, 7, -1, true, false, null, [], {}, [1, "a"], { a: { b: [] } }, "true", "null"];
  const wrong = candidates.filter((v) => {
    const t = jsonType(v);
    if (allowed.has(t)) return false;
    if (t === "integer" && allowed.has("number")) return false;
    return true;
  });
  const really = wrong.filter((v) => violates(schema, v));
  return really.length ? fc.constantFrom(...really) : undefined;
}

/** Values outside the schema's range, length, pattern or enum. */
function outOfRangeArb(schema: Json): fc.Arbitrary<unknown> | undefined {
  const allowed = allowedTypes(schema);
  const out: unknown[] = [];
  if (allowed.has("integer") || allowed.has("number")) {
    if (typeof schema.minimum === "number") out.push(schema.minimum - 1, schema.minimum - 1_000_000, -Number.MAX_SAFE_INTEGER - 2);
    if (typeof schema.maximum === "number") out.push(schema.maximum + 1, schema.maximum * 10 + 1, 1e308);
    if (allowed.has("integer") && !allowed.has("number")) out.push(0.5, 1e-7, 123.000001);
  }
  if (allowed.has("string")) {
    if (typeof schema.maxLength === "number") out.push("x".repeat(schema.maxLength + 1), "가".repeat(schema.maxLength + 1));
    if (typeof schema.minLength === "number" && schema.minLength > 0) out.push("");
    if (typeof schema.pattern === "string") out.push("!!!", " ", "a b", "\u0000", "가나다", "-".repeat(70));
    if (Array.isArray(schema.enum)) out.push("NOT_IN_ENUM", String(schema.enum[0]).toLowerCase() + "x");
    if (schema.format === "email") out.push("not-an-email", "a@", "@b.c", "a@b");
  }
  const filtered = out.filter((v) => violates(schema, v));
  return filtered.length ? fc.constantFrom(...filtered) : undefined;
}

const hugeStringArb = (bodyLimit: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: 1_000, max: Math.floor(bodyLimit * 0.8) }).map((n) => "A".repeat(n)),
    fc.integer({ min: 300, max: Math.floor(bodyLimit / 4) }).map((n) => "가".repeat(n)),
    fc.constant("x".repeat(bodyLimit + 10)),
  );

// ---------------------------------------------------------------- paths and headers

const INJECTIONS = [
  "..",
  "../",
  "../..",
  "..%2f..%2fetc%2fpasswd",
  "%2e%2e%2f%2e%2e",
  "..%252f",
  "%00",
  "a%00b",
  "%",
  "%ZZ",
  "%E0%A4%A",
  "%C0%AE%C0%AE%2F",
  "%ff%fe",
  "%0d%0aSet-Cookie:%20x=1",
  "a%2Fb",
  "a/b",
  "a;b",
  "%3Bjsessionid=1",
  "a%3Fb%3D1",
  "%23frag",
  "%20",
  "*",
  "{paymentKey}",
  ":paymentKey",
  "%EA%B0%80%EB%82%98",
  "%F0%9F%98%80",
  "pay_123%00.json",
  "null",
  "undefined",
  "__proto__",
  "constructor",
];

function pathParamArb(p: Param, ctx: FuzzContext): { valid: fc.Arbitrary<string>; broken: fc.Arbitrary<string> } {
  const pool = ctx.pools[p.name] ?? [];
  const schemaValid = validArb(p.schema, p.name).map((v) => encodeURIComponent(String(v)));
  const valid = pool.length ? fc.oneof(fc.constantFrom(...pool.map(encodeURIComponent)), schemaValid) : schemaValid;
  const broken = fc.oneof(
    fc.constantFrom(...INJECTIONS),
    fc.integer({ min: 201, max: 8000 }).map((n) => "k".repeat(n)),
    oddStringArb.map(encodeSafe),
    fc.string({ unit: "grapheme-ascii", maxLength: 30 }).map(encodeSafe),
  );
  return { valid, broken };
}

/** Percent-encodes what node's HTTP client would refuse to send raw; keeps ../ and % as they are. */
function encodeSafe(s: string): string {
  return Array.from(s)
    .map((ch) => (/^[\x21-\x7e]$/.test(ch) && ch !== "?" && ch !== "#" ? ch : encodeURIComponent(ch.replace(/[\ud800-\udfff]/g, "\ufffd"))))
    .join("");
}

/** A header value node's client accepts (latin1, no CR/LF). */
const headerValueArb = fc.oneof(
  fc.string({ unit: "grapheme-ascii", maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, " ")),
  fc.constantFrom("", " ", "\u00ff\u00fe", "null", "%00", "a".repeat(2000), "\t"),
);

const AUTH_VALUES = (ctx: FuzzContext): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      "",
      "Basic",
      "Basic ",
      "Basic !!!!",
      "Basic ====",
      "Bearer " + ctx.secretKey,
      "basic" + basic(ctx.secretKey).slice(5).replace(" ", ""),
      "Basic " + Buffer.from(ctx.secretKey).toString("base64"), // no ':'
      "Basic " + Buffer.from(`${ctx.secretKey}`).toString("base64url") + "-_",
      basic(ctx.secretKey + "x"),
      basic(""),
      basic(":"),
      basic("test_sk_unknown_key"),
      basic(ctx.secretKey.replace("_sk_", "_ck_")),
      basic("\u0000"),
      "Digest username=x",
      "Basic " + "A".repeat(6000),
    ),
    oddStringArb.map((s) => basic(s)),
    fc.string({ unit: "grapheme-ascii", maxLength: 80 }).map((s) => "Basic " + s.replace(/[\r\n]/g, "")),
  );

// ---------------------------------------------------------------- the case arbitrary

interface Parts {
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: unknown;
}

function fillPath(op: Operation, values: Record<string, string>): string {
  return op.path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? "x");
}

export function caseArb(op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzCase> {
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");
  const auth = op.secured ? basic(ctx.secretKey) : undefined;
  const jsonBody = op.body?.contentTypes.includes("application/json") ?? false;
  const formBody = op.body?.contentTypes.includes("application/x-www-form-urlencoded") ?? false;
  const bodySchema = op.body?.schema ?? { type: "object" };

  const pathArbs = Object.fromEntries(pathParams.map((p) => [p.name, pathParamArb(p, ctx)]));
  const validPath = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, pathArbs[p.name]!.valid])) as Record<string, fc.Arbitrary<string>>);
  const validQuery = fc
    .record(Object.fromEntries(queryParams.map((p) => [p.name, validArb(p.schema, p.name)])) as Record<string, fc.Arbitrary<unknown>>, {
      requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
    })
    .map((q) => {
      const entries = Object.entries(q).map(([k, v]) => [k, String(v)]);
      return entries.length ? "?" + new URLSearchParams(entries).toString() : "";
    });
  const validBody = op.body ? validArb(bodySchema) : fc.constant(undefined);

  const base: fc.Arbitrary<Parts> = fc.record({ pv: validPath, query: validQuery, body: validBody }).map(({ pv, query, body }) => ({
    path: fillPath(op, pv),
    query,
    headers: { ...(auth ? { authorization: auth } : {}), accept: "application/json" },
    body,
  }));

  const encode = (parts: Parts, category: string, mustFail: boolean, override?: { body?: string | Buffer; contentType?: string | null }): FuzzCase => {
    const headers = { ...parts.headers };
    let body: string | Buffer | undefined;
    if (override && "body" in override) body = override.body;
    else if (parts.body !== undefined) body = formBody && !jsonBody ? new URLSearchParams(flatStrings(parts.body)).toString() : JSON.stringify(parts.body);
    const contentType =
      override && "contentType" in override ? override.contentType : body === undefined ? null : formBody && !jsonBody ? "application/x-www-form-urlencoded" : "application/json";
    if (contentType) headers["content-type"] = contentType;
    return withShortPrint({ op: op.id, method: op.method, path: parts.path + parts.query, headers, body, category, mustFail });
  };

  const variants: Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzCase> }> = [];
  const add = (weight: number, arbitrary: fc.Arbitrary<FuzzCase>) => variants.push({ weight, arbitrary });

  // A valid request: reaches the domain; any answer but a 5xx is fine.
  add(2, base.map((p) => encode(p, "valid", false)));

  // ---- body fields
  if (op.body) {
    const props = Object.entries((bodySchema.properties as Record<string, Json>) ?? {});
    const required = new Set((bodySchema.required as string[]) ?? []);
    const jsonOnly = jsonBody; // form bodies carry only strings: type mutations do not apply
    if (props.length) {
      const field = fc.constantFrom(...props.map(([name, schema]) => ({ name, schema })));
      const setField = (category: string, mustFailIf: (name: string) => boolean, valueFor: (s: Json) => fc.Arbitrary<unknown> | undefined) =>
        fc
          .tuple(base, field)
          .chain(([p, f]) => {
            const v = valueFor(f.schema);
            return v ? v.map((value) => ({ p, f, value, ok: true })) : fc.constant({ p, f, value: undefined as unknown, ok: false });
          })
          .map(({ p, f, value, ok }) => {
            const body = { ...(isObject(p.body) ? p.body : {}) };
            if (ok) body[f.name] = value;
            return encode({ ...p, body }, `body:${category} ${f.name}`, ok && mustFailIf(f.name));
          });
      if (required.size) {
        add(
          3,
          fc.tuple(base, fc.constantFrom(...required)).map(([p, name]) => {
            const body = { ...(isObject(p.body) ? p.body : {}) };
            delete body[name];
            return encode({ ...p, body }, `body:missing ${name}`, true);
          }),
        );
      }
      if (jsonOnly) {
        add(4, setField("wrong-type", () => true, wrongTypeArb));
        add(3, setField("null", (n) => required.has(n), () => fc.constant(null)));
      }
      add(4, setField("out-of-range", () => true, outOfRangeArb));
      add(2, setField("huge-string", () => false, () => hugeStringArb(ctx.bodyLimit)));
      add(3, setField("odd-unicode", () => false, () => oddStringArb));
    }
    add(
      2,
      fc.tuple(base, fc.constantFrom("__proto__", "constructor", "prototype", "unknownField", "", "\u0000")).map(([p, key]) => {
        // Written as text: JSON.stringify would drop a real __proto__ key.
        const inner = JSON.stringify(isObject(p.body) ? p.body : {});
        const extra = `${JSON.stringify(key)}:{"polluted":true,"prototype":{"polluted":true}}`;
        const text = inner === "{}" ? `{${extra}}` : `${inner.slice(0, -1)},${extra}}`;
        return encode(p, `body:extra-key ${JSON.stringify(key)}`, false, jsonBody ? { body: text } : undefined);
      }),
    );
  }

  // ---- the body as a whole
  const requiredBody = op.body?.required === true;
  const rawBodies: Array<[string, string | Buffer, boolean]> = [
    ["bad-json", "{", true],
    ["bad-json", '{"amount": 15000,}', true],
    ["bad-json", "{'orderId': 'x'}", true],
    ["bad-json", '{"amount": NaN}', true],
    ["bad-json", '{"a":1}{"b":2}', true],
    ["bad-json", "\ufeff{}", false],
    ["bad-json", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), false],
    ["not-object", "[]", true],
    ["not-object", "[{}]", true],
    ["not-object", "15000", true],
    ["not-object", '"string"', true],
    ["not-object", "null", true],
    ["not-object", "true", true],
    ["empty", "", true],
    ["empty", "   \n ", true],
    ["deep-nesting", "[".repeat(20_000) + "]".repeat(20_000), true],
    // An object with one unknown (deeply nested) key: refused only where fields are required.
    ["deep-nesting", '{"a":'.repeat(5_000) + "1" + "}".repeat(5_000), ((bodySchema.required as string[] | undefined) ?? []).length > 0],
  ];
  add(
    op.body ? 4 : 1,
    fc.tuple(base, fc.constantFrom(...rawBodies)).map(([p, [kind, text, failsIfRequired]]) =>
      encode(p, `raw-body:${kind}`, requiredBody && jsonBody && failsIfRequired, { body: text, contentType: "application/json" }),
    ),
  );
  add(
    op.body ? 3 : 1,
    fc
      .tuple(
        base,
        fc.constantFrom(
          "text/plain",
          "application/xml",
          "multipart/form-data; boundary=x",
          "application/json; charset=latin1",
          "application/json;;",
          "ab/cd/ef",
          "application/x-www-form-urlencoded",
          "application/octet-stream",
          "*/*",
          null,
        ),
      )
      .map(([p, ct]) => {
        const text = p.body === undefined ? '{"x":1}' : JSON.stringify(p.body);
        // A body the server cannot parse as the spec's type: refused when the body is required.
        // (`application/json;;` and odd charsets are parsed as JSON: lenient, not a bug.)
        const refused = requiredBody && (ct === null || !/^application\/(json|x-www-form-urlencoded)\b/.test(ct)) && !(formBody && !jsonBody);
        return encode(p, `raw-body:content-type ${ct}`, refused, { body: text, contentType: ct });
      }),
  );
  add(
    1,
    base.map((p) => encode(p, "raw-body:oversized", requiredBody, { body: JSON.stringify({ pad: "x".repeat(ctx.bodyLimit + 1) }), contentType: "application/json" })),
  );

  // ---- Authorization
  if (op.secured) {
    add(
      3,
      fc.tuple(base, AUTH_VALUES(ctx)).map(([p, value]) => {
        const headers = { ...p.headers };
        if (value === undefined) delete headers.authorization;
        else headers.authorization = value;
        return encode({ ...p, headers }, `auth:${value === undefined ? "missing" : "bad"}`, true);
      }),
    );
  }

  // ---- path parameters
  if (pathParams.length) {
    add(
      4,
      fc
        .tuple(validPath, fc.constantFrom(...pathParams.map((p) => p.name)))
        .chain(([pv, name]) => pathArbs[name]!.broken.map((bad) => ({ pv: { ...pv, [name]: bad }, name })))
        .chain(({ pv, name }) => base.map((p) => encode({ ...p, path: fillPath(op, pv) }, `path:${name}`, false))),
    );
  }
  // A path with the injection appended or prefixed (every operation).
  add(
    1,
    fc.tuple(base, fc.constantFrom("/..", "/../..", "/%2e%2e", "/%00", "//", "/./", "?%00", "?a=%ZZ")).map(([p, suffix]) =>
      encode({ ...p, path: p.path + suffix }, `path:suffix ${suffix}`, false),
    ),
  );

  // ---- headers
  const headerCases: fc.Arbitrary<[string, string, boolean]> = fc.oneof(
    op.takesIdempotencyKey
      ? fc.integer({ min: 301, max: 4000 }).map((n): [string, string, boolean] => ["idempotency-key", "k".repeat(n), true])
      : fc.constant<[string, string, boolean]>(["x-nothing", "1", false]),
    headerValueArb.map((v): [string, string, boolean] => ["idempotency-key", v, false]),
    headerValueArb.map((v): [string, string, boolean] => ["tosspayments-test-code", v, false]),
    fc.constantFrom("REJECT_CARD_COMPANY", "INVALID_CARD_EXPIRATION", "NOT_FOUND_PAYMENT", "UNKNOWN_CODE_X", "reject_card_company", "X".repeat(101)).map((v): [string, string, boolean] => [
      "tosspayments-test-code",
      v,
      false,
    ]),
    headerValueArb.map((v): [string, string, boolean] => ["accept-language", v, false]),
    fc.constantFrom("en-US", "ko-KR", "en", "*", "en;q=0.1, ko;q=0.9").map((v): [string, string, boolean] => ["accept-language", v, false]),
    headerValueArb.map((v): [string, string, boolean] => ["x-forwarded-for", v, false]),
  );
  add(
    3,
    fc.tuple(base, headerCases).map(([p, [name, value, mustFail]]) => encode({ ...p, headers: { ...p.headers, [name]: value } }, `header:${name}`, mustFail)),
  );

  // ---- query
  add(
    1,
    fc
      .tuple(
        base,
        fc.oneof(
          fc.constantFrom("?limit=-1", "?limit=abc", "?limit=99999999999", "?status=NOPE", "?eventType=%00", "?a=1&a=2&a=3", "?" + "x=1&".repeat(500), "?%ZZ=1", "?__proto__[x]=1", "?constructor.prototype.x=1"),
          fc.string({ unit: "grapheme-ascii", maxLength: 40 }).map((s) => "?" + encodeSafe(s)),
        ),
      )
      .map(([p, q]) => encode({ ...p, query: q }, "query", false)),
  );

  // ---- method: the same path with a method the spec does not give it
  add(
    1,
    fc.tuple(base, fc.constantFrom("PUT", "PATCH", "DELETE", "POST", "GET", "OPTIONS")).map(([p, m]) => withShortPrint({ ...encode(p, `method:${m}`, false), method: m })),
  );

  return fc.oneof(...variants);
}

/** fast-check prints counterexamples with this: short, never a 64 KB body. */
export function withShortPrint(c: FuzzCase): FuzzCase {
  Object.defineProperty(c, fc.toStringMethod, { value: () => shortCase(c), enumerable: false });
  return c;
}

export function shortCase(c: FuzzCase): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const body = c.body === undefined ? "(none)" : typeof c.body === "string" ? cut(JSON.stringify(c.body), 300) : `<${c.body.length} bytes>`;
  const headers = Object.entries(c.headers)
    .map(([k, v]) => `${k}: ${cut(JSON.stringify(v), 120)}`)
    .join("; ");
  return `${c.op} [${c.category}] ${c.method} ${cut(c.path, 200)}\n  headers: ${headers}\n  body: ${body}${c.mustFail ? "\n  (must fail)" : ""}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function flatStrings(v: unknown): Record<string, string> {
  if (!isObject(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)]));
}
