// Where the checkout is, for the files FakeToss reads beside its code (openapi.yaml) and the
// caches it keeps under node_modules/.cache/faketoss.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
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

/**
 * A fingerprint of the code that runs: what a stored rendition was rendered by, so that one
 * written by other code (an upgrade, an edit) is never answered. Taken at start-up, from what
 * was loaded: the bundle file under `npm start` (scripts/start.mjs), else every src/ file
 * (tsx, tests), so an edit made while the server runs is not mistaken for the running code.
 */
export const CODE_VERSION = fingerprint();

function fingerprint(): string {
  const here = fileURLToPath(import.meta.url);
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) hash.update(`${path.slice(ROOT.length)}\0`).update(readFileSync(path)).update("\0");
    }
  };
  try {
    if (here === join(ROOT, "src", "root.ts")) walk(join(ROOT, "src"));
    else hash.update(readFileSync(here)); // bundled: this file is all of FakeToss's code
    return hash.digest("hex").slice(0, 16);
  } catch {
    // Unreadable: a per-process value, so no stored rendition is ever trusted.
    return `unknown-${process.pid}-${Date.now()}`;
  }
}
