// Contract check: Prism's validating proxy in front of the real server. Every request and answer
// of the main flows must satisfy openapi.yaml: Prism reports any mismatch in `sl-violations`.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeTossClient, type FakeTossClient } from "../../generated/client.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const prismBin = fileURLToPath(new URL("../../node_modules/@stoplight/prism-cli/dist/index.js", import.meta.url));

let server: TestServer;
let prism: ChildProcess | undefined;
let output = "";
let proxyUrl = "";
const violations: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/** A client whose every answer is checked for Prism's violation header. */
function client(): FakeTossClient {
  const c = createFakeTossClient({ baseUrl: proxyUrl });
  c.use({
    onResponse({ request, response }) {
      const v = response.headers.get("sl-violations");
      if (v) violations.push(`${request.method} ${new URL(request.url).pathname} → ${response.status}: ${v}`);
      return response;
    },
  });
  return c;
}

beforeAll(async () => {
  server = await startTestServer();
  const port = await freePort();
  proxyUrl = `http://127.0.0.1:${port}`;
  prism = spawn(process.execPath, [prismBin, "proxy", "openapi.yaml", server.url, "--host", "127.0.0.1", "--port", String(port), "--errors", "false"], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  prism.stdout?.on("data", (d) => (output += d));
  prism.stderr?.on("data", (d) => (output += d));
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (prism.exitCode !== null) throw new Error(`prism exited:\n${output}`);
    try {
      await fetch(`${proxyUrl}/openapi.json`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`prism proxy did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}, 60_000);

afterAll(async () => {
  if (prism?.pid && prism.exitCode === null) {
    try {
      process.kill(-prism.pid, "SIGTERM");
    } catch {
      prism.kill("SIGTERM");
    }
  }
  await server?.close();
});

const CUSTOMER = "550e8400-e29b-41d4-a716-446655440000";
const card = { cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" };

describe("Prism validation proxy in front of FakeToss", () => {
  it("sees no contract violation across the card, virtual-account, billing, window and error flows", async () => {
    const c = client();
    const ok = <T extends { error?: unknown; response: Response }>(r: T, status = 200): T => {
      expect(r.response.status, JSON.stringify(r.error)).toBe(status);
      return r;
    };

    ok(await c.POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 }, params: { header: { "Idempotency-Key": "proxy-confirm" } } }));
    ok(await c.POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 } }), 400);
    ok(await c.GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } }));
    ok(await c.GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: "order-001" } } }));
    ok(await c.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: "pay_123" } }, body: { cancelReason: "부분", cancelAmount: 5000 } }));
    ok(await c.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: "pay_123" } }, body: { cancelReason: "초과", cancelAmount: 50000 } }), 403);
    ok(await c.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: "pay_123" } }, body: { cancelReason: "나머지" } }));
    ok(await c.GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_nope" } } }), 404);

    const va = ok(await c.POST("/v1/virtual-accounts", { body: { orderId: "proxy-va-001", orderName: "가상계좌", amount: 25000, customerName: "홍길동" } }));
    ok(await c.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va.data!.paymentKey } }, body: { amount: 1 } }), 400);
    ok(await c.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: va.data!.paymentKey } }, body: { amount: 25000 } }));
    ok(await c.POST("/v1/payments/{paymentKey}/cancel", {
      params: { path: { paymentKey: va.data!.paymentKey } },
      body: { cancelReason: "환불", refundReceiveAccount: { bank: "88", accountNumber: "110123456789", holderName: "홍길동" } },
    }));

    ok(await c.POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_123", customerKey: CUSTOMER } }));
    ok(await c.POST("/v1/billing/{billingKey}", { params: { path: { billingKey: "bill_123" } }, body: { customerKey: CUSTOMER, orderId: "proxy-bill-001", orderName: "구독", amount: 9900 } }));
    ok(await c.POST("/v1/billing/{billingKey}", { params: { path: { billingKey: "bill_nope" } }, body: { customerKey: CUSTOMER, orderId: "proxy-bill-002", orderName: "구독", amount: 9900 } }), 404);
    const byCard = ok(await c.POST("/v1/billing/authorizations/card", { body: { customerKey: CUSTOMER, ...card } }));
    ok(await c.POST("/sandbox/billing/{billingKey}/failures", { params: { path: { billingKey: byCard.data!.billingKey } }, body: { count: 1 } }));
    ok(await c.DELETE("/v1/billing/{billingKey}", { params: { path: { billingKey: byCard.data!.billingKey } } }));

    ok(await c.POST("/v1/payments/key-in", { body: { amount: 15000, orderId: "proxy-keyin-001", orderName: "키인", ...card } }));
    const created = ok(await c.POST("/v1/payments", {
      body: { method: "CARD", amount: 39000, orderId: "proxy-window-001", orderName: "후드티", successUrl: "https://shop.example/success", failUrl: "https://shop.example/fail" },
    }));
    const auth = ok(await c.POST("/sandbox/payments/{paymentKey}/authenticate", { params: { path: { paymentKey: created.data!.paymentKey } } }));
    expect(auth.data!.redirectUrl).toContain("paymentType=NORMAL");
    ok(await c.POST("/v1/payments/confirm", { body: { paymentKey: created.data!.paymentKey, orderId: "proxy-window-001", amount: 39000 } }));

    ok(await c.GET("/sandbox/clock"));
    ok(await c.POST("/sandbox/clock/advance", { body: { minutes: 1 } }));
    ok(await c.GET("/sandbox/settings"));
    ok(await c.POST("/sandbox/webhooks", { body: { url: "http://127.0.0.1:9/hook" } }));
    ok(await c.GET("/sandbox/webhooks/deliveries"));

    expect(violations, violations.join("\n")).toEqual([]);
  });
});
