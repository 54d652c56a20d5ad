// Writes the error catalogue (src/domain/errors.ts) into openapi.yaml as the table of codes that
// TossPayments-Test-Code accepts, so the spec's table and the server's answers are one list.
// `--check` fails when the table in openapi.yaml is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_CATALOGUE, TEST_CODES } from "../src/domain/errors.js";

const SPEC = fileURLToPath(new URL("../openapi.yaml", import.meta.url));
const START = "<!-- error-catalogue:start -->";
const END = "<!-- error-catalogue:end -->";

const cell = (text: string): string => text.replace(/\|/g, "\\|");

export function renderTable(indent: string): string {
  const rows = TEST_CODES.map((code) => {
    const e = ERROR_CATALOGUE[code]!;
    return `${indent}| \`${code}\` | ${e.status} | ${cell(e.ko)} | ${cell(e.en)} |`;
  });
  return [`${indent}| code | HTTP | message (ko) | message (en) |`, `${indent}|---|---|---|---|`, ...rows].join("\n");
}

export function withTable(spec: string): string {
  const start = spec.indexOf(START);
  const end = spec.indexOf(END);
  if (start < 0 || end < start) throw new Error(`openapi.yaml: the ${START} … ${END} markers are missing`);
  const lineStart = spec.lastIndexOf("\n", start) + 1;
  const indent = spec.slice(lineStart, start);
  return spec.slice(0, start) + START + "\n" + renderTable(indent) + "\n" + indent + spec.slice(end);
}

const text = readFileSync(SPEC, "utf8");
const next = withTable(text);
if (process.argv.includes("--check")) {
  if (next !== text) {
    console.error("openapi.yaml: the TossPayments-Test-Code table is stale; run `npm run generate`.");
    process.exit(1);
  }
  console.log(`openapi.yaml: error catalogue table is up to date (${TEST_CODES.length} codes).`);
} else {
  if (next !== text) writeFileSync(SPEC, next);
  console.log(`openapi.yaml: error catalogue table written (${TEST_CODES.length} codes).`);
}
