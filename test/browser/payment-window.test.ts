// Browser: a real headless Chromium (Debian's, driven by playwright-core; never downloaded) clicks
// through FakeToss's payment window and billing-auth window and lands on a local shop receiver,
// and through Swagger UI's Authorize and Try it out at /api-docs.
// The shop's side (confirm, issue, lookups) then goes over HTTP with the typed client.
import { existsSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { newOrderId } from "../helpers/payments.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { createReady, DEFAULT_CLIENT_KEY, getPayment } from "../helpers/sandbox.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = "/tmp/faketoss-window.png";

let server: TestServer;
let receiver: Receiver;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/**
 * Without a Chromium the tests cannot run. In CI (CI set, as .ci/run does, which installs Debian's
 * chromium) that FAILS every test; on a developer's machine they are skipped with this warning,
 * and the summary line counts them as skipped.
 */
const missingBrowser = existsSync(CHROMIUM)
  ? undefined
  : `Chromium not found at ${CHROMIUM}. The browser tests need Debian's chromium ` +
    `(apt-get install chromium, as .ci/run does) or CHROMIUM_PATH pointing at a Chromium binary. ` +
    `They never download a browser.`;
const skipBrowser = missingBrowser !== undefined && !process.env.CI;
if (skipBrowser) console.warn(`[browser tests skipped] ${missingBrowser}`);

beforeAll(async () => {
  if (missingBrowser) return;
  [server, receiver] = await Promise.all([startTestServer(), startReceiver()]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  // One context for the file (nothing here depends on cookies or storage); a fresh page per test.
  context = await browser.newContext({ locale: "ko-KR", viewport: { width: 480, height: 860 } });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await receiver?.close();
  await server?.close();
});

beforeEach(async () => {
  if (missingBrowser) throw new Error(missingBrowser);
  receiver.clear();
  page = await context.newPage();
  page.setDefaultTimeout(8000);
});
afterEach(async () => {
  await page?.close();
});

const shopUrls = () => ({ successUrl: receiver.successUrl, failUrl: receiver.failUrl });

describe.skipIf(skipBrowser)("payment window in Chromium", () => {
  it("approve (#approve) lands on the shop's successUrl with paymentKey, orderId, amount, paymentType=NORMAL; confirm over HTTP → DONE", async () => {
    const p = await createReady(server.client(), { amount: 39000, orderName: "FakeToss 후드티", ...shopUrls() });
    const res = await page.goto(p.checkout!.url);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.title()).toContain("FakeToss");
    expect(await page.locator("#order-name").textContent()).toBe("FakeToss 후드티");
    expect(await page.locator("#order-id").textContent()).toBe(p.orderId);
    expect(await page.locator("#amount").textContent()).toContain("39,000");
    expect(await page.locator("#method").textContent()).toBe("카드");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await Promise.all([page.waitForURL(`${receiver.successUrl}?**`), page.click("#approve")]);
    const hit = await receiver.waitFor("/success");
    expect(hit.query).toEqual({ paymentKey: p.paymentKey, orderId: p.orderId, amount: "39000", paymentType: "NORMAL" });
    expect(await page.locator("#landed").textContent()).toBe("/success");
    expect((await getPayment(server.client(), p.paymentKey)).status).toBe("IN_PROGRESS");

    const { data, error } = await server.client().POST("/v1/payments/confirm", {
      body: { paymentKey: hit.query.paymentKey!, orderId: hit.query.orderId!, amount: Number(hit.query.amount) },
    });
    expect(error).toBeUndefined();
    expectMatchesSpec("confirmPayment", 200, data);
    expect(data).toMatchObject({ status: "DONE", totalAmount: 39000, method: "CARD" });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it("fail (#fail-code + #fail) lands on failUrl with the chosen code, its message and the orderId; GET shows ABORTED", async () => {
    const p = await createReady(server.client(), shopUrls());
    await page.goto(p.checkout!.url);
    await page.selectOption("#fail-code", "REJECT_CARD_PAYMENT");
    await Promise.all([page.waitForURL(`${receiver.failUrl}?**`), page.click("#fail")]);
    const hit = await receiver.waitFor("/fail");
    expect(hit.query.code).toBe("REJECT_CARD_PAYMENT");
    expect(hit.query.orderId).toBe(p.orderId);
    expect(hit.query.message).toBeTruthy();
    expect(Object.keys(hit.query).sort()).toEqual(["code", "message", "orderId"]);

    const got = await getPayment(server.client(), p.paymentKey);
    expect(got).toMatchObject({ status: "ABORTED", failure: { code: "REJECT_CARD_PAYMENT", message: hit.query.message } });
  });

  it("cancel (#cancel) lands on failUrl with PAY_PROCESS_CANCELED, and the payment is still READY", async () => {
    const p = await createReady(server.client(), shopUrls());
    await page.goto(p.checkout!.url);
    await Promise.all([page.waitForURL(`${receiver.failUrl}?**`), page.click("#cancel")]);
    const hit = await receiver.waitFor("/fail");
    expect(hit.query).toMatchObject({ code: "PAY_PROCESS_CANCELED", orderId: p.orderId });
    expect(hit.query.message).toBeTruthy();
    expect((await getPayment(server.client(), p.paymentKey)).status).toBe("READY");
  });

  it("shows a hostile orderName as text and runs no script from it", async () => {
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const name = `<img src=x onerror=alert(1)><script>alert(2)</script>`;
    const p = await createReady(server.client(), { orderName: name, ...shopUrls() });
    await page.goto(p.checkout!.url);
    expect(await page.locator("#order-name").textContent()).toBe(name);
    expect(await page.locator("#order-name img, #order-name script").count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("shows an error page, not the window, once the window was used (back button after approve)", async () => {
    const p = await createReady(server.client(), shopUrls());
    await page.goto(p.checkout!.url);
    await Promise.all([page.waitForURL(`${receiver.successUrl}?**`), page.click("#approve")]);
    const res = await page.goto(p.checkout!.url);
    expect(res?.status()).toBe(410);
    expect(await page.locator("#approve").count()).toBe(0);
  });
});

describe.skipIf(skipBrowser)("billing-auth window in Chromium", () => {
  it("registers a typed card (#card-number + #approve): the receiver gets customerKey and authKey, which issues a billing key once", async () => {
    const customerKey = `cust-browser-${Date.now().toString(36)}`;
    const q = new URLSearchParams({
      clientKey: DEFAULT_CLIENT_KEY,
      customerKey,
      successUrl: `${receiver.origin}/billing/success`,
      failUrl: `${receiver.origin}/billing/fail`,
    });
    const res = await page.goto(`${server.url}/sandbox/billing-auth?${q}`);
    expect(res?.status()).toBe(200);
    expect(await page.locator("#customer-key").textContent()).toBe(customerKey);
    await page.fill("#card-number", "9410001234567890");
    await Promise.all([page.waitForURL(`${receiver.origin}/billing/success?**`), page.click("#approve")]);
    const hit = await receiver.waitFor("/billing/success");
    expect(Object.keys(hit.query).sort()).toEqual(["authKey", "customerKey"]);
    expect(hit.query.customerKey).toBe(customerKey);

    const issued = await server.client().POST("/v1/billing/authorizations/issue", { body: { authKey: hit.query.authKey!, customerKey } });
    expect(issued.error).toBeUndefined();
    expectMatchesSpec("issueBillingKey", 200, issued.data);
    expect(issued.data).toMatchObject({ customerKey, method: "CARD" });
    expect(issued.data!.card!.number).toMatch(/^9410/);
    expect(issued.data!.card!.number).not.toContain("9410001234567890");

    const paid = await server.client().POST("/v1/billing/{billingKey}", {
      params: { path: { billingKey: issued.data!.billingKey } },
      body: { customerKey, orderId: newOrderId("bill"), orderName: "월 구독권", amount: 9900 },
    });
    expect(paid.data?.status).toBe("DONE");

    const reused = await server.client().POST("/v1/billing/authorizations/issue", { body: { authKey: hit.query.authKey!, customerKey } });
    expect(reused.error?.code).toBe("INVALID_BILLING_AUTH");
  });

  it("cancel (#cancel) lands on the failUrl with PAY_PROCESS_CANCELED", async () => {
    const q = new URLSearchParams({
      clientKey: DEFAULT_CLIENT_KEY,
      customerKey: "cust-browser-cancel",
      successUrl: `${receiver.origin}/billing/success`,
      failUrl: `${receiver.origin}/billing/fail`,
    });
    await page.goto(`${server.url}/sandbox/billing-auth?${q}`);
    await Promise.all([page.waitForURL(`${receiver.origin}/billing/fail?**`), page.click("#cancel")]);
    const hit = await receiver.waitFor("/billing/fail");
    expect(hit.query.code).toBe("PAY_PROCESS_CANCELED");
    expect(hit.query.message).toBeTruthy();
  });
});

describe.skipIf(skipBrowser)("Swagger UI at /api-docs in Chromium", () => {
  it("Authorize with the default secret key, then Try it out on getPayment: pay_123 answers 200 from this server", async () => {
    await page.goto(`${server.url}/api-docs`);
    await page.click("button.btn.authorize");
    // basicAuth: the secret key as username, an empty password (Toss's scheme).
    await page.fill(".auth-container input[type=text]", "test_sk_yjroot_faketoss_default");
    await page.click(".auth-container .auth-btn-wrapper button.authorize");
    await page.click(".auth-container .auth-btn-wrapper button.btn-done");

    await page.click("#operations-Payments-getPayment .opblock-summary-control");
    // Try it out is on from the start (tryItOutEnabled); the optional headers come empty, so the
    // first call is a plain one (no forced TossPayments-Test-Code error).
    const op = "#operations-Payments-getPayment";
    expect(await page.inputValue(`${op} input[placeholder="TossPayments-Test-Code"]`)).toBe("");
    expect(await page.inputValue(`${op} input[placeholder="Accept-Language"]`)).toBe("");
    await page.fill(`${op} input[placeholder="paymentKey"]`, "pay_123");
    const answered = page.waitForResponse((r) => r.url() === `${server.url}/v1/payments/pay_123`);
    await page.click("#operations-Payments-getPayment button.execute");
    const res = await answered;
    expect(res.status()).toBe(200);
    expect(res.request().headers().authorization).toBe("Basic " + Buffer.from("test_sk_yjroot_faketoss_default:").toString("base64"));
    const body = (await res.json()) as { paymentKey: string };
    expect(body.paymentKey).toBe("pay_123");
    expectMatchesSpec("getPayment", 200, body);
    await page.waitForSelector(`${op} .live-responses-table tbody .response-col_status`);
    expect((await page.locator(`${op} .live-responses-table tbody .response-col_status`).first().innerText()).trim()).toBe("200");
  });
});
