// Idempotency-Key as Toss does it: (key, secret key, path, method) identifies a request, the body
// does not; the first answer (errors too) is replayed byte for byte for 15 days; a repeat that
// arrives while the first runs gets 409 IDEMPOTENT_REQUEST_PROCESSING.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/domain/clock.js";
import { approvedCard, authenticatedCard, newOrderId } from "../helpers/payments.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { DEFAULT_KEY, raw, startTestServer, type TestServer } from "../helpers/server.js";
import { basicAuth, expectTossError, settle, slowPost } from "../helpers/wire.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

let keySeq = 0;
const newKey = (label: string): string => `idem-${label}-${process.pid}-${Date.now().toString(36)}-${++keySeq}`;

/** A raw JSON POST, so that the answer's exact text can be compared. */
const post = (path: string, body: unknown, key?: string, base = server.url) =>
  raw(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key === undefined ? {} : { "idempotency-key": key }) },
    body: JSON.stringify(body),
  });

const vaBody = (orderId: string) => ({ orderId, orderName: "멱등 주문", amount: 25000, customerName: "홍길동" });

describe("replay", () => {
  it("replays a virtual-account issue byte for byte without issuing a second account", async () => {
    const key = newKey("va");
    const orderId = newOrderId("va");
    const first = await post("/v1/virtual-accounts", vaBody(orderId), key);
    expect(first.status, first.text).toBe(200);
    expectMatchesSpec("issueVirtualAccount", 200, first.json);

    const second = await post("/v1/virtual-accounts", vaBody(orderId), key);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("content-type")).toBe(first.headers.get("content-type"));
    expect(second.json.paymentKey).toBe(first.json.paymentKey);

    // Without the key the same body is a new request, and the orderId is taken: only one payment exists.
    const fresh = await post("/v1/virtual-accounts", vaBody(orderId));
    expectTossError(fresh, 400, "DUPLICATED_ORDER_ID");
    const byOrder = await server.client().GET("/v1/payments/orders/{orderId}", { params: { path: { orderId } } });
    expect(byOrder.data?.paymentKey).toBe(first.json.paymentKey);
  });

  it("replays a cancel without cancelling twice", async () => {
    const p = await approvedCard(server, { amount: 10000 });
    const key = newKey("cancel");
    const path = `/v1/payments/${p.paymentKey}/cancel`;
    const first = await post(path, { cancelReason: "부분", cancelAmount: 3000 }, key);
    expect(first.status, first.text).toBe(200);
    expectMatchesSpec("cancelPayment", 200, first.json);
    expect(first.json).toMatchObject({ balanceAmount: 7000, status: "PARTIAL_CANCELED" });

    const second = await post(path, { cancelReason: "부분", cancelAmount: 3000 }, key);
    expect(second.text).toBe(first.text);

    const after = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(after.data).toMatchObject({ balanceAmount: 7000 });
    expect(after.data!.cancels).toHaveLength(1);
  });

  it("replays an error even when the retry's body is corrected, and the payment stays unconfirmed", async () => {
    const s = await authenticatedCard(server, { amount: 20000 });
    const key = newKey("err");
    const wrong = await post("/v1/payments/confirm", { ...s, amount: 100 }, key);
    const err = expectTossError(wrong, 400, "INVALID_REQUEST");
    expectMatchesSpec("confirmPayment", 400, err);

    const corrected = await post("/v1/payments/confirm", s, key);
    expect(corrected.status).toBe(400);
    expect(corrected.text).toBe(wrong.text);

    const got = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: s.paymentKey } } });
    expect(got.data?.status).toBe("IN_PROGRESS");
    // A new key executes the corrected body.
    const ok = await post("/v1/payments/confirm", s, newKey("err-new"));
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.status).toBe("DONE");
  });

  it("replays a validation error (400 from the schema) like any other answer", async () => {
    const key = newKey("schema");
    const bad = await post("/v1/virtual-accounts", { ...vaBody("bad id!"), orderId: "bad id!" }, key);
    expectTossError(bad, 400, "INVALID_ORDER_ID");
    const good = await post("/v1/virtual-accounts", vaBody(newOrderId("schema")), key);
    expect(good.text).toBe(bad.text);
  });

  it("does not keep a TossPayments-Test-Code error under the key: the retry without the header runs for real", async () => {
    const key = newKey("testcode");
    const orderId = newOrderId("tc");
    const first = await raw(server.url + "/v1/virtual-accounts", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": key, "tosspayments-test-code": "INVALID_BANK" },
      body: JSON.stringify(vaBody(orderId)),
    });
    expectTossError(first, 400, "INVALID_BANK");
    const retry = await post("/v1/virtual-accounts", vaBody(orderId), key);
    expect(retry.status, retry.text).toBe(200);
    expect(retry.json.orderId).toBe(orderId);
    // From then on the key replays the real answer.
    const again = await post("/v1/virtual-accounts", vaBody(orderId), key);
    expect(again.text).toBe(retry.text);
  });

  it("answers a different body with the same key with the stored first answer", async () => {
    const key = newKey("diff");
    const first = await post("/v1/virtual-accounts", vaBody(newOrderId("diff1")), key);
    expect(first.status).toBe(200);
    const other = await post("/v1/virtual-accounts", { ...vaBody(newOrderId("diff2")), amount: 99000 }, key);
    expect(other.status).toBe(200);
    expect(other.text).toBe(first.text);
    expect(other.json.totalAmount).toBe(25000);
  });

  it("echoes the idempotency-key response header on the first answer and on the replay", async () => {
    const key = newKey("echo");
    const first = await post("/v1/virtual-accounts", vaBody(newOrderId("echo")), key);
    const second = await post("/v1/virtual-accounts", vaBody(newOrderId("echo")), key);
    expect(first.headers.get("idempotency-key")).toBe(key);
    expect(second.headers.get("idempotency-key")).toBe(key);
    const none = await post("/v1/virtual-accounts", vaBody(newOrderId("echo")));
    expect(none.headers.get("idempotency-key")).toBeNull();
  });

  it("works through the typed client's header parameter", async () => {
    const key = newKey("client");
    const body = vaBody(newOrderId("client"));
    const a = await server.client().POST("/v1/virtual-accounts", { body, params: { header: { "Idempotency-Key": key } } });
    const b = await server.client().POST("/v1/virtual-accounts", { body, params: { header: { "Idempotency-Key": key } } });
    expect(a.error).toBeUndefined();
    expectMatchesSpec("issueVirtualAccount", 200, a.data);
    expect(b.data).toEqual(a.data);
  });
});

describe("identity", () => {
  it("treats the same key on a different path as a different request", async () => {
    const key = newKey("path");
    const p1 = await approvedCard(server, { amount: 5000 });
    const p2 = await approvedCard(server, { amount: 6000 });
    const c1 = await post(`/v1/payments/${p1.paymentKey}/cancel`, { cancelReason: "a" }, key);
    const c2 = await post(`/v1/payments/${p2.paymentKey}/cancel`, { cancelReason: "b" }, key);
    expect(c1.status).toBe(200);
    expect(c2.status).toBe(200);
    expect(c1.json.paymentKey).toBe(p1.paymentKey);
    expect(c2.json.paymentKey).toBe(p2.paymentKey);
    const va = await post("/v1/virtual-accounts", vaBody(newOrderId("path")), key);
    expect(va.status).toBe(200);
    expect(va.json.method).toBe("VIRTUAL_ACCOUNT");
  });

  it("ignores the key on a different method: a GET with the key of a POST answers the GET", async () => {
    const key = newKey("method");
    const p = await approvedCard(server, { amount: 5000 });
    const cancel = await post(`/v1/payments/${p.paymentKey}/cancel`, { cancelReason: "x" }, key);
    expect(cancel.status).toBe(200);
    const get = await raw(`${server.url}/v1/payments/${p.paymentKey}`, { headers: { "idempotency-key": key } });
    expect(get.status).toBe(200);
    expectMatchesSpec("getPayment", 200, get.json);
    expect(get.json.status).toBe("CANCELED");
    // A POST on the GET's path is not a replay either: the path has no POST at all.
    const wrongMethod = await post(`/v1/payments/${p.paymentKey}`, {}, key);
    expectTossError(wrongMethod, 404, "NOT_FOUND_HTTP_METHOD");
  });

  it("refuses a 301-character key with 400 INVALID_IDEMPOTENCY_KEY and accepts 300 characters", async () => {
    const long = await post("/v1/virtual-accounts", vaBody(newOrderId("long")), "k".repeat(301));
    const err = expectTossError(long, 400, "INVALID_IDEMPOTENCY_KEY");
    expectMatchesSpec("issueVirtualAccount", 400, err);

    const key = "k".repeat(299) + String(keySeq++ % 10);
    const ok1 = await post("/v1/virtual-accounts", vaBody(newOrderId("k300")), key);
    expect(ok1.status, ok1.text).toBe(200);
    const ok2 = await post("/v1/virtual-accounts", vaBody(newOrderId("k300")), key);
    expect(ok2.text).toBe(ok1.text);
  });

  it("counts a UTF-8 key in characters, not bytes: 300 Korean characters (900 bytes) are kept and replayed, without an echo header; 301 are refused", async () => {
    // fetch sends a header value's characters as bytes: the latin1 spelling of the UTF-8 bytes.
    const onWire = (text: string) => Buffer.from(text, "utf8").toString("latin1");
    const key = onWire("멱".repeat(299) + "등한키가"[keySeq++ % 4]);
    const first = await post("/v1/virtual-accounts", vaBody(newOrderId("ko300")), key);
    expect(first.status, first.text).toBe(200);
    // Node would send these bytes re-encoded, so the key is not echoed (an ASCII key is).
    expect(first.headers.get("idempotency-key")).toBeNull();
    const replay = await post("/v1/virtual-accounts", vaBody(newOrderId("ko300")), key);
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get("idempotency-key")).toBeNull();

    const long = await post("/v1/virtual-accounts", vaBody(newOrderId("ko301")), onWire("멱".repeat(301)));
    expectMatchesSpec("issueVirtualAccount", 400, expectTossError(long, 400, "INVALID_IDEMPOTENCY_KEY"));
    // A leading BOM is a character like any other (TextDecoder would drop it by default).
    const bom = await post("/v1/virtual-accounts", vaBody(newOrderId("bom")), onWire("\ufeff" + "a".repeat(300)));
    expectTossError(bom, 400, "INVALID_IDEMPOTENCY_KEY");
    // A key that is not all UTF-8 counts one character per byte, as before.
    const latin1 = await post("/v1/virtual-accounts", vaBody(newOrderId("l1")), "\xe9".repeat(301));
    expectTossError(latin1, 400, "INVALID_IDEMPOTENCY_KEY");
    const latin1Ok = await post("/v1/virtual-accounts", vaBody(newOrderId("l1ok")), "\xe9".repeat(290) + newKey("l1").slice(-10));
    expect(latin1Ok.status, latin1Ok.text).toBe(200);
  });

  it("treats an empty Idempotency-Key value as no key", async () => {
    const a = await post("/v1/virtual-accounts", vaBody(newOrderId("empty")), "");
    const b = await post("/v1/virtual-accounts", vaBody(newOrderId("empty")), "");
    expect(a.status, a.text).toBe(200);
    expect(b.status, b.text).toBe(200);
    expect(b.json.paymentKey).not.toBe(a.json.paymentKey);
    expect(a.headers.get("idempotency-key")).toBeNull();
  });
});

describe("concurrency", () => {
  it("runs 20 concurrent identical cancels with one key exactly once: each answer is the single 200 or 409", async () => {
    const p = await approvedCard(server, { amount: 10000 });
    const key = newKey("race");
    const path = `/v1/payments/${p.paymentKey}/cancel`;
    const results = await Promise.all(Array.from({ length: 20 }, () => post(path, { cancelReason: "race", cancelAmount: 1000 }, key)));

    const ok = results.filter((r) => r.status === 200);
    const busy = results.filter((r) => r.status === 409);
    expect(ok.length + busy.length, results.map((r) => `${r.status} ${r.text.slice(0, 80)}`).join("\n")).toBe(20);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((r) => r.text)).size).toBe(1);
    expect(ok[0]!.json).toMatchObject({ balanceAmount: 9000 });
    for (const r of busy) {
      const err = expectTossError(r, 409, "IDEMPOTENT_REQUEST_PROCESSING");
      expectMatchesSpec("cancelPayment", 409, err);
    }

    const after = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(after.data).toMatchObject({ balanceAmount: 9000, status: "PARTIAL_CANCELED" });
    expect(after.data!.cancels).toHaveLength(1);

    // Once the first has finished, a repeat is a plain replay.
    const later = await post(path, { cancelReason: "race", cancelAmount: 1000 }, key);
    expect(later.text).toBe(ok[0]!.text);
  });

  it("answers 409 IDEMPOTENT_REQUEST_PROCESSING to a repeat that arrives while the first is still running", async () => {
    const p = await approvedCard(server, { amount: 10000 });
    const key = newKey("busy");
    const path = `/v1/payments/${p.paymentKey}/cancel`;
    const body = JSON.stringify({ cancelReason: "느린 요청", cancelAmount: 1000 });
    // The first request's headers are in (key claimed), its body is not: it is still running.
    const first = slowPost(server.url, path, body, { authorization: basicAuth(DEFAULT_KEY), "idempotency-key": key });
    await settle();

    const repeat = await post(path, JSON.parse(body), key);
    const err = expectTossError(repeat, 409, "IDEMPOTENT_REQUEST_PROCESSING");
    expectMatchesSpec("cancelPayment", 409, err);

    const done = await first.finish();
    expect(done.status, done.text).toBe(200);
    expect(JSON.parse(done.text)).toMatchObject({ balanceAmount: 9000 });
    const replay = await post(path, JSON.parse(body), key);
    expect(replay.text).toBe(done.text);
    const after = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(after.data!.cancels).toHaveLength(1);
  });

  it("lets a client retry with the same key after its first upload was cut off mid-body (nothing ran, nothing to replay)", async () => {
    const p = await approvedCard(server, { amount: 10000 });
    const key = newKey("aborted");
    const path = `/v1/payments/${p.paymentKey}/cancel`;
    const body = { cancelReason: "끊긴 요청", cancelAmount: 1000 };
    const first = slowPost(server.url, path, JSON.stringify(body), { authorization: basicAuth(DEFAULT_KEY), "idempotency-key": key });
    await settle();
    await first.abort();

    // The cut-off request never executed: the payment is untouched.
    const before = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: p.paymentKey } } });
    expect(before.data).toMatchObject({ balanceAmount: 10000, cancels: null });

    // The retry (the whole point of an Idempotency-Key) must run, not replay an answer nobody received.
    const retry = await post(path, body, key);
    expect(retry.status, retry.text).toBe(200);
    expect(retry.json).toMatchObject({ balanceAmount: 9000 });
  });
});

describe("expiry", () => {
  it("replays for 15 days and executes anew after 15 days + 1 s", async () => {
    const clock = new ManualClock(Date.parse("2026-04-21T01:00:00Z"));
    const timed = await startTestServer({ clock });
    try {
      const key = "expiring-key";
      const first = await post("/v1/virtual-accounts", vaBody(newOrderId("exp1")), key, timed.url);
      expect(first.status, first.text).toBe(200);

      clock.advance(15 * 24 * 3600_000);
      const at15d = await post("/v1/virtual-accounts", vaBody(newOrderId("exp2")), key, timed.url);
      expect(at15d.text).toBe(first.text);

      clock.advance(1000);
      const orderId = newOrderId("exp3");
      const after = await post("/v1/virtual-accounts", vaBody(orderId), key, timed.url);
      expect(after.status, after.text).toBe(200);
      expect(after.json.paymentKey).not.toBe(first.json.paymentKey);
      expect(after.json.orderId).toBe(orderId);

      // The new answer is what is replayed from now on.
      const replay = await post("/v1/virtual-accounts", vaBody(newOrderId("exp4")), key, timed.url);
      expect(replay.text).toBe(after.text);
    } finally {
      await timed.close();
    }
  });
});
