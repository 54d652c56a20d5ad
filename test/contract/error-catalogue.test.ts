// The spec's error examples, the Test-Code table and the server's answers come from one catalogue.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE, TEST_CODES } from "../../src/domain/errors.js";
import { spec } from "../helpers/spec.js";

describe("error catalogue", () => {
  const examples = Object.entries(spec.components.examples).filter(([name]) => name.startsWith("error-"));

  it("has every code that the spec's error examples show, with the same Korean message", () => {
    expect(examples.length).toBeGreaterThan(20);
    for (const [name, example] of examples) {
      const { code, message } = example.value as { code: string; message: string };
      expect(name).toBe(`error-${code}`);
      expect(ERROR_CATALOGUE[code], `${code} is not in src/domain/errors.ts`).toBeDefined();
      expect(message, `${name}: the spec's message differs from the catalogue's`).toBe(ERROR_CATALOGUE[code]!.ko);
    }
  });

  it("lists every Test-Code in the spec's TossPayments-Test-Code table, and the table is up to date", () => {
    const description = (spec.components as unknown as { parameters: Record<string, { description: string }> }).parameters.TestCode!.description;
    for (const code of TEST_CODES) expect(description).toContain(`| \`${code}\` | ${ERROR_CATALOGUE[code]!.status} |`);
    execFileSync(process.execPath, ["--import", "tsx", "scripts/spec-tables.ts", "--check"], { stdio: "pipe" });
  });

  it("gives every code an HTTP status Toss uses and messages in both languages", () => {
    for (const [code, e] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect([400, 401, 403, 404, 409, 410, 429, 500]).toContain(e.status);
      expect(e.ko.length, code).toBeGreaterThan(0);
      expect(e.en.length, code).toBeGreaterThan(0);
    }
  });
});
