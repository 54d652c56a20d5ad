// createPayment (Toss's "create a payment window"), the buyer's part (authenticate, fail),
// forced expiry, confirm of a virtual account chosen in the window, and the window's look-up.
import { describe, expect, it } from "vitest";
import { formatKst } from "../../src/domain/clock.js";
import { AUTH_WINDOW_MS, CONFIRM_WINDOW_MS, type CreatePaymentInput } from "../../src/domain/payments.js";
import { T0, makeTenant, orderId, setup, tossError, type Ctx } from "./setup.js";

const HOUR = 3_600_000;
const ORIGIN = "http://127.0.0.1:4000";

const cardInput = (over: Partial<CreatePaymentInput> = {}): CreatePaymentInput => ({
  method: "CARD",
  amount: 39000,
  orderId: orderId(),
  orderName: "FakeToss 후드티",
  successUrl: "https://shop.example/success",
  failUrl: "https://shop.example/fail",
  ...over,
});
const vaInput = (over: Partial<CreatePaymentInput> = {}): CreatePaymentInput =>
  cardInput({ method: "VIRTUAL_ACCOUNT", amount: 25000, customerName: "홍길동", ...over });

async function windowVa(ctx: Ctx, over: Partial<CreatePaymentInput> = {}) {
  const rec = await ctx.service.createPayment(ctx.tenant, vaInput(over), ORIGIN);
  await ctx.service.authenticatePayment(ctx.tenant, rec.payment.paymentKey);
  return ctx.service.confirm(ctx.tenant, { paymentKey: rec.payment.paymentKey, orderId: rec.payment.orderId, amount: rec.payment.totalAmount });
}

describe("createPayment", () => {
  it("creates a READY card payment with checkout.url, a 30-minute window and the redirect URLs", async () => {
    const ctx = await setup();
    const { payment, session } = await ctx.service.createPayment(
      ctx.tenant,
      cardInput({ customerEmail: "a@b.co", metadata: { plan: "pro" } }),
      ORIGIN + "/",
    );
    expect(payment).toMatchObject({
      status: "READY", method: "CARD", type: "NORMAL", totalAmount: 39000, balanceAmount: 39000,
      suppliedAmount: 35455, vat: 3545, approvedAt: null, card: null, virtualAccount: null, receipt: null,
      requestedAt: formatKst(T0), metadata: { plan: "pro" }, failure: null, lastTransactionKey: null,
    });
    expect(payment.paymentKey).toMatch(/^pay_[A-Za-z0-9]{20}$/);
    expect(payment.checkout).toEqual({ url: `${ORIGIN}/v1/payments/${payment.paymentKey}/checkout` });
    expect(session).toMatchObject({
      authDeadline: T0 + AUTH_WINDOW_MS, confirmDeadline: null, customerEmail: "a@b.co",
      successUrl: "https://shop.example/success", failUrl: "https://shop.example/fail", validHours: null,
    });
    expect(await ctx.store.getPayment(ctx.tenant.id, payment.paymentKey)).toEqual({ payment, session });
  });

  it("creates a READY virtual-account payment (no account yet) keeping validHours for confirm", async () => {
    const ctx = await setup();
    const { payment, session } = await ctx.service.createPayment(ctx.tenant, vaInput({ validHours: 24 }), ORIGIN);
    expect(payment).toMatchObject({ status: "READY", method: "VIRTUAL_ACCOUNT", virtualAccount: null, card: null });
    expect(payment.paymentKey).toMatch(/^pay_va_/);
    expect(session).toMatchObject({ validHours: 24, customerName: "홍길동" });
  });

  it("supports only CARD and VIRTUAL_ACCOUNT: others are 400 NOT_SUPPORTED_METHOD", async () => {
    const ctx = await setup();
    for (const method of ["TRANSFER", "MOBILE_PHONE", "FOREIGN_EASY_PAY", "EASY_PAY"] as const) {
      const err = await tossError(ctx.service.createPayment(ctx.tenant, cardInput({ method }), ORIGIN));
      expect([err.code, err.status]).toEqual(["NOT_SUPPORTED_METHOD", 400]);
    }
  });

  it("needs absolute http(s) successUrl and failUrl: else 400 INVALID_URL", async () => {
    const ctx = await setup();
    for (const url of ["/success", "shop.example/success", "ftp://shop.example/s", "javascript:alert(1)", "https://a b.example/"]) {
      const s = await tossError(ctx.service.createPayment(ctx.tenant, cardInput({ successUrl: url }), ORIGIN));
      expect([s.code, s.status]).toEqual(["INVALID_URL", 400]);
      expect((await tossError(ctx.service.createPayment(ctx.tenant, cardInput({ failUrl: url }), ORIGIN))).code).toBe("INVALID_URL");
    }
    expect((await ctx.service.createPayment(ctx.tenant, cardInput({ successUrl: "http://localhost:3000/ok?x=1" }), ORIGIN)).payment.status)
      .toBe("READY");
  });

  it("applies minimum amounts (card 100, account 200), orderId, currency, validHours and duplicate rules", async () => {
    const ctx = await setup();
    const s = ctx.service;
    const t = ctx.tenant;
    expect((await tossError(s.createPayment(t, cardInput({ amount: 99 }), ORIGIN))).code).toBe("BELOW_MINIMUM_AMOUNT");
    expect((await s.createPayment(t, cardInput({ amount: 100 }), ORIGIN)).payment.totalAmount).toBe(100);
    expect((await tossError(s.createPayment(t, vaInput({ amount: 199 }), ORIGIN))).code).toBe("BELOW_MINIMUM_AMOUNT");
    expect((await s.createPayment(t, vaInput({ amount: 200 }), ORIGIN)).payment.totalAmount).toBe(200);
    expect((await tossError(s.createPayment(t, cardInput({ amount: 0 }), ORIGIN))).code).toBe("BELOW_ZERO_AMOUNT");
    expect((await tossError(s.createPayment(t, cardInput({ orderId: "order=1234" }), ORIGIN))).code).toBe("INVALID_ORDER_ID");
    expect((await tossError(s.createPayment(t, cardInput({ currency: "USD" }), ORIGIN))).code).toBe("INVALID_CURRENCY");
    expect((await tossError(s.createPayment(t, vaInput({ validHours: 2161 }), ORIGIN))).code).toBe("EXCEED_MAX_VALID_HOURS");
    expect((await tossError(s.createPayment(t, cardInput({ metadata: { a: "1", b: "2", c: "3", d: "4", e: "5", f: "6" } }), ORIGIN))).code)
      .toBe("INVALID_REQUEST");
    const input = cardInput();
    await s.createPayment(t, input, ORIGIN);
    expect((await tossError(s.createPayment(t, input, ORIGIN))).code).toBe("DUPLICATED_ORDER_ID");
  });

  it("expires a window nobody completed within 30 minutes", async () => {
    const ctx = await setup();
    const { payment } = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    ctx.clock.advance(AUTH_WINDOW_MS);
    expect((await ctx.service.getPayment(ctx.tenant, payment.paymentKey)).payment.status).toBe("READY");
    ctx.clock.advance(1);
    const expired = await ctx.service.getPayment(ctx.tenant, payment.paymentKey);
    expect(expired.payment).toMatchObject({ status: "EXPIRED", failure: { code: "EXPIRED_PAYMENT" } });
    const err = await tossError(ctx.service.authenticatePayment(ctx.tenant, payment.paymentKey));
    expect([err.code, err.status]).toEqual(["NOT_FOUND_PAYMENT_SESSION", 404]);
  });
});

describe("authenticatePayment", () => {
  it("READY → IN_PROGRESS with a card and a 10-minute confirm window; again is a no-op", async () => {
    const ctx = await setup();
    const { payment } = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    ctx.clock.advance(60_000);
    const authed = await ctx.service.authenticatePayment(ctx.tenant, payment.paymentKey);
    expect(authed.payment).toMatchObject({ status: "IN_PROGRESS", method: "CARD", card: { number: "1234-****-****-5678" } });
    expect(authed.session).toMatchObject({ authDeadline: null, confirmDeadline: T0 + 60_000 + CONFIRM_WINDOW_MS });
    ctx.clock.advance(60_000);
    expect(await ctx.service.authenticatePayment(ctx.tenant, payment.paymentKey)).toEqual(authed);
  });

  it("gives a virtual-account payment no card", async () => {
    const ctx = await setup();
    const { payment } = await ctx.service.createPayment(ctx.tenant, vaInput(), ORIGIN);
    const authed = await ctx.service.authenticatePayment(ctx.tenant, payment.paymentKey);
    expect(authed.payment).toMatchObject({ status: "IN_PROGRESS", method: "VIRTUAL_ACCOUNT", card: null, virtualAccount: null });
  });

  it("refuses DONE, ABORTED and other statuses with 400 INVALID_PAYMENT_STATUS, and unknown keys with 404", async () => {
    const ctx = await setup();
    const { payment } = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    await ctx.service.authenticatePayment(ctx.tenant, payment.paymentKey);
    await ctx.service.confirm(ctx.tenant, { paymentKey: payment.paymentKey, orderId: payment.orderId, amount: payment.totalAmount });
    const done = await tossError(ctx.service.authenticatePayment(ctx.tenant, payment.paymentKey));
    expect([done.code, done.status]).toEqual(["INVALID_PAYMENT_STATUS", 400]);
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, { orderId: orderId(), orderName: "v", amount: 1000, customerName: "홍" });
    expect((await tossError(ctx.service.authenticatePayment(ctx.tenant, va.payment.paymentKey))).code).toBe("INVALID_PAYMENT_STATUS");
    const unknown = await tossError(ctx.service.authenticatePayment(ctx.tenant, "pay_none"));
    expect([unknown.code, unknown.status]).toEqual(["NOT_FOUND_PAYMENT", 404]);
  });
});

describe("virtual account chosen in the window", () => {
  it("confirm issues the account: WAITING_FOR_DEPOSIT, bank 88, the session's customer, dueDate from validHours", async () => {
    const ctx = await setup();
    const rec = await ctx.service.createPayment(ctx.tenant, vaInput({ validHours: 24 }), ORIGIN);
    await ctx.service.authenticatePayment(ctx.tenant, rec.payment.paymentKey);
    ctx.clock.advance(5 * 60_000);
    const { payment } = await ctx.service.confirm(ctx.tenant, { paymentKey: rec.payment.paymentKey, orderId: rec.payment.orderId, amount: 25000 });
    expect(payment).toMatchObject({
      status: "WAITING_FOR_DEPOSIT", method: "VIRTUAL_ACCOUNT", approvedAt: null, card: null, balanceAmount: 25000,
    });
    expect(payment.secret).toMatch(/^ps_[A-Za-z0-9]{27}$/);
    expect(payment.lastTransactionKey).toMatch(/^[0-9A-F]{32}$/);
    expect(payment.receipt?.url).toContain("bank-transfer");
    expect(payment.virtualAccount).toEqual({
      accountType: "NORMAL",
      accountNumber: expect.stringMatching(/^X\d{13}$/),
      bankCode: "88",
      customerName: "홍길동",
      depositorName: null,
      dueDate: formatKst(T0 + 5 * 60_000 + 24 * HOUR),
      refundStatus: "NONE",
      expired: false,
      settlementStatus: "INCOMPLETED",
      refundReceiveAccount: null,
    });
  });

  it("defaults to 168 hours and the customer name 고객; a deposit then completes it", async () => {
    const ctx = await setup();
    const { payment } = await windowVa(ctx, { customerName: undefined });
    expect(payment.virtualAccount).toMatchObject({ customerName: "고객", dueDate: formatKst(T0 + 168 * HOUR) });
    const done = await ctx.service.depositVirtualAccount(ctx.tenant, payment.paymentKey, { depositorName: "김입금" });
    expect(done.payment).toMatchObject({ status: "DONE", approvedAt: formatKst(T0), virtualAccount: { depositorName: "김입금" } });
  });

  it("a card window payment still confirms to DONE", async () => {
    const ctx = await setup();
    const rec = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    await ctx.service.authenticatePayment(ctx.tenant, rec.payment.paymentKey);
    const { payment } = await ctx.service.confirm(ctx.tenant, { paymentKey: rec.payment.paymentKey, orderId: rec.payment.orderId, amount: 39000 });
    expect(payment).toMatchObject({ status: "DONE", approvedAt: formatKst(T0), virtualAccount: null });
    expect(payment.card?.approveNo).toMatch(/^\d{8}$/);
  });
});

describe("failPayment", () => {
  it("READY or IN_PROGRESS → ABORTED with the code and the catalogue's message (default PAY_PROCESS_ABORTED)", async () => {
    const ctx = await setup();
    const a = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    const failed = await ctx.service.failPayment(ctx.tenant, a.payment.paymentKey, {});
    expect(failed.payment).toMatchObject({
      status: "ABORTED", failure: { code: "PAY_PROCESS_ABORTED", message: "결제 진행 중 승인에 실패하여 결제가 중단되었습니다." },
    });

    const b = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    await ctx.service.authenticatePayment(ctx.tenant, b.payment.paymentKey);
    expect((await ctx.service.failPayment(ctx.tenant, b.payment.paymentKey, { code: "REJECT_CARD_COMPANY" })).payment.failure)
      .toEqual({ code: "REJECT_CARD_COMPANY", message: "결제 승인이 거절되었습니다." });

    const c = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    expect((await ctx.service.failPayment(ctx.tenant, c.payment.paymentKey, { code: "MY_OWN_CODE" })).payment.failure)
      .toEqual({ code: "MY_OWN_CODE", message: "결제에 실패했습니다." });
    const d = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    expect((await ctx.service.failPayment(ctx.tenant, d.payment.paymentKey, { code: "REJECT_CARD_COMPANY", message: "한도 초과" })).payment.failure)
      .toEqual({ code: "REJECT_CARD_COMPANY", message: "한도 초과" });
  });

  it("refuses any other status with 400 INVALID_PAYMENT_STATUS and changes nothing", async () => {
    const ctx = await setup();
    const a = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    await ctx.service.failPayment(ctx.tenant, a.payment.paymentKey);
    const again = await tossError(ctx.service.failPayment(ctx.tenant, a.payment.paymentKey));
    expect([again.code, again.status]).toEqual(["INVALID_PAYMENT_STATUS", 400]);
    const done = await ctx.service.keyIn(ctx.tenant, {
      amount: 1000, orderId: orderId(), orderName: "k", cardNumber: "9410001234567890",
      cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101",
    });
    expect((await tossError(ctx.service.failPayment(ctx.tenant, done.payment.paymentKey))).code).toBe("INVALID_PAYMENT_STATUS");
    expect((await ctx.service.getPayment(ctx.tenant, done.payment.paymentKey)).payment.status).toBe("DONE");
    expect((await tossError(ctx.service.failPayment(ctx.tenant, "pay_none"))).code).toBe("NOT_FOUND_PAYMENT");
  });
});

describe("expirePayment", () => {
  it("READY and IN_PROGRESS → EXPIRED with failure EXPIRED_PAYMENT, whatever the clock says", async () => {
    const ctx = await setup();
    const a = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    expect((await ctx.service.expirePayment(ctx.tenant, a.payment.paymentKey)).payment)
      .toMatchObject({ status: "EXPIRED", failure: { code: "EXPIRED_PAYMENT", message: "결제가 만료되었습니다. 다시 시도해주세요." } });
    const b = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: orderId(), orderName: "x", amount: 1000, confirmDeadline: null });
    expect((await ctx.service.expirePayment(ctx.tenant, b.payment.paymentKey)).payment.status).toBe("EXPIRED");
    const err = await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: b.payment.paymentKey, orderId: b.payment.orderId, amount: 1000 }));
    expect(err.code).toBe("NOT_FOUND_PAYMENT_SESSION");
  });

  it("a waiting virtual account gets expired: true and dueDate now, and stays WAITING_FOR_DEPOSIT", async () => {
    const ctx = await setup();
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, { orderId: orderId(), orderName: "v", amount: 1000, customerName: "홍" });
    ctx.clock.advance(HOUR + 500);
    const { payment } = await ctx.service.expirePayment(ctx.tenant, va.payment.paymentKey);
    expect(payment).toMatchObject({ status: "WAITING_FOR_DEPOSIT", virtualAccount: { expired: true, dueDate: formatKst(T0 + HOUR) } });
    expect((await tossError(ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey))).code).toBe("EXPIRED_VIRTUAL_ACCOUNT");
    // Expiring an expired account again answers it as it is.
    expect((await ctx.service.expirePayment(ctx.tenant, va.payment.paymentKey)).payment).toEqual(payment);
  });

  it("a payment whose deadline just passed is answered EXPIRED, not refused", async () => {
    const ctx = await setup();
    const a = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    ctx.clock.advance(AUTH_WINDOW_MS + 1);
    expect((await ctx.service.expirePayment(ctx.tenant, a.payment.paymentKey)).payment.status).toBe("EXPIRED");
    // Once expired, it is a status like any other.
    const err = await tossError(ctx.service.expirePayment(ctx.tenant, a.payment.paymentKey));
    expect([err.code, err.status]).toEqual(["INVALID_PAYMENT_STATUS", 400]);
  });

  it("refuses DONE, CANCELED and ABORTED with 400 INVALID_PAYMENT_STATUS", async () => {
    const ctx = await setup();
    const a = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    await ctx.service.failPayment(ctx.tenant, a.payment.paymentKey);
    expect((await tossError(ctx.service.expirePayment(ctx.tenant, a.payment.paymentKey))).code).toBe("INVALID_PAYMENT_STATUS");
    const { payment } = await windowVa(ctx);
    await ctx.service.depositVirtualAccount(ctx.tenant, payment.paymentKey);
    expect((await tossError(ctx.service.expirePayment(ctx.tenant, payment.paymentKey))).code).toBe("INVALID_PAYMENT_STATUS");
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, { orderId: orderId(), orderName: "v", amount: 1000, customerName: "홍" });
    await ctx.service.cancel(ctx.tenant, va.payment.paymentKey, { cancelReason: "x" });
    expect((await tossError(ctx.service.expirePayment(ctx.tenant, va.payment.paymentKey))).code).toBe("INVALID_PAYMENT_STATUS");
  });
});

describe("findPaymentForCheckout", () => {
  it("finds a payment by key in any tenant, and applies that tenant's deadlines (persisted)", async () => {
    const ctx = await setup();
    const other = makeTenant("tn_window_other");
    await ctx.store.upsertTenant(other);
    const mine = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    const theirs = await ctx.service.createPayment(other, cardInput(), ORIGIN);
    expect(await ctx.service.findPaymentForCheckout(mine.payment.paymentKey)).toEqual({ tenantId: ctx.tenant.id, rec: mine });
    expect((await ctx.service.findPaymentForCheckout(theirs.payment.paymentKey))?.tenantId).toBe(other.id);
    expect(await ctx.service.findPaymentForCheckout("pay_none")).toBeUndefined();

    ctx.clock.advance(AUTH_WINDOW_MS + 1);
    const found = await ctx.service.findPaymentForCheckout(mine.payment.paymentKey);
    expect(found?.rec.payment.status).toBe("EXPIRED");
    expect((await ctx.store.getPayment(ctx.tenant.id, mine.payment.paymentKey))?.payment.status).toBe("EXPIRED");
  });

  it("prefers the READY payment when two tenants share a key, even over a newer one", async () => {
    const ctx = await setup();
    const other = makeTenant("tn_window_dup");
    const ready = await ctx.service.createPayment(other, cardInput(), ORIGIN);
    await ctx.store.insertPayment(other.id, { ...ready, payment: { ...ready.payment, paymentKey: "pay_shared", orderId: orderId() } });
    const authenticated = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    await ctx.store.insertPayment(ctx.tenant.id, {
      ...authenticated,
      payment: { ...authenticated.payment, paymentKey: "pay_shared", orderId: orderId(), status: "IN_PROGRESS" },
    });
    expect((await ctx.service.findPaymentForCheckout("pay_shared"))?.tenantId).toBe(other.id);
  });

  it("finds only payments that have a window (a checkout.url): a key-in payment's key opens nothing", async () => {
    const ctx = await setup();
    const keyed = await ctx.service.keyIn(ctx.tenant, { amount: 1000, orderId: orderId(), orderName: "x", cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" });
    expect(keyed.payment.checkout).toBeNull();
    expect(await ctx.service.findPaymentForCheckout(keyed.payment.paymentKey)).toBeUndefined();
    const windowed = await ctx.service.createPayment(ctx.tenant, cardInput(), ORIGIN);
    await ctx.service.authenticatePayment(ctx.tenant, windowed.payment.paymentKey);
    // A window payment stays findable after it moves on, for the "already processed" page.
    expect((await ctx.service.findPaymentForCheckout(windowed.payment.paymentKey))?.rec.payment.status).toBe("IN_PROGRESS");
  });
});
