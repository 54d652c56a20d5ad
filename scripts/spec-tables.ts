// Writes the tables that openapi.yaml shows from the lists the server uses, so the two can never
// disagree: the error catalogue (codes TossPayments-Test-Code accepts), the magic card numbers
// and the payment window's failure codes. Each table sits between `<!-- NAME:start -->` and
// `<!-- NAME:end -->` markers.
// `--check` fails when a table in openapi.yaml is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_CATALOGUE, TEST_CODES } from "../src/domain/errors.js";
import { renderMagicCardTable } from "../src/domain/magic.js";
import { WINDOW_FAILURE_CODES } from "../src/http/pages.js";

const SPEC = fileURLToPath(new URL("../openapi.yaml", import.meta.url));

const cell = (text: string): string => text.replace(/\|/g, "\\|");

function renderCatalogue(indent: string): string {
  const rows = TEST_CODES.map((code) => {
    const e = ERROR_CATALOGUE[code]!;
    return `${indent}| \`${code}\` | ${e.status} | ${cell(e.ko)} | ${cell(e.en)} |`;
  });
  return [`${indent}| code | HTTP | message (ko) | message (en) |`, `${indent}|---|---|---|---|`, ...rows].join("\n");
}

/** The failure codes the payment window offers to pick (its form takes any other code too). */
function renderWindowFailures(indent: string): string {
  const rows = WINDOW_FAILURE_CODES.map((code) => `${indent}| \`${code}\` | ${cell(ERROR_CATALOGUE[code]!.ko)} |`);
  return [`${indent}| code | failure.message |`, `${indent}|---|---|`, ...rows].join("\n");
}

const TABLES: Record<string, (indent: string) => string> = {
  "error-catalogue": renderCatalogue,
  "magic-cards": renderMagicCardTable,
  "window-failure-codes": renderWindowFailures,
};

/** Replaces every marked block; a table name with no markers at all is a broken spec. */
export function withTables(spec: string): string {
  let out = spec;
  for (const [name, render] of Object.entries(TABLES)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    let from = 0;
    let found = 0;
    for (;;) {
      const i = out.indexOf(start, from);
      if (i < 0) break;
      const j = out.indexOf(end, i);
      if (j < 0) throw new Error(`openapi.yaml: ${start} has no ${end}`);
      const indent = out.slice(out.lastIndexOf("\n", i) + 1, i);
      const block = start + "\n" + render(indent) + "\n" + indent;
      out = out.slice(0, i) + block + out.slice(j);
      from = i + block.length + end.length;
      found++;
    }
    if (found === 0) throw new Error(`openapi.yaml: no ${start} … ${end} markers`);
  }
  return out;
}

const text = readFileSync(SPEC, "utf8");
const next = withTables(text);
if (process.argv.includes("--check")) {
  if (next !== text) {
    console.error("openapi.yaml: a generated table (error catalogue, magic cards) is stale; run `npm run generate`.");
    process.exit(1);
  }
  console.log("openapi.yaml: generated tables are up to date.");
} else {
  if (next !== text) writeFileSync(SPEC, next);
  console.log(`openapi.yaml: tables written (${TEST_CODES.length} error codes).`);
}
