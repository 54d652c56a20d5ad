// Where the checkout is, for the files FakeToss reads beside its code (openapi.yaml) and the
// caches it keeps under node_modules/.cache/faketoss.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The nearest folder above this module with openapi.yaml. Found, not fixed relative, because
 * `npm start` runs the code bundled elsewhere under the root (scripts/start.mjs).
 */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const CACHE_DIR = join(ROOT, "node_modules", ".cache", "faketoss");

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "openapi.yaml")) && existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`openapi.yaml not found in any folder above ${from}`);
  }
}
