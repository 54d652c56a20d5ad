// scripts/start.mjs, as CI fleets use it: several `npm start`s at once on a cold build cache
// all come up, and a rebuild never deletes a build that a racing start may be loading. (The race
// itself depends on timing; the second test pins the cleanup rule that prevents it.)
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
// Under the checkout, as the default one is: the bundle resolves better-sqlite3 from node_modules.
mkdirSync(join(REPO, "node_modules", ".cache", "faketoss"), { recursive: true });
const buildDir = mkdtempSync(join(REPO, "node_modules", ".cache", "faketoss", "cold-builds-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(buildDir, { recursive: true, force: true });
});

/** Starts scripts/start.mjs on a free port, building into `dir`; resolves with its base URL once it prints the banner. */
function start(dir = buildDir): Promise<string> {
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: REPO,
    env: { ...process.env, PORT: "0", FAKETOSS_DB: ":memory:", FAKETOSS_LOG: "silent", FAKETOSS_BUILD_DIR: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.once("exit", (code) => reject(new Error(`start.mjs exited with ${code}\n${out}\n${err}`)));
  });
}

describe("scripts/start.mjs", () => {
  it("starts six servers at once on an empty build cache, every one answering, with one build left", async () => {
    const urls = await Promise.all(Array.from({ length: 6 }, () => start()));
    for (const url of urls) expect((await fetch(`${url}/api-docs`)).status).toBe(200);
    expect(readdirSync(buildDir).filter((d) => !d.includes(".tmp-"))).toHaveLength(1);
  }, 90_000);

  it("on a rebuild, removes builds over a minute old but keeps a younger one that a racing start may be loading", async () => {
    const dir = mkdtempSync(join(REPO, "node_modules", ".cache", "faketoss", "cold-builds-"));
    try {
      for (const name of ["stale", "young"]) mkdirSync(join(dir, name));
      const old = new Date(Date.now() - 120_000);
      utimesSync(join(dir, "stale"), old, old);
      await start(dir);
      const left = readdirSync(dir).sort();
      expect(left).toContain("young");
      expect(left).not.toContain("stale");
      expect(left.filter((d) => d !== "young")).toHaveLength(1); // the new build
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
