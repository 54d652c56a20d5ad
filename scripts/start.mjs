// `npm start`: runs src/main.ts as JavaScript. esbuild transpiles src/ (types stripped, one file
// per module, nothing bundled) into node_modules/.cache/faketoss/server/<fingerprint>/, where the
// fingerprint covers every source file's path, size and mtime: an edited src/ is rebuilt on the
// next start (~0.1 s), an unchanged one starts straight from the cache. This halves start-up
// against running through tsx's loader, which matters to CI fleets that start FakeToss per job.
// Type checking stays with `npm run typecheck`; `npm run dev` runs src/ through tsx, watching.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
const CACHE = join(ROOT, "node_modules", ".cache", "faketoss", "server");

function sources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out.sort();
}

async function compiled() {
  const files = sources(SRC);
  const hash = createHash("sha256");
  for (const f of files) {
    const st = statSync(f);
    hash.update(`${relative(SRC, f)}\0${st.size}\0${st.mtimeMs}\n`);
  }
  const out = join(CACHE, hash.digest("hex").slice(0, 16));
  if (existsSync(join(out, "main.js"))) return out;

  // Built beside, then renamed into place: starts racing in one checkout never see half a build.
  const { build } = await import("esbuild");
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await build({
    entryPoints: files,
    outdir: tmp,
    outbase: SRC,
    format: "esm",
    platform: "node",
    target: "node20",
    bundle: false,
    sourcemap: "inline",
    logLevel: "error",
  });
  for (const old of existsSync(CACHE) ? readdirSync(CACHE) : []) {
    if (!old.includes(".tmp-")) rmSync(join(CACHE, old), { recursive: true, force: true });
  }
  mkdirSync(CACHE, { recursive: true });
  try {
    renameSync(tmp, out);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another start got there first
  }
  return out;
}

const dir = await compiled();
// Source maps point stack traces at src/*.ts.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(dir, "main.js")).href);
