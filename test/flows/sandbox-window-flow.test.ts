// Flow: the payment window without a browser. The shop creates a payment (createPayment), the
// buyer's part is played through the sandbox controls (authenticatePayment, failPayment) or by
// fetching and posting the window's HTML form as a browser would; the shop then confirms.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvedCard, newOrderId } from "../helpers/payments.js";
import { authenticate, createReady, getPage, getPayment, newTenant, postForm, SHOP, splitUrl } from "../helpers/sandbox.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const confirm = (body: { paymentKey: string; orderId: string; amount: number }, client = server.client()) =>
  client.POST("/v1/payments/confirm", { body });

describe("createPayment → authenticatePayment → confirm (card)", () => {
  it("creates a READY card payment whose checkout.url is this server's /v1/payments/{paymentKey}/checkout", async () => {
    const orderId = newOrderId("win");
    const p = await createReady(server.client(), { orderId, amount: 15000, orderName: "FakeToss 티셔츠" });
    expect(p).toMatchObject({
      orderId,
      orderName: "FakeToss 티셔츠",
      status: "READY",
      method: "CARD",
      type: "NORMAL",
      totalAmount: 15000,
      balanceAmount: 15000,
      amount: 15000,
      approvedAt: null,
      card: null,
      virtualAccount: null,
      failure: null,
      cancels: null,
    });
    expect(p.requestedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
    expect(p.checkout?.url).toBe(`${server.url}/v1/payments/${encodeURIComponent(p.paymentKey)}/checkout`);
  });

  it("authenticates to IN_PROGRESS with redirectUrl = successUrl?paymentKey=&orderId=&amount=&paymentType=NORMAL, and confirms to DONE", async () => {
    const p = await createReady(server.client(), { amount: 15000 });
    const auth = await authenticate(server.client(), p.paymentKey);
    expect(auth.payment).toMatchObject({ paymentKey: p.paymentKey, status: "IN_PROGRESS", approvedAt: null });
    const { base, query } = splitUrl(auth.redirectUrl!);
    expect(base).toBe(SHOP.successUrl);
    expect(query).toEqual({ paymentKey: p.paymentKey, orderId: p.orderId, amount: "15000", paymentType: "NORMAL" });

    const { data, error } = await confirm({ paymentKey: query.paymentKey!, orderId: query.orderId!, amount: Number(query.amount) });
    expect(error).toBeUndefined();
    expectMatchesSpec("confirmPayment", 200, data);
    expect(data).toMatchObject({ paymentKey: p.paymentKey, orderId: p.orderId, status: "DONE", method: "CARD", totalAmount: 15000, balanceAmount: 15000, failure: null });
    expect(data!.approvedAt).toMatch(/\+09:00$/);
    expect(data!.card).not.toBeNull();
    expect((await getPayment(server.client(), p.paymentKey)).status).toBe("DONE");
  });

  it("keeps the successUrl's own query parameters and adds Toss's after them", async () => {
    const p = await createReady(server.client(), { successUrl: "https://shop.example/ok?shop=7&lang=ko" });
    const auth = await authenticate(server.client(), p.paymentKey);
    const { base, query } = splitUrl(auth.redirectUrl!);
    expect(base).toBe("https://shop.example/ok");
    expect(query).toEqual({ shop: "7", lang: "ko", paymentKey: p.paymentKey, orderId: p.orderId, amount: "15000", paymentType: "NORMAL" });
  });

  it("treats authenticating an IN_PROGRESS payment again as a no-op", async () => {
    const p = await createReady(server.client());
    await authenticate(server.client(), p.paymentKey);
    const again = await authenticate(server.client(), p.paymentKey);
    expect(again.payment.status).toBe("IN_PROGRESS");
  });

  it("refuses to confirm a READY payment nobody authenticated with 404 NOT_FOUND_PAYMENT_SESSION", async () => {
    const p = await createReady(server.client());
    const { error, response } = await confirm({ paymentKey: p.paymentKey, orderId: p.orderId, amount: p.totalAmount });
    expect(response.status).toBe(404);
    expectMatchesSpec("confirmPayment", 404, error);
    expect(error?.code).toBe("NOT_FOUND_PAYMENT_SESSION");
  });
});

describe("failPayment", () => {
  it("aborts a READY payment with failure and redirectUrl = failUrl?code=&message=&orderId=", async () => {
    const p = await createReady(server.client());
    const { data, error } = await server.client().POST("/sandbox/payments/{paymentKey}/fail", {
      params: { path: { paymentKey: p.paymentKey } },
      body: { code: "REJECT_CARD_COMPANY", message: "결제 승인이 거절되었습니다." },
    });
    expect(error).toBeUndefined();
    expectMatchesSpec("failPayment", 200, data);
    expect(data!.payment).toMatchObject({ status: "ABORTED", failure: { code: "REJECT_CARD_COMPANY", message: "결제 승인이 거절되었습니다." } });
    const { base, query } = splitUrl(data!.redirectUrl!);
    expect(base).toBe(SHOP.failUrl);
    expect(query).toEqual({ code: "REJECT_CARD_COMPANY", message: "결제 승인이 거절되었습니다.", orderId: p.orderId });

    const got = await getPayment(server.client(), p.paymentKey);
    expect(got).toMatchObject({ status: "ABORTED", failure: { code: "REJECT_CARD_COMPANY" } });
    const c = await confirm({ paymentKey: p.paymentKey, orderId: p.orderId, amount: p.totalAmount });
    expect(c.response.status).toBeGreaterThanOrEqual(400);
  });

  it("takes the message for a code without one from Toss's catalogue", async () => {
    const p = await createReady(server.client());
    const { data } = await server.client().POST("/sandbox/payments/{paymentKey}/fail", {
      params: { path: { paymentKey: p.paymentKey } },
      body: { code: "REJECT_CARD_COMPANY" },
    });
    expect(data!.payment.failure).toEqual({ code: "REJECT_CARD_COMPANY", message: "결제 승인이 거절되었습니다." });
  });

  it("defaults the failure to PAY_PROCESS_ABORTED and also aborts an IN_PROGRESS payment", async () => {
    const p = await createReady(server.client());
    await authenticate(server.client(), p.paymentKey);
    const { data, error } = await server.client().POST("/sandbox/payments/{paymentKey}/fail", { params: { path: { paymentKey: p.paymentKey } } });
    expect(error).toBeUndefined();
    expectMatchesSpec("failPayment", 200, data);
    expect(data!.payment.status).toBe("ABORTED");
    expect(data!.payment.failure?.code).toBe("PAY_PROCESS_ABORTED");
    expect(splitUrl(data!.redirectUrl!).query.code).toBe("PAY_PROCESS_ABORTED");
  });

  it("refuses to fail a DONE payment with 400 INVALID_PAYMENT_STATUS", async () => {
    const p = await createReady(server.client());
    await authenticate(server.client(), p.paymentKey);
    await confirm({ paymentKey: p.paymentKey, orderId: p.orderId, amount: p.totalAmount });
    const { error, response } = await server.client().POST("/sandbox/payments/{paymentKey}/fail", { params: { path: { paymentKey: p.paymentKey } } });
    expect(response.status).toBe(400);
    expectMatchesSpec("failPayment", 400, error);
    expect(error?.code).toBe("INVALID_PAYMENT_STATUS");
  });
});

describe("createPayment → authenticate → confirm (virtual account)", () => {
  it("confirms a VIRTUAL_ACCOUNT payment to WAITING_FOR_DEPOSIT with its account issued", async () => {
    const p = await createReady(server.client(), { method: "VIRTUAL_ACCOUNT", amount: 25000, customerName: "홍길동" });
    expect(p).toMatchObject({ method: "VIRTUAL_ACCOUNT", status: "READY" });
    const auth = await authenticate(server.client(), p.paymentKey);
    expect(auth.payment.status).toBe("IN_PROGRESS");
    const { data, error } = await confirm({ paymentKey: p.paymentKey, orderId: p.orderId, amount: 25000 });
    expect(error).toBeUndefined();
    expectMatchesSpec("confirmPayment", 200, data);
    expect(data).toMatchObject({ status: "WAITING_FOR_DEPOSIT", method: "VIRTUAL_ACCOUNT", approvedAt: null, card: null });
    expect(data!.virtualAccount).toMatchObject({ expired: false, depositorName: null, refundReceiveAccount: null });
    expect(data!.virtualAccount!.accountNumber).toMatch(/^X\d{13}$/);
    expect(data!.virtualAccount!.dueDate).toMatch(/\+09:00$/);
    expect(Date.parse(data!.virtualAccount!.dueDate)).toBeGreaterThan(Date.now());
  });

  it("issues the account at confirm with dueDate = now + validHours", async () => {
    const p = await createReady(server.client(), { method: "VIRTUAL_ACCOUNT", amount: 3000, validHours: 5 });
    await authenticate(server.client(), p.paymentKey);
    const before = Date.now();
    const { data } = await confirm({ paymentKey: p.paymentKey, orderId: p.orderId, amount: 3000 });
    const due = Date.parse(data!.virtualAccount!.dueDate);
    expect(due - before).toBeGreaterThan(5 * 3600_000 - 2000);
    expect(due - before).toBeLessThan(5 * 3600_000 + 10_000);
  });

  it("shows 가상계좌 as the method in the window", async () => {
    const p = await createReady(server.client(), { method: "VIRTUAL_ACCOUNT", amount: 3000 });
    const page = await getPage(p.checkout!.url);
    expect(page.text).toMatch(/id="method">가상계좌</);
  });

  it("accepts Toss's Korean method label 가상계좌 on createPayment", async () => {
    const p = await createReady(server.client(), { method: "가상계좌", amount: 1000 });
    expect(p.method).toBe("VIRTUAL_ACCOUNT");
  });
});

describe("createPayment errors", () => {
  const create = (extra: Record<string, unknown>) =>
    server.client().POST("/v1/payments", {
      body: { method: "CARD", amount: 15000, orderId: newOrderId("win"), orderName: "오류", ...SHOP, ...extra } as never,
    });

  it("refuses a reused orderId with 400 DUPLICATED_ORDER_ID", async () => {
    const orderId = newOrderId("dup");
    await createReady(server.client(), { orderId });
    const { error, response } = await create({ orderId });
    expect(response.status).toBe(400);
    expectMatchesSpec("createPayment", 400, error);
    expect(error?.code).toBe("DUPLICATED_ORDER_ID");
  });

  it.each([
    ["successUrl javascript:alert(1)", { successUrl: "javascript:alert(1)" }],
    ["successUrl ftp://x", { successUrl: "ftp://x" }],
    ["failUrl javascript:alert(1)", { failUrl: "javascript:alert(1)" }],
  ])("refuses %s with 400 INVALID_URL", async (_what, extra) => {
    const { error, response } = await create(extra);
    expect(response.status).toBe(400);
    expectMatchesSpec("createPayment", 400, error);
    expect(error?.code).toBe("INVALID_URL");
  });

  it.each([["TRANSFER"], ["MOBILE_PHONE"], ["계좌이체"]])("refuses method %s with 400 NOT_SUPPORTED_METHOD", async (method) => {
    const { error, response } = await create({ method });
    expect(response.status).toBe(400);
    expectMatchesSpec("createPayment", 400, error);
    expect(error?.code).toBe("NOT_SUPPORTED_METHOD");
  });

  it("creates nothing when refused: the orderId of a refused request is still free", async () => {
    const orderId = newOrderId("free");
    await create({ orderId, method: "TRANSFER" });
    await create({ orderId, successUrl: "ftp://x" });
    const p = await createReady(server.client(), { orderId });
    expect(p.orderId).toBe(orderId);
  });
});

describe("the window over plain HTTP (no browser)", () => {
  it("serves checkout.url as 200 text/html in Korean with the order, the amount, the method and the three buttons", async () => {
    const p = await createReady(server.client(), { amount: 39000, orderName: "FakeToss 후드티" });
    const page = await getPage(p.checkout!.url);
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<html lang="ko"/);
    expect(page.text).toContain("FakeToss 후드티");
    expect(page.text).toContain(p.orderId);
    expect(page.text).toContain("39,000원");
    expect(page.text).toContain("카드");
    for (const id of ["approve", "fail", "cancel", "fail-code"]) expect(page.text).toContain(`id="${id}"`);
  });

  it("HTML-escapes the orderName: <script>alert(1)</script> is shown, never run", async () => {
    const p = await createReady(server.client(), { orderName: "<script>alert(1)</script>" });
    expect(p.orderName).toBe("<script>alert(1)</script>");
    const page = await getPage(p.checkout!.url);
    expect(page.status).toBe(200);
    expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.text).not.toContain("<script>alert(1)</script>");
    expect(page.text).not.toMatch(/<script/i);
  });

  it("approves through the form: 303 to successUrl with paymentKey, orderId, amount, paymentType=NORMAL; the payment is IN_PROGRESS and confirms to DONE", async () => {
    const p = await createReady(server.client(), { amount: 12345 });
    const res = await postForm(p.checkout!.url, { action: "approve" });
    expect(res.status).toBe(303);
    const { base, query } = splitUrl(res.location!);
    expect(base).toBe(SHOP.successUrl);
    expect(query).toEqual({ paymentKey: p.paymentKey, orderId: p.orderId, amount: "12345", paymentType: "NORMAL" });
    expect((await getPayment(server.client(), p.paymentKey)).status).toBe("IN_PROGRESS");
    const { data } = await confirm({ paymentKey: p.paymentKey, orderId: p.orderId, amount: 12345 });
    expect(data?.status).toBe("DONE");
  });

  it("fails through the form: 303 to failUrl?code=&message=&orderId= and the payment is ABORTED", async () => {
    const p = await createReady(server.client());
    const res = await postForm(p.checkout!.url, { action: "fail", code: "REJECT_CARD_COMPANY" });
    expect(res.status).toBe(303);
    const { base, query } = splitUrl(res.location!);
    expect(base).toBe(SHOP.failUrl);
    expect(query).toMatchObject({ code: "REJECT_CARD_COMPANY", orderId: p.orderId });
    expect(query.message).toBeTruthy();
    const got = await getPayment(server.client(), p.paymentKey);
    expect(got).toMatchObject({ status: "ABORTED", failure: { code: "REJECT_CARD_COMPANY", message: query.message } });
  });

  it("cancels through the form: 303 to failUrl with PAY_PROCESS_CANCELED, and the payment stays READY", async () => {
    const p = await createReady(server.client());
    const res = await postForm(p.checkout!.url, { action: "cancel" });
    expect(res.status).toBe(303);
    const { base, query } = splitUrl(res.location!);
    expect(base).toBe(SHOP.failUrl);
    expect(query).toMatchObject({ code: "PAY_PROCESS_CANCELED", orderId: p.orderId });
    expect(query.message).toBeTruthy();
    expect((await getPayment(server.client(), p.paymentKey)).status).toBe("READY");
  });

  it("answers a window that is no longer READY (already approved) with 410 HTML, GET and POST", async () => {
    const p = await createReady(server.client());
    await postForm(p.checkout!.url, { action: "approve" });
    const get = await getPage(p.checkout!.url);
    expect(get.status).toBe(410);
    expect(get.contentType).toMatch(/^text\/html/);
    const post = await postForm(p.checkout!.url, { action: "approve" });
    expect(post.status).toBe(410);
    expect(post.location).toBeNull();
  });

  it("answers an unknown paymentKey, and the key of a payment that has no window (no checkout.url), with 404 HTML (GET and POST)", async () => {
    const windowless = await approvedCard(server);
    expect(windowless.checkout).toBeNull();
    for (const key of ["pay_does_not_exist", windowless.paymentKey]) {
      const url = `${server.url}/v1/payments/${key}/checkout`;
      const get = await getPage(url);
      expect(get.status, key).toBe(404);
      expect(get.contentType).toMatch(/^text\/html/);
      expect(get.text).toContain("존재하지 않는 결제");
      const post = await postForm(url, { action: "approve" });
      expect(post.status, key).toBe(404);
      expect(post.contentType).toMatch(/^text\/html/);
    }
    expect((await getPayment(server.client(), windowless.paymentKey)).status).toBe("DONE");
  });

  it("answers an expired window with 410 HTML (expirePayment), and refuses its form", async () => {
    const p = await createReady(server.client());
    const { data, error } = await server.client().POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: p.paymentKey } } });
    expect(error).toBeUndefined();
    expect(data?.status).toBe("EXPIRED");
    const get = await getPage(p.checkout!.url);
    expect(get.status).toBe(410);
    expect(get.contentType).toMatch(/^text\/html/);
    expect(get.text).toContain("만료");
    const post = await postForm(p.checkout!.url, { action: "approve" });
    expect(post.status).toBe(410);
    expect((await getPayment(server.client(), p.paymentKey)).status).toBe("EXPIRED");
  });

  it("answers a window whose 30 minutes passed on the tenant's clock with 410 HTML, without any API read first", async () => {
    const t = await newTenant(server);
    const p = await createReady(t.client);
    const adv = await t.client.POST("/sandbox/clock/advance", { body: { minutes: 31 } });
    expect(adv.error).toBeUndefined();
    const get = await getPage(p.checkout!.url);
    expect(get.status).toBe(410);
    expect(get.contentType).toMatch(/^text\/html/);
    const post = await postForm(p.checkout!.url, { action: "approve" });
    expect(post.status).toBe(410);
  });

  it("refuses a form with an unknown action with 400 HTML, payment untouched", async () => {
    const p = await createReady(server.client());
    const res = await postForm(p.checkout!.url, { action: "steal" });
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/^text\/html/);
    expect((await getPayment(server.client(), p.paymentKey)).status).toBe("READY");
  });
});

describe("every payment status through documented HTTP calls only", () => {
  it("reaches READY, IN_PROGRESS, WAITING_FOR_DEPOSIT, DONE, CANCELED, PARTIAL_CANCELED, ABORTED and EXPIRED", async () => {
    const t = await newTenant(server);
    const c = t.client;
    const seen = new Set<string>();
    const see = <P extends { status: string }>(p: P): P => (seen.add(p.status), p);

    // READY → IN_PROGRESS → DONE → PARTIAL_CANCELED
    const a = see(await createReady(c, { amount: 10000 }));
    see((await authenticate(c, a.paymentKey)).payment);
    const done = await confirm({ paymentKey: a.paymentKey, orderId: a.orderId, amount: 10000 }, c);
    expectMatchesSpec("confirmPayment", 200, done.data);
    see(done.data!);
    const partial = await c.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: a.paymentKey } }, body: { cancelReason: "부분 취소", cancelAmount: 3000 } });
    expectMatchesSpec("cancelPayment", 200, partial.data);
    see(partial.data!);

    // DONE → CANCELED
    const b = await createReady(c, { amount: 5000 });
    await authenticate(c, b.paymentKey);
    await confirm({ paymentKey: b.paymentKey, orderId: b.orderId, amount: 5000 }, c);
    const full = await c.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey: b.paymentKey } }, body: { cancelReason: "전액 취소" } });
    expectMatchesSpec("cancelPayment", 200, full.data);
    see(full.data!);

    // WAITING_FOR_DEPOSIT (window → confirm) and, after a deposit, DONE
    const v = await createReady(c, { method: "VIRTUAL_ACCOUNT", amount: 20000, customerName: "홍길동" });
    await authenticate(c, v.paymentKey);
    const waiting = await confirm({ paymentKey: v.paymentKey, orderId: v.orderId, amount: 20000 }, c);
    see(waiting.data!);
    const dep = await c.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey: v.paymentKey } } });
    expectMatchesSpec("depositVirtualAccount", 200, dep.data);
    expect(dep.data!.status).toBe("DONE");

    // ABORTED
    const f = await createReady(c);
    const failed = await c.POST("/sandbox/payments/{paymentKey}/fail", { params: { path: { paymentKey: f.paymentKey } } });
    see(failed.data!.payment);

    // EXPIRED, by the clock (the 30-minute window)
    const e = await createReady(c);
    const adv = await c.POST("/sandbox/clock/advance", { body: { minutes: 31 } });
    expectMatchesSpec("advanceClock", 200, adv.data);
    see(await getPayment(c, e.paymentKey));

    expect([...seen].sort()).toEqual(["ABORTED", "CANCELED", "DONE", "EXPIRED", "IN_PROGRESS", "PARTIAL_CANCELED", "READY", "WAITING_FOR_DEPOSIT"]);
    // Each payment answers its final state on a later read as well.
    expect((await getPayment(c, a.paymentKey)).status).toBe("PARTIAL_CANCELED");
    expect((await getPayment(c, b.paymentKey)).status).toBe("CANCELED");
    expect((await getPayment(c, v.paymentKey)).status).toBe("DONE");
    expect((await getPayment(c, f.paymentKey)).status).toBe("ABORTED");
  });
});
