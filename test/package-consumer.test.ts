// The published package works for a consumer: `npm pack` (which runs `prepack` to build
// dist-client/) yields a tarball whose `faketoss/client` export type-checks a correct call to
// POST /v1/payments/confirm under NodeNext + strict, rejects a wrong body, and runs.
//
// Offline install: the tarball is unpacked by hand into <consumer>/node_modules/faketoss (npm
// tarballs hold one top folder, `package/`), and the client's only runtime dependency,
// openapi-fetch (plus openapi-typescript-helpers, its types), is symlinked from this repo's
// node_modules. No registry, no npm cache, and none of the server's dependencies are needed.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

let work = "";
let consumer = "";

async function tscProject(project: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [tsc, "-p", project, "--pretty", "false"], {
      cwd: consumer,
    });
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

const GOOD = `import { createFakeTossClient, withIdempotencyKey, type Payment, type TossError } from "faketoss/client";
import type { components } from "faketoss/schema";

const client = createFakeTossClient({ baseUrl: "http://127.0.0.1:4000" });

export async function confirm(): Promise<Payment | TossError> {
  const { data, error } = await client.POST("/v1/payments/confirm", {
    body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 },
    params: { header: { "Idempotency-Key": "confirm-order-001" } },
  });
  if (error) return error;
  const total: number = data.totalAmount;
  void total;
  return data;
}

export async function confirmWithHelper() {
  return client.POST("/v1/payments/confirm", {
    body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 },
    ...withIdempotencyKey("confirm-order-001"),
  });
}

// the ./schema export and the client's types are the same declarations
export const samePayment = (p: components["schemas"]["Payment"]): Payment => p;
`;

// Each wrong call sits on a line of its own, so the test can check that tsc reports both.
const BAD_LINES = {
  amountAsString: 'export const a = client.POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: "15000" } });',
  missingOrderId: 'export const b = client.POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", amount: 15000 } });',
};
const BAD = [
  'import { createFakeTossClient } from "faketoss/client";',
  "const client = createFakeTossClient();",
  BAD_LINES.amountAsString,
  BAD_LINES.missingOrderId,
  "",
].join("\n");

const RUN = `import { createFakeTossClient } from "faketoss/client";
const seen = [];
const client = createFakeTossClient({
  baseUrl: "http://faketoss.invalid",
  secretKey: "test_sk_consumer",
  acceptLanguage: "en-US",
  fetch: async (request) => {
    seen.push({ url: request.url, method: request.method, authorization: request.headers.get("authorization"),
      acceptLanguage: request.headers.get("accept-language"), body: await request.json() });
    return new Response(JSON.stringify({ code: "NOT_FOUND_PAYMENT_SESSION", message: "m" }), {
      status: 404, headers: { "content-type": "application/json" } });
  },
});
const { error, response } = await client.POST("/v1/payments/confirm", {
  body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 },
});
console.log(JSON.stringify({ seen, error, status: response.status }));
`;

describe("the packed package, installed offline in a NodeNext consumer", () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "faketoss-consumer-"));
    const packDir = join(work, "pack");
    mkdirSync(packDir);
    // runs `prepack` → scripts/build-client.mjs → dist-client/
    await run("npm", ["pack", "--pack-destination", packDir, "--silent"], {
      cwd: root,
      env: { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false" },
    });
    const tarballs = readdirSync(packDir).filter((f) => f.endsWith(".tgz"));
    expect(tarballs).toHaveLength(1);

    consumer = join(work, "consumer");
    const installed = join(consumer, "node_modules", "faketoss");
    mkdirSync(installed, { recursive: true });
    await run("tar", ["-xzf", join(packDir, tarballs[0]!), "-C", installed, "--strip-components=1"]);
    for (const dep of ["openapi-fetch", "openapi-typescript-helpers"]) {
      symlinkSync(join(root, "node_modules", dep), join(consumer, "node_modules", dep), "dir");
    }

    writeFileSync(
      join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2),
    );
    const compilerOptions = {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022", "DOM"],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: false, // check the published .d.ts files too
    };
    writeFileSync(join(consumer, "tsconfig.good.json"), JSON.stringify({ compilerOptions, files: ["good.ts"] }));
    writeFileSync(join(consumer, "tsconfig.bad.json"), JSON.stringify({ compilerOptions, files: ["bad.ts"] }));
    writeFileSync(join(consumer, "good.ts"), GOOD);
    writeFileSync(join(consumer, "bad.ts"), BAD);
    writeFileSync(join(consumer, "run.mjs"), RUN);
  }, 60_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("a correct POST /v1/payments/confirm call type-checks against faketoss/client", async () => {
    const { code, output } = await tscProject("tsconfig.good.json");
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  it("a confirm body with amount as a string, or without orderId, fails type-checking", async () => {
    const { code, output } = await tscProject("tsconfig.bad.json");
    expect(code).not.toBe(0);
    const errorLines = new Set(
      [...output.matchAll(/^bad\.ts\((\d+),\d+\): error TS\d+/gm)].map((m) => Number(m[1])),
    );
    const lines = BAD.split("\n");
    expect(errorLines).toEqual(
      new Set([
        lines.indexOf(BAD_LINES.amountAsString) + 1,
        lines.indexOf(BAD_LINES.missingOrderId) + 1,
      ]),
    );
    expect(output).toMatch(/Type 'string' is not assignable to type 'number'/);
    expect(output).toMatch(/Property 'orderId' is missing/);
  }, 60_000);

  it("the built client runs from the tarball and sends Basic auth and the options' headers", async () => {
    const { stdout } = await run(process.execPath, ["run.mjs"], { cwd: consumer });
    const result = JSON.parse(stdout) as {
      seen: { url: string; method: string; authorization: string; acceptLanguage: string; body: unknown }[];
      error: unknown;
      status: number;
    };
    expect(result.seen).toEqual([
      {
        url: "http://faketoss.invalid/v1/payments/confirm",
        method: "POST",
        authorization: `Basic ${Buffer.from("test_sk_consumer:").toString("base64")}`,
        acceptLanguage: "en-US",
        body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 },
      },
    ]);
    expect(result.status).toBe(404);
    expect(result.error).toEqual({ code: "NOT_FOUND_PAYMENT_SESSION", message: "m" });
  }, 60_000);
});
