// Stands in for @seriousme/openapi-schema-validator inside the `npm start` bundle
// (scripts/start.mjs points fastify-openapi-glue's import here). Glue validates the spec against
// the OpenAPI meta-schema on every start, and Ajv compiling that meta-schema is ~0.27 s, a third
// of start-up. A spec that passed the full validation once is remembered by its content hash:
// the same spec again gets only the $ref check; any other spec gets the full validation.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { checkRefs, replaceRefs } from "@seriousme/openapi-schema-validator/resolve.js";
import { CACHE_DIR } from "../root.js";

type SpecData = Record<string, unknown>;

const VALIDATOR_VERSION = (createRequire(import.meta.url)("@seriousme/openapi-schema-validator/package.json") as { version: string }).version;

/**
 * The marker file's name for a spec that passed the full validation: keyed by the validator's
 * version too, as a newer one may refuse what an older one let through.
 */
export const markerName = (spec: SpecData): string => createHash("sha256").update(`${VALIDATOR_VERSION}\0${JSON.stringify(spec)}`).digest("hex");
type Result = { valid: boolean; errors?: unknown };

export class Validator {
  specification: SpecData | undefined;
  version: string | undefined;

  /** Glue constructs it with no arguments; tests pass a folder of their own. */
  constructor(private readonly validated = join(CACHE_DIR, "validated-specs")) {}

  async validate(spec: SpecData): Promise<Result> {
    const marker = join(this.validated, markerName(spec));
    const version = typeof spec.openapi === "string" ? /^3\.[0-2]/.exec(spec.openapi)?.[0] : undefined;
    if (version && existsSync(marker)) {
      this.specification = spec;
      this.version = version;
      return checkRefs(spec);
    }
    // The real validator, loaded only now: it reads its meta-schemas beside its own files.
    const { Validator: Full } = await import("@seriousme/openapi-schema-validator");
    const full = new Full();
    const result = await full.validate(spec);
    this.specification = full.specification;
    this.version = full.version;
    if (result.valid) {
      try {
        mkdirSync(this.validated, { recursive: true });
        writeFileSync(marker, "");
      } catch {
        // A read-only install validates on every start.
      }
    }
    return result;
  }

  resolveRefs(): SpecData {
    return replaceRefs(this.specification) as SpecData;
  }
}
