// The `npm start` bundle's stand-in for glue's spec validator: the full OpenAPI meta-schema check
// runs once per spec content, and nothing it would refuse gets through on a later start.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { Validator as FullValidator } from "@seriousme/openapi-schema-validator";
import { SPEC_PATH } from "../../src/http/app.js";
import { markerName, Validator } from "../../src/http/spec-validator.js";

const spec = () => parseYaml(readFileSync(SPEC_PATH, "utf8")) as Record<string, unknown>;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "faketoss-validated-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("spec validator of npm start", () => {
  it("validates openapi.yaml fully on the first start, remembers it, and on the next start answers as the full validator did", async () => {
    const first = new Validator(dir);
    expect(await first.validate(spec())).toEqual({ valid: true });
    expect(readdirSync(dir)).toHaveLength(1);

    const again = new Validator(dir);
    expect(await again.validate(spec())).toEqual({ valid: true });
    const full = new FullValidator();
    await full.validate(spec());
    expect(again.version).toBe(full.version);
    expect(again.resolveRefs()).toEqual(full.resolveRefs());
  });

  it("refuses a spec the meta-schema refuses, every time, and remembers nothing of it", async () => {
    const broken = { ...spec(), info: { title: 42 } };
    for (let i = 0; i < 2; i++) {
      const result = await new Validator(dir).validate(structuredClone(broken));
      expect(result.valid).toBe(false);
      expect(JSON.stringify(result.errors)).toContain("/info");
    }
    expect(readdirSync(dir)).toHaveLength(0);
  });

  it("validates an edited spec again instead of trusting the marker of the old one", async () => {
    await new Validator(dir).validate(spec());
    const edited = spec();
    (edited.info as Record<string, unknown>).version = 7; // a number: the meta-schema wants a string
    expect((await new Validator(dir).validate(edited)).valid).toBe(false);
  });

  it("checks the $refs of a remembered spec on every start", async () => {
    // The marker skips only the meta-schema; here one stands for a dangling $ref the meta-schema cannot see.
    const dangling = spec();
    (dangling.components as { schemas: Record<string, unknown> }).schemas.Dangling = { $ref: "#/components/schemas/Nowhere" };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, markerName(dangling)), "");
    const result = await new Validator(dir).validate(dangling);
    expect(result.valid).toBe(false);
    expect(String(result.errors)).toContain("Nowhere");
  });
});
