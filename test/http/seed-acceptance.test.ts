// The real `npm start` (scripts/start.mjs: src/ transpiled by esbuild, configured by the
// environment) passes the shared seed acceptance script, which sends every request of the seed
// document verbatim.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SEED = fileURLToPath(new URL("../../../shared/acceptance/seed.mjs", import.meta.url));
const DEFAULT_SECRET_KEY = "test_sk_yjroot_faketoss_default";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Collects a child's stdout and stderr as text. */
function capture(child: ChildProcess): { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (err += c));
  return { out: () => out, err: () => err };
}

let server: ChildProcess | undefined;
let logs: { out: () => string; err: () => string };
let baseUrl: string;

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn("npm", ["start", "--silent"], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), FAKETOSS_DB: ":memory:", FAKETOSS_LOG: "silent" },
    detached: true, // its own process group, so afterAll can stop npm and the node it runs
    stdio: ["ignore", "pipe", "pipe"],
  });
  logs = capture(server);
  let exited: number | null = null;
  server.once("exit", (code) => (exited = code ?? -1));

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited !== null) throw new Error(`npm start exited with ${exited}\n${logs.out()}\n${logs.err()}`);
    try {
      const res = await fetch(`${baseUrl}/api-docs`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`npm start did not answer /api-docs within 20 s\n${logs.out()}\n${logs.err()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 30_000);

afterAll(async () => {
  if (!server?.pid) return;
  if (server.exitCode !== null || server.signalCode !== null) {
    // npm is gone; whatever it left in its group (nothing, if SIGTERM reached the server) too.
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {
      // the group is empty
    }
    return;
  }
  const gone = new Promise((r) => server!.once("exit", r));
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-server!.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 3000);
  await gone;
  clearTimeout(timer);
});

describe("npm start", () => {
  it("prints a banner with the base URL, /api-docs and the default secret key", () => {
    const banner = logs.out();
    expect(banner).toContain(baseUrl);
    expect(banner).toContain(`${baseUrl}/api-docs`);
    expect(banner).toContain(DEFAULT_SECRET_KEY);
    expect(banner).toContain("in memory");
    expect(logs.err()).not.toMatch(/error|could not start/i);
  });

  it("passes the seed acceptance script: exit 0 and a last line 'seed: N passed, 0 failed'", async () => {
    expect(existsSync(SEED), SEED).toBe(true);
    const child = spawn(process.execPath, [SEED], {
      cwd: REPO,
      env: { ...process.env, BASE_URL: baseUrl },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = capture(child);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const lines = out.out().trim().split("\n");
    const last = lines[lines.length - 1] ?? "";
    expect(code, `${out.out()}\n${out.err()}`).toBe(0);
    expect(last, out.out()).toMatch(/^seed: \d+ passed, 0 failed$/);
    expect(Number(/seed: (\d+) passed/.exec(last)![1])).toBeGreaterThan(0);
  }, 20_000);

  it("stops the server on a SIGTERM to npm's own process, as a CI job's kill sends it: the port is free afterwards", async () => {
    const exited = new Promise((r) => server!.once("exit", r));
    process.kill(server!.pid!, "SIGTERM");
    await exited;
    const deadline = Date.now() + 5_000;
    let answering = true;
    while (answering && Date.now() < deadline) {
      answering = await fetch(`${baseUrl}/api-docs`).then(() => true, () => false);
      if (answering) await new Promise((r) => setTimeout(r, 100));
    }
    expect(answering, "the server outlived npm start").toBe(false);
  }, 10_000);
});
