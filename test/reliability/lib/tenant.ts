// Over HTTP only (so it works against an in-process server and a spawned one alike): a fresh
// tenant from createKeyPair, and a few real objects in it for the fuzz to aim at.
import http from "node:http";
import { basic } from "./fuzz.js";

export const DEFAULT_SECRET_KEY = "test_sk_yjroot_faketoss_default";

export interface Target {
  host: string;
  port: number;
}

let seq = 0;
export const freshId = (prefix: string): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++seq}`;

export function call(
  t: Target,
  method: string,
  path: string,
  secretKey: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const h: Record<string, string> = { ...headers };
    if (secretKey !== null) h.authorization = basic(secretKey);
    if (text !== undefined) {
      h["content-type"] = "application/json";
      h["content-length"] = String(Buffer.byteLength(text));
    }
    const req = http.request({ host: t.host, port: t.port, method, path, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const out = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(out);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, text: out, headers: res.headers });
      });
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer: ${method} ${path}`)));
    req.on("error", reject);
    req.end(text);
  });
}

export async function expectOk(p: ReturnType<typeof call>, what: string): Promise<any> {
  const r = await p;
  if (r.status !== 200) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

export async function newTenant(t: Target): Promise<{ secretKey: string; clientKey: string }> {
  const kp = await expectOk(call(t, "POST", "/sandbox/keys", DEFAULT_SECRET_KEY), "createKeyPair");
  return { secretKey: kp.secretKey, clientKey: kp.clientKey };
}

export const KEYIN_CARD = { cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" };

export async function keyIn(t: Target, secretKey: string, amount = 15000, orderId = freshId("ki")): Promise<any> {
  return expectOk(call(t, "POST", "/v1/payments/key-in", secretKey, { amount, orderId, orderName: "신뢰성 주문", ...KEYIN_CARD }), "keyInPayment");
}

export async function issueVa(t: Target, secretKey: string, amount = 25000): Promise<any> {
  return expectOk(
    call(t, "POST", "/v1/virtual-accounts", secretKey, { amount, orderId: freshId("va"), orderName: "가상계좌 주문", customerName: "홍길동" }),
    "issueVirtualAccount",
  );
}

/** Real ids in the tenant, by path-parameter name, for the fuzz to aim at. */
export async function seedPools(t: Target, secretKey: string): Promise<Record<string, string[]>> {
  const done = await keyIn(t, secretKey, 50_000);
  const va = await issueVa(t, secretKey);
  const ready = await expectOk(
    call(t, "POST", "/v1/payments", secretKey, {
      method: "CARD",
      amount: 15000,
      orderId: freshId("win"),
      orderName: "창 주문",
      successUrl: "http://127.0.0.1:9/success",
      failUrl: "http://127.0.0.1:9/fail",
    }),
    "createPayment",
  );
  const billing = await expectOk(
    call(t, "POST", "/v1/billing/authorizations/card", secretKey, { customerKey: "fuzz-customer-1", ...KEYIN_CARD }),
    "issueBillingKeyWithCard",
  );
  const pools: Record<string, string[]> = {
    paymentKey: [done.paymentKey, va.paymentKey, ready.paymentKey, "pay_123"],
    orderId: [done.orderId, va.orderId, ready.orderId, "order-001"],
    billingKey: [billing.billingKey, "bill_123"],
  };
  // Webhooks exist once the feature lands; loopback port 9 (discard: nothing listens).
  const hook = await call(t, "POST", "/sandbox/webhooks", secretKey, { url: "http://127.0.0.1:9/hook" });
  if (hook.status === 200 && hook.json?.id) pools.webhookId = [hook.json.id];
  const deliveries = await call(t, "GET", "/sandbox/webhooks/deliveries", secretKey);
  const list = Array.isArray(deliveries.json) ? deliveries.json : Array.isArray(deliveries.json?.deliveries) ? deliveries.json.deliveries : [];
  if (list.length) pools.deliveryId = list.slice(0, 3).map((d: { id: string }) => d.id);
  return pools;
}
