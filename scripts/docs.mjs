// `npm run docs`: build the static API docs from openapi.yaml, with no network access.
//   dist/openapi.json  the spec bundled into one JSON file (`redocly bundle --ext json`; $refs kept)
//   dist/index.html    Redoc's static page with its scripts inlined (`redocly build-docs --inlineBundle`)
// Both use the repo's redocly.yaml, and run with REDOCLY_TELEMETRY=off. dist/ is git-ignored.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const redocly = join(dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")), "bin", "cli.js");
const env = { ...process.env, REDOCLY_TELEMETRY: "off" };

function redoclyCommand(args) {
  const result = spawnSync(process.execPath, [redocly, ...args, "--config", "redocly.yaml"], {
    cwd: root,
    env,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error(`redocly ${args[0]} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

mkdirSync(join(root, "dist"), { recursive: true });
redoclyCommand(["bundle", "openapi.yaml", "--output", "dist/openapi.json", "--ext", "json"]);
redoclyCommand(["build-docs", "openapi.yaml", "--output", "dist/index.html", "--inlineBundle"]);
console.log("docs: dist/openapi.json, dist/index.html");
