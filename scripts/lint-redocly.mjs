// `npm run lint:redocly`: Redocly's lint of openapi.yaml, failing on warnings as well as errors
// (`redocly lint` itself exits 0 on warnings). Usage: node scripts/lint-redocly.mjs [spec].
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const spec = process.argv[2] ?? "openapi.yaml";
const run = spawnSync(
  process.execPath,
  [join(root, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint", spec, "--config", join(root, "redocly.yaml"), "--format=json", "--max-problems=500"],
  { cwd: root, encoding: "utf8", env: { ...process.env, REDOCLY_TELEMETRY: "off" } },
);
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  process.stderr.write(run.stdout + run.stderr);
  console.error("redocly lint printed no JSON report");
  process.exit(2);
}
for (const p of report.problems) {
  const where = p.location?.[0]?.pointer ?? "";
  console.log(`${p.severity.padEnd(5)} ${p.ruleId}  ${where}\n      ${p.message}`);
}
const { errors, warnings, ignored } = report.totals;
console.log(`redocly: ${errors} error(s), ${warnings} warning(s), ${ignored} ignored (.redocly.lint-ignore.yaml)`);
process.exit(errors + warnings > 0 ? 1 : 0);
