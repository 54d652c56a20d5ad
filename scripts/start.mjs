// `npm start`: runs src/main.ts as JavaScript, bundled by esbuild with its dependencies into one
// file under node_modules/.cache/faketoss/server/<fingerprint>/ (types stripped; better-sqlite3,
// swagger-ui-dist and the spec validator's meta-schemas stay on disk, where they read their own
// files). The fingerprint covers every source file's path, size and mtime and the installed
// dependencies: an edited src/ or a new `npm ci` is rebuilt on the next start (~0.3 s), an
// unchanged one starts straight from the cache. One file instead of ~600 modules, and no meta-
// schema compiled for a spec already validated (src/http/spec-validator.ts), start FakeToss in
// about half the time, which matters to CI fleets that start it per job.
// Type checking stays with `npm run typecheck`; `npm run dev` runs src/ through tsx, watching.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
// FAKETOSS_BUILD_DIR: another folder for the builds, inside the checkout (where node_modules
// resolves); tests of cold starts use a fresh one.
const CACHE = process.env.FAKETOSS_BUILD_DIR ?? join(ROOT, "node_modules", ".cache", "faketoss", "server");

function sources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out.sort();
}

const VALIDATOR = "@seriousme/openapi-schema-validator";
/** fastify-openapi-glue's spec validator → src/http/spec-validator.ts, which loads the real one only for a new spec. */
const validatorOnce = {
  name: "validate-spec-once",
  setup(b) {
    b.onResolve({ filter: /^@seriousme\/openapi-schema-validator$/ }, (args) =>
      args.importer.endsWith(join("src", "http", "spec-validator.ts")) ? { path: VALIDATOR, external: true } : { path: join(SRC, "http", "spec-validator.ts") },
    );
  },
};

async function compiled() {
  const files = sources(SRC);
  const hash = createHash("sha256");
  // node_modules/.package-lock.json is rewritten by every npm ci / npm install.
  for (const f of [...files, join(ROOT, "node_modules", ".package-lock.json"), fileURLToPath(import.meta.url)]) {
    if (!existsSync(f)) continue;
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
    entryPoints: [join(SRC, "main.ts")],
    outfile: join(tmp, "main.js"),
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Native code, and packages that read files beside their own code, load from node_modules.
    external: ["better-sqlite3", "swagger-ui-dist"],
    plugins: [validatorOnce],
    // Bundled CommonJS packages require Node's built-ins; an ES module has no `require` of its own.
    banner: { js: 'import { createRequire as __faketossRequire } from "node:module"; const require = __faketossRequire(import.meta.url);' },
    // No source map: Node parsing a map of the whole bundle was ~15% of start-up. Stack traces
    // keep function names; `npm run dev` runs the TypeScript itself.
    logLevel: "error",
  });
  mkdirSync(CACHE, { recursive: true });
  try {
    renameSync(tmp, out);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another start got there first
  }
  // Older builds go, but never this one, nor one young enough that a start racing this one may
  // be loading it (several CI jobs starting at once on a cold cache).
  for (const old of readdirSync(CACHE)) {
    const path = join(CACHE, old);
    try {
      if (path !== out && Date.now() - statSync(path).mtimeMs > 60_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // another start removed it first
    }
  }
  return out;
}

const dir = await compiled();
// npm runs this through `sh -c`, and sh does not pass a SIGTERM on: when npm is stopped, sh goes
// and this process is left running. Its parent changing means whoever started it is gone.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGTERM");
}, 250).unref();
await import(pathToFileURL(join(dir, "main.js")).href);
