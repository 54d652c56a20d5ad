// The operations of openapi.yaml, read from the spec itself (never a copy): method, path, tag,
// whether it is a browser page, its security, its parameters and its request body, with every
// local $ref resolved. A new operation in the spec is fuzzed without editing the tests.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export type Json = Record<string, any>;

export const SPEC_FILE = new URL("../../../openapi.yaml", import.meta.url);
export const spec = parse(readFileSync(SPEC_FILE, "utf8"), { maxAliasCount: -1 }) as Json;

/** Follows local `$ref`s until a non-ref node. */
export function deref<T = Json>(node: any): T {
  let current = node;
  for (let hops = 0; current && typeof current === "object" && typeof current.$ref === "string"; hops++) {
    if (hops > 50) throw new Error(`$ref cycle at ${current.$ref}`);
    const ref: string = current.$ref;
    if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported: ${ref}`);
    const target = ref
      .slice(2)
      .split("/")
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce((obj: any, key) => obj?.[key], spec);
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    // Siblings of a $ref (OpenAPI 3.1) win over the target's keywords.
    const { $ref: _ignored, ...siblings } = current;
    current = Object.keys(siblings).length ? { ...target, ...siblings } : target;
  }
  return current as T;
}

export interface Param {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: Json;
}

export interface Operation {
  id: string;
  method: string;
  /** The spec's path template, e.g. `/v1/payments/{paymentKey}/cancel`. */
  path: string;
  tags: string[];
  /** A browser page (tag `Payment Window` or `x-faketoss-page`): answers HTML, errors included. */
  page: boolean;
  /** Needs the secret key (Basic auth). */
  secured: boolean;
  params: Param[];
  body?: { required: boolean; contentTypes: string[]; schema: Json };
  takesIdempotencyKey: boolean;
}

const METHODS = ["get", "put", "post", "delete", "patch", "options", "head", "trace"];

export function listOperations(): Operation[] {
  const ops: Operation[] = [];
  const globalSecurity = (spec.security as unknown[] | undefined) ?? [];
  for (const [path, rawItem] of Object.entries(spec.paths as Json)) {
    const item = deref(rawItem);
    const shared = ((item.parameters as unknown[]) ?? []).map((p) => deref(p));
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op || typeof op !== "object" || !op.operationId) continue;
      const params: Param[] = [...shared, ...((op.parameters as unknown[]) ?? []).map((p) => deref(p))].map((p: Json) => ({
        name: p.name,
        in: p.in,
        required: p.required === true,
        schema: resolveSchema(p.schema ?? {}),
      }));
      let body: Operation["body"];
      if (op.requestBody) {
        const rb = deref(op.requestBody);
        const contentTypes = Object.keys(rb.content ?? {});
        const first = rb.content?.[contentTypes[0]!];
        body = { required: rb.required === true, contentTypes, schema: resolveSchema(first?.schema ?? {}) };
      }
      const tags = (op.tags as string[]) ?? [];
      const security = (op.security as unknown[] | undefined) ?? globalSecurity;
      ops.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        tags,
        page: tags.includes("Payment Window") || op["x-faketoss-page"] === true,
        secured: security.length > 0 && security.some((s) => Object.keys(s as object).length > 0),
        params,
        body,
        takesIdempotencyKey: params.some((p) => p.in === "header" && p.name.toLowerCase() === "idempotency-key"),
      });
    }
  }
  return ops;
}

/** A schema with every nested $ref resolved (the spec has no recursive request schemas). */
export function resolveSchema(schema: any, depth = 0): Json {
  if (depth > 30) return {};
  const s = deref(schema);
  if (!s || typeof s !== "object") return s;
  if (Array.isArray(s)) return s.map((x) => resolveSchema(x, depth + 1)) as unknown as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "properties" && v && typeof v === "object") {
      out.properties = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, resolveSchema(pv, depth + 1)]));
    } else if ((k === "items" || k === "additionalProperties" || k === "not") && v && typeof v === "object") {
      out[k] = resolveSchema(v, depth + 1);
    } else if ((k === "oneOf" || k === "anyOf" || k === "allOf") && Array.isArray(v)) {
      out[k] = v.map((x) => resolveSchema(x, depth + 1));
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** The JSON types a schema allows (empty = anything). */
export function allowedTypes(schema: Json): Set<string> {
  const t = schema.type;
  if (Array.isArray(t)) return new Set(t as string[]);
  if (typeof t === "string") return new Set([t]);
  if (schema.enum) return new Set((schema.enum as unknown[]).map(jsonType));
  if (schema.const !== undefined) return new Set([jsonType(schema.const)]);
  return new Set();
}

export function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}
