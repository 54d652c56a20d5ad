// Flow: billing without a browser. The billing-auth window is fetched and its form posted as a
// browser would; the authKey from the redirect issues a billing key once; the key is charged,
// deleted, and refused afterwards. Also: a billing key straight from a card number.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newOrderId } from "../helpers/payments.js";
import { billingAuthUrl, DEFAULT_CLIENT_KEY, getPage, newTenant, postForm, splitUrl } from "../helpers/sandbox.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { raw, startTestServer, type TestServer } from "../helpers/server.js";
import { expectTossError } from "../helpers/wire.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const SUCCESS = "https://shop.example/billing/success";
const FAIL = "https://shop.example/billing/fail";
let seq = 0;
const newCustomer = () => `cust-${process.pid}-${Date.now().toString(36)}-${++seq}`;

const issue = (authKey: string, customerKey: string, client = server.client()) =>
  client.POST("/v1/billing/authorizations/issue", { body: { authKey, customerKey } });
const charge = (billingKey: string, customerKey: string, amount = 9900, client = server.client()) =>
  client.POST("/v1/billing/{billingKey}", {
    params: { path: { billingKey } },
    body: { customerKey, orderId: newOrderId("bill"), orderName: "월 구독권", amount },
  });
const del = (billingKey: string, client = server.client()) => client.DELETE("/v1/billing/{billingKey}", { params: { path: { billingKey } } });

/** Opens the billing-auth window and approves it; returns the authKey from the 303. */
async function approveInWindow(customerKey: string, clientKey = DEFAULT_CLIENT_KEY, cardNumber?: string): Promise<string> {
  const q = { clientKey, customerKey, successUrl: SUCCESS, failUrl: FAIL };
  const page = await getPage(billingAuthUrl(server, q));
  expect(page.status, page.text.slice(0, 300)).toBe(200);
  const res = await postForm(`${server.url}/sandbox/billing-auth`, { action: "approve", ...q, ...(cardNumber ? { cardNumber } : {}) });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  const { base, query } = splitUrl(res.location!);
  expect(base).toBe(SUCCESS);
  expect(Object.keys(query).sort()).toEqual(["authKey", "customerKey"]);
  expect(query.customerKey).toBe(customerKey);
  expect(query.authKey).toMatch(/^\S+$/);
  return query.authKey!;
}

describe("billing-auth window → issue → charge → delete", () => {
  it("serves the billing-auth window for the default client key as 200 Korean HTML with the customer and the card field", async () => {
    const customerKey = newCustomer();
    const page = await getPage(billingAuthUrl(server, { clientKey: DEFAULT_CLIENT_KEY, customerKey, successUrl: SUCCESS, failUrl: FAIL }));
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<html lang="ko"/);
    expect(page.text).toContain(customerKey);
    for (const id of ["card-number", "approve", "cancel"]) expect(page.text).toContain(`id="${id}"`);
  });

  it("approve → 303 successUrl?customerKey=&authKey= → issueBillingKey once → charge DONE → delete 200 empty → charge, delete and scheduled declines refused with 400 ALREADY_REMOVED_BILLING_KEY", async () => {
    const customerKey = newCustomer();
    const authKey = await approveInWindow(customerKey);

    const first = await issue(authKey, customerKey);
    expect(first.error).toBeUndefined();
    expectMatchesSpec("issueBillingKey", 200, first.data);
    expect(first.data).toMatchObject({ customerKey, method: "CARD" });
    const billingKey = first.data!.billingKey;
    expect(billingKey).toMatch(/^\S+$/);

    const second = await issue(authKey, customerKey);
    expect(second.response.status).toBe(400);
    expectMatchesSpec("issueBillingKey", 400, second.error);
    expect(second.error?.code).toBe("INVALID_BILLING_AUTH");

    const paid = await charge(billingKey, customerKey, 9900);
    expect(paid.error).toBeUndefined();
    expectMatchesSpec("chargeBilling", 200, paid.data);
    expect(paid.data).toMatchObject({ status: "DONE", type: "BILLING", method: "CARD", totalAmount: 9900 });
    expect(paid.data!.card?.number).toBe(first.data!.card!.number);

    const removed = await raw(`${server.url}/v1/billing/${encodeURIComponent(billingKey)}`, { method: "DELETE" });
    expect(removed.status).toBe(200);
    expect(removed.text).toBe("");

    const refused = await charge(billingKey, customerKey);
    expect(refused.response.status).toBe(400);
    expectMatchesSpec("chargeBilling", 400, refused.error);
    expect(refused.error?.code).toBe("ALREADY_REMOVED_BILLING_KEY");

    const again = await del(billingKey);
    expect(again.response.status).toBe(400);
    expectMatchesSpec("deleteBillingKey", 400, again.error);
    expect(again.error?.code).toBe("ALREADY_REMOVED_BILLING_KEY");
    expectTossError(await raw(`${server.url}/v1/billing/${encodeURIComponent(billingKey)}`, { method: "DELETE" }), 400, "ALREADY_REMOVED_BILLING_KEY");
    // Scheduling declines on a removed key is refused too, not acknowledged.
    const failures = await server.client().POST("/sandbox/billing/{billingKey}/failures", {
      params: { path: { billingKey } },
      body: { count: 1, code: "REJECT_CARD_PAYMENT" },
    });
    expect(failures.response.status).toBe(400);
    expectMatchesSpec("setBillingFailures", 400, failures.error);
    expect(failures.error?.code).toBe("ALREADY_REMOVED_BILLING_KEY");

    // The payment charged before the delete is untouched.
    const before = await server.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey: paid.data!.paymentKey } } });
    expect(before.data?.status).toBe("DONE");
  });

  it("deletes through the typed client with 200 and no body", async () => {
    const customerKey = newCustomer();
    const billing = await issue(await approveInWindow(customerKey), customerKey);
    const { error, response } = await del(billing.data!.billingKey);
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
  });

  it("answers 404 NOT_FOUND_BILLING when deleting an unknown billing key", async () => {
    const { error, response } = await del("bill_nobody_has_this");
    expect(response.status).toBe(404);
    expectMatchesSpec("deleteBillingKey", 404, error);
    expect(error?.code).toBe("NOT_FOUND_BILLING");
  });

  it("cannot delete another tenant's billing key (404 NOT_FOUND_BILLING); the owner still charges it", async () => {
    const customerKey = newCustomer();
    const billing = await issue(await approveInWindow(customerKey), customerKey);
    const t = await newTenant(server);
    const foreign = await del(billing.data!.billingKey, t.client);
    expect(foreign.response.status).toBe(404);
    expect(foreign.error?.code).toBe("NOT_FOUND_BILLING");
    const paid = await charge(billing.data!.billingKey, customerKey);
    expect(paid.data?.status).toBe("DONE");
  });

  it("masks the card number typed into the window on the issued billing key", async () => {
    const customerKey = newCustomer();
    const authKey = await approveInWindow(customerKey, DEFAULT_CLIENT_KEY, "9410001234567890");
    const { data } = await issue(authKey, customerKey);
    expectMatchesSpec("issueBillingKey", 200, data);
    expect(data!.card!.number).toMatch(/^9410/);
    expect(data!.card!.number).toMatch(/\*/);
    expect(data!.card!.number).not.toContain("9410001234567890");
  });

  it("refuses the authKey for another customer with 400 NOT_MATCHES_CUSTOMER_KEY", async () => {
    const customerKey = newCustomer();
    const authKey = await approveInWindow(customerKey);
    const { error } = await issue(authKey, newCustomer());
    expect(error?.code).toBe("NOT_MATCHES_CUSTOMER_KEY");
  });

  it("fails through the window: 303 to failUrl?code=&message=", async () => {
    const customerKey = newCustomer();
    const res = await postForm(`${server.url}/sandbox/billing-auth`, { action: "fail", clientKey: DEFAULT_CLIENT_KEY, customerKey, successUrl: SUCCESS, failUrl: FAIL });
    expect(res.status).toBe(303);
    const { base, query } = splitUrl(res.location!);
    expect(base).toBe(FAIL);
    expect(query.code).toBe("PAY_PROCESS_CANCELED");
    expect(query.message).toBeTruthy();
  });

  it("issues the authKey in the client key's own tenant only", async () => {
    const t = await newTenant(server);
    const customerKey = newCustomer();
    const authKey = await approveInWindow(customerKey, t.clientKey);
    const elsewhere = await issue(authKey, customerKey); // the default tenant never saw it
    expect(elsewhere.error?.code).toBe("INVALID_BILLING_AUTH");
    const home = await issue(authKey, customerKey, t.client);
    expect(home.error).toBeUndefined();
    expectMatchesSpec("issueBillingKey", 200, home.data);
  });
});

describe("billing-auth window errors", () => {
  it("answers an unknown client key with 400 HTML, on GET and on POST", async () => {
    const q = { clientKey: "test_ck_nobody_knows_this", customerKey: newCustomer(), successUrl: SUCCESS, failUrl: FAIL };
    const get = await getPage(billingAuthUrl(server, q));
    expect(get.status).toBe(400);
    expect(get.contentType).toMatch(/^text\/html/);
    expect(get.text).toMatch(/<html lang="ko"/);
    const post = await postForm(`${server.url}/sandbox/billing-auth`, { action: "approve", ...q });
    expect(post.status).toBe(400);
    expect(post.contentType).toMatch(/^text\/html/);
    expect(post.location).toBeNull();
  });

  it("answers a secret key passed as client key with 400 HTML", async () => {
    const get = await getPage(billingAuthUrl(server, { clientKey: "test_sk_yjroot_faketoss_default", customerKey: newCustomer(), successUrl: SUCCESS, failUrl: FAIL }));
    expect(get.status).toBe(400);
  });

  it.each([["javascript:alert(1)"], ["ftp://x"]])("answers a successUrl %s with 400 HTML and never redirects there", async (successUrl) => {
    const q = { clientKey: DEFAULT_CLIENT_KEY, customerKey: newCustomer(), successUrl, failUrl: FAIL };
    const get = await getPage(billingAuthUrl(server, q));
    expect(get.status).toBe(400);
    expect(get.contentType).toMatch(/^text\/html/);
    const post = await postForm(`${server.url}/sandbox/billing-auth`, { action: "approve", ...q });
    expect(post.status).toBe(400);
    expect(post.location).toBeNull();
  });

  it("answers a missing query value with 400 HTML", async () => {
    const get = await getPage(`${server.url}/sandbox/billing-auth?clientKey=${DEFAULT_CLIENT_KEY}`);
    expect(get.status).toBe(400);
    expect(get.contentType).toMatch(/^text\/html/);
  });

  it("HTML-escapes the successUrl it echoes into the form", async () => {
    const successUrl = 'https://shop.example/ok?x="><script>alert(1)</script>';
    const page = await getPage(billingAuthUrl(server, { clientKey: DEFAULT_CLIENT_KEY, customerKey: newCustomer(), successUrl, failUrl: FAIL }));
    // Either refused outright or echoed escaped; never a live script tag.
    expect(page.text).not.toMatch(/<script/i);
  });
});

describe("issueBillingKeyWithCard", () => {
  it("registers a card number to a Billing object whose key charges to DONE", async () => {
    const customerKey = newCustomer();
    const { data, error } = await server.client().POST("/v1/billing/authorizations/card", {
      body: { customerKey, cardNumber: "4330123412341234", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" },
    });
    expect(error).toBeUndefined();
    expectMatchesSpec("issueBillingKeyWithCard", 200, data);
    expect(data).toMatchObject({ customerKey, method: "CARD", transfers: null });
    expect(data!.card!.number).toMatch(/^4330/);
    expect(data!.card!.number).not.toContain("4330123412341234");
    expect(data!.authenticatedAt).toMatch(/\+09:00$/);

    const paid = await charge(data!.billingKey, customerKey, 12000);
    expect(paid.error).toBeUndefined();
    expectMatchesSpec("chargeBilling", 200, paid.data);
    expect(paid.data).toMatchObject({ status: "DONE", type: "BILLING", totalAmount: 12000 });
    expect(paid.data!.card!.number).toBe(data!.card!.number);
  });

  it.each([
    ["a short card number", { cardNumber: "1234" }, "INVALID_CARD_NUMBER"],
    ["a past expiry year", { cardExpirationYear: "20" }, "INVALID_CARD_EXPIRATION"],
    ["month 13", { cardExpirationMonth: "13" }, "INVALID_CARD_EXPIRATION"],
    ["a 7-digit identity", { customerIdentityNumber: "1234567" }, "INVALID_CARD_IDENTITY"],
    ["a bad customerKey", { customerKey: "bad key!" }, "INVALID_CUSTOMER_KEY"],
  ])("refuses %s with 400 %s", async (_what, extra, code) => {
    const { error, response } = await server.client().POST("/v1/billing/authorizations/card", {
      body: { customerKey: newCustomer(), cardNumber: "4330123412341234", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101", ...extra },
    });
    expect(response.status).toBe(400);
    expectMatchesSpec("issueBillingKeyWithCard", 400, error);
    expect(error?.code).toBe(code);
  });
});
