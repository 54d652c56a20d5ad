// Response bodies are checked against openapi.yaml itself, so the tests hold the server to the
// contract rather than to a copy of it.
import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";
import { expect } from "vitest";

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

export const spec = parse(readFileSync(new URL("../../openapi.yaml", import.meta.url), "utf8")) as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }> }>>;
  components: { responses: Record<string, { content?: Record<string, { schema: unknown }> }>; examples: Record<string, { value: unknown }> };
};

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema(spec as object, "openapi");

const cache = new Map<string, ValidateFunction>();

/** Finds operationId → its declared response schema for a status (following a response $ref). */
function validatorFor(operationId: string, status: number): ValidateFunction {
  const cacheKey = `${operationId} ${status}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op.operationId !== operationId) continue;
      const response = op.responses[String(status)];
      if (!response) throw new Error(`openapi.yaml: ${operationId} declares no ${status} response`);
      let pointer = `openapi#/paths/${path.replace(/~/g, "~0").replace(/\//g, "~1")}/${method}/responses/${status}`;
      if (response.$ref) pointer = "openapi" + response.$ref;
      const validate = ajv.compile({ $ref: `${pointer}/content/application~1json/schema` });
      cache.set(cacheKey, validate);
      return validate;
    }
  }
  throw new Error(`openapi.yaml has no operation ${operationId}`);
}

/** Asserts that `body` is what the spec promises for (operationId, status). */
export function expectMatchesSpec(operationId: string, status: number, body: unknown): void {
  const validate = validatorFor(operationId, status);
  const ok = validate(body);
  expect(ok, `${operationId} ${status} body does not match openapi.yaml: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`).toBe(true);
}
