// Every failure is a Toss error: `{code, message}` and nothing else, application/json, the status
// Toss uses, Korean by default and English with Accept-Language: en-US. Framework errors (bad
// JSON, wrong content type, oversized body, bad URL) never leak Fastify's own shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newOrderId } from "../helpers/payments.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { raw, startTestServer, type TestServer } from "../helpers/server.js";
import { sendRaw } from "../reliability/lib/send.js";
import { expectTossError } from "../helpers/wire.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const JSON_TYPE = { "content-type": "application/json" };
const EN = { "accept-language": "en-US" };

/** A raw request; `json` bodies are serialised, `text` bodies are sent as they are. */
const send = (method: string, path: string, opts: { json?: unknown; text?: string; headers?: Record<string, string>; auth?: string | null } = {}) =>
  raw(server.url + path, {
    method,
    auth: opts.auth,
    headers: { ...(opts.json !== undefined ? JSON_TYPE : {}), ...opts.headers },
    body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.text,
  });

const vaBody = (extra: Record<string, unknown> = {}) => ({
  orderId: newOrderId("err"),
  orderName: "오류 주문",
  amount: 25000,
  customerName: "홍길동",
  ...extra,
});
const confirmBody = { paymentKey: "pay_123", orderId: "order-001", amount: 15000 };

describe("malformed requests", () => {
  it("answers malformed JSON with 400 INVALID_REQUEST", async () => {
    const res = await send("POST", "/v1/payments/confirm", { text: '{"paymentKey": "pay_123",', headers: JSON_TYPE });
    const body = expectTossError(res, 400, "INVALID_REQUEST");
    expectMatchesSpec("confirmPayment", 400, body);
  });

  it("answers Content-Type text/plain and application/x-www-form-urlencoded with 400 INVALID_REQUEST", async () => {
    const plain = await send("POST", "/v1/payments/confirm", { text: JSON.stringify(confirmBody), headers: { "content-type": "text/plain" } });
    expectTossError(plain, 400, "INVALID_REQUEST");
    const form = await send("POST", "/v1/payments/confirm", {
      text: "paymentKey=pay_123&orderId=order-001&amount=15000",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectTossError(form, 400, "INVALID_REQUEST");
    // Nothing ran: the seed payment still waits for its confirm.
    const got = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } });
    expect(got.data?.status).toBe("IN_PROGRESS");
  });

  it("refuses a urlencoded form on a JSON-only operation, so its fields never skip the schema's types", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const clock = await send("POST", "/sandbox/clock/advance", { text: "minutes=3e9", headers: form });
    expect(expectTossError(clock, 400, "INVALID_REQUEST").message).toBe("Content-Type은 application/json이어야 합니다.");
    const orderId = newOrderId("form");
    const va = await send("POST", "/v1/virtual-accounts", { json: vaBody({ orderId }) });
    expect(va.status, va.text).toBe(200);
    const cancel = await send("POST", `/v1/payments/${va.json.paymentKey}/cancel`, { text: "cancelReason=form", headers: form });
    expectTossError(cancel, 400, "INVALID_REQUEST");
    const after = await send("GET", `/v1/payments/${va.json.paymentKey}`);
    expect(after.json.status).toBe("WAITING_FOR_DEPOSIT");
    const now = await send("GET", "/sandbox/clock");
    expect(now.json.offsetSeconds).toBe(0);
  });

  it("answers an HTTP/1.1 request without a Host header, or with a malformed one, with a Toss error", async () => {
    const { hostname, port } = new URL(server.url);
    for (const host of [undefined, "a b", "x/y"]) {
      const answer = await sendRaw(
        { host: hostname, port: Number(port), setHost: false },
        { method: "GET", path: "/v1/payments/pay_123", headers: host === undefined ? {} : { host } },
      );
      expect(answer.status, String(host)).toBe(400);
      expect(answer.contentType).toMatch(/^application\/json\b/);
      expect(JSON.parse(answer.text)).toEqual({ code: "INVALID_REQUEST", message: "Host 헤더가 없거나 올바르지 않습니다." });
    }
  });

  it("words every validation failure in Korean, with no validator English inside", async () => {
    for (const [method, path] of [["PATCH", "/sandbox/settings"], ["POST", "/sandbox/clock/advance"]] as const) {
      const res = await send(method, path, { json: {} });
      expect(expectTossError(res, 400, "INVALID_REQUEST").message).toBe("잘못된 요청입니다. (body: 항목이 1개 이상 있어야 합니다)");
    }
  });

  it("answers a POST without a body (with or without a JSON content type) with 400 INVALID_REQUEST", async () => {
    expectTossError(await send("POST", "/v1/payments/confirm"), 400, "INVALID_REQUEST");
    expectTossError(await send("POST", "/v1/payments/confirm", { headers: JSON_TYPE }), 400, "INVALID_REQUEST");
    expectTossError(await send("POST", "/v1/payments/pay_123/cancel"), 400, "INVALID_REQUEST");
  });

  it("answers a JSON body that is not an object (array, null, string, number) with 400 INVALID_REQUEST", async () => {
    for (const text of ["[]", "null", '"pay_123"', "42", "[{}]"]) {
      const res = await send("POST", "/v1/virtual-accounts", { text, headers: JSON_TYPE });
      expectTossError(res, 400, "INVALID_REQUEST");
    }
  });

  it("answers a body over the 64 KiB limit with 400 INVALID_REQUEST", async () => {
    const res = await send("POST", "/v1/virtual-accounts", { json: vaBody({ pad: "x".repeat(70 * 1024) }) });
    const body = expectTossError(res, 400, "INVALID_REQUEST");
    expectMatchesSpec("issueVirtualAccount", 400, body);
    // Just under the limit is read (and then judged on its fields).
    const under = await send("POST", "/v1/virtual-accounts", { json: vaBody({ accountKey: "x".repeat(60 * 1024) }) });
    expect(under.status).toBe(400);
    expect(under.json?.message).toContain("accountKey");
  });
});

describe("field validation", () => {
  it("does not coerce a string amount: \"15000\" is 400 INVALID_REQUEST naming amount", async () => {
    const res = await send("POST", "/v1/payments/confirm", { json: { ...confirmBody, amount: "15000" } });
    const body = expectTossError(res, 400, "INVALID_REQUEST");
    expect(body.message).toContain("amount");
    const got = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } });
    expect(got.data?.status).toBe("IN_PROGRESS");
  });

  it("refuses orderId \"bad id!\" with 400 INVALID_ORDER_ID on confirm and on a virtual-account issue", async () => {
    const confirm = await send("POST", "/v1/payments/confirm", { json: { ...confirmBody, orderId: "bad id!" } });
    expectMatchesSpec("confirmPayment", 400, expectTossError(confirm, 400, "INVALID_ORDER_ID"));
    const va = await send("POST", "/v1/virtual-accounts", { json: vaBody({ orderId: "bad id!" }) });
    expectMatchesSpec("issueVirtualAccount", 400, expectTossError(va, 400, "INVALID_ORDER_ID"));
    const short = await send("POST", "/v1/virtual-accounts", { json: vaBody({ orderId: "abc" }) });
    expectTossError(short, 400, "INVALID_ORDER_ID");
  });

  it("refuses an orderName over 100 characters with 400 INVALID_ORDER_NAME", async () => {
    const res = await send("POST", "/v1/virtual-accounts", { json: vaBody({ orderName: "가".repeat(101) }) });
    expectTossError(res, 400, "INVALID_ORDER_NAME");
    const ok = await send("POST", "/v1/virtual-accounts", { json: vaBody({ orderName: "가".repeat(100) }) });
    expect(ok.status, ok.text).toBe(200);
  });

  it("refuses a malformed customerKey with 400 INVALID_CUSTOMER_KEY", async () => {
    for (const customerKey of ["bad key!", "a"]) {
      const res = await send("POST", "/v1/billing/authorizations/issue", { json: { authKey: "auth_123", customerKey } });
      expectMatchesSpec("issueBillingKey", 400, expectTossError(res, 400, "INVALID_CUSTOMER_KEY"));
    }
    const charge = await send("POST", "/v1/billing/bill_123", {
      json: { customerKey: "no spaces allowed", orderId: newOrderId("ck"), orderName: "정기", amount: 1000 },
    });
    expectTossError(charge, 400, "INVALID_CUSTOMER_KEY");
  });

  it("refuses a malformed customerEmail on a virtual-account issue with 400 INVALID_EMAIL", async () => {
    const res = await send("POST", "/v1/virtual-accounts", { json: vaBody({ customerEmail: "not-an-email" }) });
    expectTossError(res, 400, "INVALID_EMAIL");
  });

  it("refuses a negative amount with 400 BELOW_ZERO_AMOUNT", async () => {
    const confirm = await send("POST", "/v1/payments/confirm", { json: { ...confirmBody, amount: -1 } });
    expectTossError(confirm, 400, "BELOW_ZERO_AMOUNT");
    const va = await send("POST", "/v1/virtual-accounts", { json: vaBody({ amount: -15000 }) });
    expectTossError(va, 400, "BELOW_ZERO_AMOUNT");
  });

  it("answers a missing required field with 400 INVALID_REQUIRED_PARAM naming the field", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["/v1/payments/confirm", { paymentKey: "pay_123", amount: 15000 }, "orderId"],
      ["/v1/payments/confirm", { orderId: "order-001", amount: 15000 }, "paymentKey"],
      ["/v1/virtual-accounts", { orderId: newOrderId("req"), orderName: "x", amount: 1000 }, "customerName"],
      ["/v1/billing/authorizations/issue", { customerKey: "cust-1" }, "authKey"],
      ["/v1/payments/pay_123/cancel", { cancelAmount: 1000 }, "cancelReason"],
    ];
    for (const [path, json, field] of cases) {
      const res = await send("POST", path, { json });
      const body = expectTossError(res, 400, "INVALID_REQUIRED_PARAM");
      expect(body.message, path).toContain(field);
    }
  });

  it("refuses validHours 2161 with 400 EXCEED_MAX_VALID_HOURS and accepts 2160", async () => {
    const res = await send("POST", "/v1/virtual-accounts", { json: vaBody({ validHours: 2161 }) });
    expectMatchesSpec("issueVirtualAccount", 400, expectTossError(res, 400, "EXCEED_MAX_VALID_HOURS"));
    const ok = await send("POST", "/v1/virtual-accounts", { json: vaBody({ validHours: 2160 }) });
    expect(ok.status, ok.text).toBe(200);
  });

  it("refuses validHours 0 or \"24\" as an invalid value (INVALID_REQUEST), not as exceeding the maximum", async () => {
    // The domain's own rule (validHours < 1 → INVALID_REQUEST) and the message must agree; an
    // EXCEED_MAX_VALID_HOURS "exceeds 2160 hours" answer for 0 sends the developer the wrong way.
    for (const validHours of [0, "24"]) {
      const res = await send("POST", "/v1/virtual-accounts", { json: vaBody({ validHours }) });
      expectTossError(res, 400, "INVALID_REQUEST");
    }
  });
});

describe("routing", () => {
  it("answers an unknown route with 404 NOT_FOUND, with or without a key", async () => {
    for (const path of ["/v1/nothing-here", "/v2/payments/pay_123", "/nope"]) {
      const body = expectTossError(await send("GET", path), 404, "NOT_FOUND");
      expectMatchesSpec("issueVirtualAccount", 404, body);
      expectTossError(await send("POST", path, { json: {}, auth: null }), 404, "NOT_FOUND");
    }
  });

  it("answers an unsupported method on a known path (DELETE /v1/payments/pay_123) with 404 NOT_FOUND_HTTP_METHOD", async () => {
    expectTossError(await send("DELETE", "/v1/payments/pay_123"), 404, "NOT_FOUND_HTTP_METHOD");
    expectTossError(await send("PUT", "/v1/payments/confirm", { json: confirmBody }), 404, "NOT_FOUND_HTTP_METHOD");
    expectTossError(await send("PATCH", "/v1/virtual-accounts", { json: {} }), 404, "NOT_FOUND_HTTP_METHOD");
    const got = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: "pay_123" } } });
    expect(got.data?.paymentKey).toBe("pay_123");
  });

  it("answers a badly percent-encoded path with a Toss error, not Fastify's error shape", async () => {
    const res = await send("GET", "/v1/payments/%E0%A4%A");
    expect(res.status).toBeLessThan(500);
    expect(Object.keys(res.json ?? {}).sort(), res.text).toEqual(["code", "message"]);
  });

  it("serves a paymentKey or billingKey of up to 200 characters, as the spec allows, instead of Fastify's 414", async () => {
    const key = "p".repeat(150);
    const get = await send("GET", `/v1/payments/${key}`);
    const body = expectTossError(get, 404, "NOT_FOUND_PAYMENT");
    expectMatchesSpec("getPayment", 404, body);
    const charge = await send("POST", `/v1/billing/${"b".repeat(150)}`, {
      json: { customerKey: "cust-1", orderId: newOrderId("long"), orderName: "정기", amount: 1000 },
    });
    expectTossError(charge, 404, "NOT_FOUND_BILLING");
  });
});

describe("language and shape", () => {
  it("answers in English with Accept-Language: en-US, in Korean otherwise", async () => {
    const en = await send("POST", "/v1/payments/confirm", { text: "{oops", headers: { ...JSON_TYPE, ...EN } });
    expect(expectTossError(en, 400, "INVALID_REQUEST").message).toBe("The request body is not valid JSON.");
    const ko = await send("POST", "/v1/payments/confirm", { text: "{oops", headers: JSON_TYPE });
    expect(expectTossError(ko, 400, "INVALID_REQUEST").message).toBe("요청 본문이 올바른 JSON이 아닙니다.");

    const missing = await send("POST", "/v1/payments/confirm", { json: { paymentKey: "pay_123", amount: 1 }, headers: EN });
    expect(expectTossError(missing, 400, "INVALID_REQUIRED_PARAM").message).toBe("A required parameter is missing. (orderId)");
    const notFound = await send("GET", "/v1/payments/pay_nope", { headers: EN });
    expect(expectTossError(notFound, 404, "NOT_FOUND_PAYMENT").message).toBe("The payment does not exist.");
    const method = await send("DELETE", "/v1/payments/pay_123", { headers: EN });
    expect(expectTossError(method, 404, "NOT_FOUND_HTTP_METHOD").message).toBe("The HTTP method is not supported for this path.");
  });

  it("gives every error exactly {code, message} as application/json, never a 5xx, in either language", async () => {
    const bad: [string, string, { json?: unknown; text?: string; headers?: Record<string, string>; auth?: string | null }][] = [
      ["POST", "/v1/payments/confirm", { text: "{", headers: JSON_TYPE }],
      ["POST", "/v1/payments/confirm", { text: "   ", headers: JSON_TYPE }],
      ["POST", "/v1/payments/confirm", { text: "{}", headers: { "content-type": "application/xml" } }],
      ["POST", "/v1/payments/confirm", { text: "--x--", headers: { "content-type": "multipart/form-data; boundary=x" } }],
      ["POST", "/v1/payments/confirm", { json: { ...confirmBody, amount: 1.5 } }],
      ["POST", "/v1/payments/confirm", { json: { ...confirmBody, amount: 1e300 } }],
      ["POST", "/v1/payments/confirm", { text: '{"__proto__":{"x":1},"paymentKey":"p","orderId":"order-001","amount":1}', headers: JSON_TYPE }],
      ["POST", "/v1/payments/confirm", { text: "[".repeat(3000) + "]".repeat(3000), headers: JSON_TYPE }],
      ["POST", "/v1/payments/confirm", { json: { ...confirmBody, paymentKey: "" } }],
      ["POST", "/v1/payments/confirm", { json: { paymentKey: "pay_nope", orderId: "order-001", amount: 15000 } }],
      ["POST", "/v1/payments/pay_123/cancel", { json: { cancelReason: "x", cancelAmount: 0 } }],
      ["POST", "/v1/payments/pay_123/cancel", { json: { cancelReason: "x", currency: "krw" } }],
      ["POST", "/v1/payments/pay_123/cancel", { json: { cancelReason: "x" } }],
      ["POST", "/v1/virtual-accounts", { json: vaBody({ bank: "없는은행" }) }],
      ["POST", "/v1/virtual-accounts", { json: vaBody({ dueDate: "2026-02-30T00:00:00" }) }],
      ["POST", "/v1/virtual-accounts", { json: vaBody({ dueDate: "9999-12-31T23:59:59" }) }],
      ["POST", "/v1/virtual-accounts", { json: vaBody({ validHours: 1, dueDate: "2030-01-01T00:00:00" }) }],
      ["POST", "/v1/virtual-accounts", { json: vaBody({ amount: 100 }) }],
      ["POST", "/v1/virtual-accounts", { json: vaBody({ taxFreeAmount: 9007199254740991 }) }],
      ["POST", "/v1/virtual-accounts", { json: vaBody({ cashReceipt: { type: "nope" } }) }],
      ["POST", "/v1/billing/authorizations/issue", { json: { authKey: "auth_nope", customerKey: "cust-1" } }],
      ["POST", "/v1/billing/bill_123", { json: { customerKey: "someone-else", orderId: newOrderId("x"), orderName: "x", amount: 1000 } }],
      ["POST", "/v1/billing/bill_nope", { json: { customerKey: "cust-1", orderId: newOrderId("x"), orderName: "x", amount: 1000 } }],
      ["GET", "/v1/payments/orders/x", {}],
      ["GET", "/v1/payments/pay_123", { auth: "test_sk_unknown" }],
      ["GET", "/v1/payments/pay_123", { headers: { authorization: "Digest abc" }, auth: null }],
      ["OPTIONS", "/v1/payments/pay_123", {}],
    ];
    for (const lang of [{}, EN]) {
      for (const [method, path, opts] of bad) {
        const res = await send(method, path, { ...opts, headers: { ...opts.headers, ...lang } });
        const what = `${method} ${path} ${opts.text ?? JSON.stringify(opts.json ?? "")}`.slice(0, 120);
        expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, what).toBeLessThan(500);
        expect(res.headers.get("content-type"), what).toMatch(/^application\/json\b/);
        expect(Object.keys(res.json ?? {}).sort(), `${what} → ${res.text.slice(0, 200)}`).toEqual(["code", "message"]);
        expect(res.json.code, what).toMatch(/^[A-Z][A-Z0-9_]+$/);
        expect(res.json.message, what).toBeTypeOf("string");
        if (lang === EN) expect(res.json.message, what).toMatch(/^[\x20-\x7e]+$/);
        expect(res.text, what).not.toMatch(/\bat .+\.(?:ts|js):\d+|node_modules|stack/i);
      }
    }
  });
});

describe("internal failures", () => {
  it("answers a failure inside FakeToss with 500 FAILED_INTERNAL_SYSTEM_PROCESSING, {code, message} only, no stack", async () => {
    const own = await startTestServer();
    const store = own.ft.store;
    const original = store.getCurrentRendition.bind(store);
    const logged: unknown[] = [];
    const consoleError = console.error;
    store.getCurrentRendition = async () => {
      throw new Error("disk on fire at /secret/path.ts:42");
    };
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const res = await raw(`${own.url}/v1/payments/pay_123`);
      const body = expectTossError(res, 500, "FAILED_INTERNAL_SYSTEM_PROCESSING");
      expect(Object.keys(body).sort()).toEqual(["code", "message"]);
      expect(res.text).not.toMatch(/disk on fire|secret|\.ts|at /);
      expectMatchesSpec("getPayment", 500, body);
    } finally {
      console.error = consoleError;
      store.getCurrentRendition = original;
      await own.close();
    }
    // The operator still sees what happened, on the server's own stderr.
    expect(String(logged[0])).toContain("GET /v1/payments/pay_123 failed");
  });
});

describe("trailing slash", () => {
  it("serves a known path with a trailing slash like the path itself", async () => {
    const server = await startTestServer();
    try {
      const a = await raw(`${server.url}/v1/payments/pay_123/`);
      const b = await raw(`${server.url}/v1/payments/pay_123`);
      expect(a.status).toBe(200);
      expect(a.text).toBe(b.text);
    } finally {
      await server.close();
    }
  });
});
