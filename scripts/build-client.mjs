// Builds the publishable client into dist-client/ (run by `npm run build:client` and `prepack`):
//   dist-client/client.js + client.d.ts   compiled from generated/client.ts by tsc
//   dist-client/schema.d.ts               copied from generated/schema.d.ts (client.d.ts imports it)
// package.json "exports" ./client and ./schema point here. dist-client/ is git-ignored.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist-client");
const schema = join(root, "generated", "schema.d.ts");

if (!existsSync(schema)) {
  console.error("generated/schema.d.ts is missing: run `npm run generate` first.");
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.client.json")], {
  cwd: root,
  stdio: "inherit",
});
if (result.status !== 0) process.exit(result.status ?? 1);
copyFileSync(schema, join(out, "schema.d.ts"));
console.log("dist-client/: client.js, client.d.ts, schema.d.ts");
