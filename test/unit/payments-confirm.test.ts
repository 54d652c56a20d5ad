import { describe, expect, it } from "vitest";
import { applyDeadlines, AUTH_WINDOW_MS, buildCardPaymentSession, CONFIRM_WINDOW_MS } from "../../src/domain/payments.js";
import { T0, orderId, setup, tossError } from "./setup.js";

describe("confirm", () => {
  it("approves an authenticated (IN_PROGRESS) payment: DONE, approvedAt, approveNo, transaction key, VAT", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "티셔츠", amount: 15000 });
    expect(s.payment.status).toBe("IN_PROGRESS");
    ctx.clock.advance(60_000);
    const { payment } = await ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 15000 });
    expect(payment).toMatchObject({
      status: "DONE",
      method: "CARD",
      type: "NORMAL",
      approvedAt: "2026-04-21T10:15:00+09:00",
      requestedAt: "2026-04-21T10:14:00+09:00",
      totalAmount: 15000,
      balanceAmount: 15000,
      suppliedAmount: 13636,
      vat: 1364,
      currency: "KRW",
      mId: "tfaketoss",
      version: "2022-11-16",
      cancels: null,
      failure: null,
    });
    expect(payment.lastTransactionKey).toMatch(/^[0-9A-F]{32}$/);
    expect(payment.card?.approveNo).toMatch(/^\d{8}$/);
    expect(payment.card?.amount).toBe(15000);
    expect(payment.secret).toMatch(/^ps_/);
    expect(payment.receipt?.url).toContain(payment.paymentKey);
    expect((await ctx.service.getPayment(ctx.tenant, payment.paymentKey)).payment).toEqual(payment);
  });

  it("answers an unknown paymentKey with 404 NOT_FOUND_PAYMENT_SESSION", async () => {
    const ctx = await setup();
    const err = await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: "pay_nope", orderId: "order-001", amount: 1000 }));
    expect([err.code, err.status]).toEqual(["NOT_FOUND_PAYMENT_SESSION", 404]);
  });

  it("refuses a READY (not yet authenticated) payment with NOT_FOUND_PAYMENT_SESSION", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "x", amount: 1000, status: "READY" });
    const err = await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 1000 }));
    expect(err.code).toBe("NOT_FOUND_PAYMENT_SESSION");
  });

  it("refuses a second confirm with 400 ALREADY_PROCESSED_PAYMENT", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "x", amount: 1000 });
    await ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 1000 });
    const err = await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 1000 }));
    expect([err.code, err.status]).toEqual(["ALREADY_PROCESSED_PAYMENT", 400]);
  });

  it("refuses a canceled payment and a waiting virtual account with ALREADY_PROCESSED_PAYMENT", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "x", amount: 1000 });
    await ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 1000 });
    await ctx.service.cancel(ctx.tenant, s.payment.paymentKey, { cancelReason: "r" });
    expect((await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 1000 }))).code)
      .toBe("ALREADY_PROCESSED_PAYMENT");
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, { orderId: orderId(), orderName: "v", amount: 1000, customerName: "홍길동" });
    expect((await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: va.payment.paymentKey, orderId: va.payment.orderId, amount: 1000 }))).code)
      .toBe("ALREADY_PROCESSED_PAYMENT");
  });

  it("refuses a different orderId with NOT_FOUND_PAYMENT_SESSION and a different amount with INVALID_REQUEST", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "x", amount: 1000 });
    const key = s.payment.paymentKey;
    expect((await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: key, orderId: "order-other", amount: 1000 }))).code)
      .toBe("NOT_FOUND_PAYMENT_SESSION");
    const err = await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: key, orderId: oid, amount: 999 }));
    expect([err.code, err.status]).toEqual(["INVALID_REQUEST", 400]);
    expect(err.messageKo).toContain("금액");
    // Neither refusal consumed the session.
    expect((await ctx.service.confirm(ctx.tenant, { paymentKey: key, orderId: oid, amount: 1000 })).payment.status).toBe("DONE");
  });

  it("expires an authenticated payment not confirmed within 10 minutes, and persists the expiry", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "x", amount: 1000 });
    ctx.clock.advance(CONFIRM_WINDOW_MS + 1);
    const err = await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 1000 }));
    expect([err.code, err.status]).toEqual(["NOT_FOUND_PAYMENT_SESSION", 404]);
    const stored = await ctx.store.getPayment(ctx.tenant.id, s.payment.paymentKey);
    expect(stored?.payment.status).toBe("EXPIRED");
    expect(stored?.payment.failure).toEqual({ code: "EXPIRED_PAYMENT", message: "결제가 만료되었습니다. 다시 시도해주세요." });
  });

  it("still confirms at the last millisecond of the window", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "x", amount: 1000 });
    ctx.clock.advance(CONFIRM_WINDOW_MS);
    expect((await ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 1000 })).payment.status).toBe("DONE");
  });

  it("shows an expired session as EXPIRED on GET (by key and by orderId) and stores it", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "x", amount: 1000, status: "READY" });
    ctx.clock.advance(AUTH_WINDOW_MS + 1);
    expect((await ctx.service.getPaymentByOrderId(ctx.tenant, oid)).payment.status).toBe("EXPIRED");
    expect((await ctx.store.getPayment(ctx.tenant.id, s.payment.paymentKey))?.payment.status).toBe("EXPIRED");
    expect((await ctx.service.getPayment(ctx.tenant, s.payment.paymentKey)).payment.failure?.code).toBe("EXPIRED_PAYMENT");
  });

  it("never expires a session whose confirmDeadline is null", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "x", amount: 1000, confirmDeadline: null });
    ctx.clock.advance(365 * 86_400_000);
    expect((await ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 1000 })).payment.status).toBe("DONE");
  });

  it("authenticating a READY payment opens the confirm window", async () => {
    const ctx = await setup();
    const oid = orderId();
    const s = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: oid, orderName: "x", amount: 1000, status: "READY" });
    const authed = await ctx.service.authenticatePayment(ctx.tenant, s.payment.paymentKey, { number: "4330-****-****-1234" });
    expect(authed.payment.status).toBe("IN_PROGRESS");
    expect(authed.session.confirmDeadline).toBe(T0 + CONFIRM_WINDOW_MS);
    const done = await ctx.service.confirm(ctx.tenant, { paymentKey: s.payment.paymentKey, orderId: oid, amount: 1000 });
    expect(done.payment.card?.number).toBe("4330-****-****-1234");
  });

  it("with autoApproveUnknownPaymentKeys, approves an unknown paymentKey as a new card payment", async () => {
    const ctx = await setup();
    const tenant = { ...ctx.tenant, settings: { ...ctx.tenant.settings, autoApproveUnknownPaymentKeys: true } };
    const { payment } = await ctx.service.confirm(tenant, { paymentKey: "pay_from_frontend", orderId: "order-auto-1", amount: 3000 });
    expect(payment).toMatchObject({ paymentKey: "pay_from_frontend", orderId: "order-auto-1", status: "DONE", totalAmount: 3000 });
    expect((await tossError(ctx.service.confirm(tenant, { paymentKey: "pay_from_frontend", orderId: "order-auto-1", amount: 3000 }))).code)
      .toBe("ALREADY_PROCESSED_PAYMENT");
  });

  it("GET of an unknown payment is 404 NOT_FOUND_PAYMENT", async () => {
    const ctx = await setup();
    expect((await tossError(ctx.service.getPayment(ctx.tenant, "pay_none"))).code).toBe("NOT_FOUND_PAYMENT");
    expect((await tossError(ctx.service.getPaymentByOrderId(ctx.tenant, "order-none"))).code).toBe("NOT_FOUND_PAYMENT");
  });
});

describe("applyDeadlines", () => {
  it("returns the same object when nothing is due", async () => {
    const ctx = await setup();
    const rec = buildCardPaymentSession(ctx.tenant, T0, { orderId: "order-dl-1", orderName: "x", amount: 1000 });
    expect(applyDeadlines(rec, T0 + CONFIRM_WINDOW_MS)).toBe(rec);
    const expired = applyDeadlines(rec, T0 + CONFIRM_WINDOW_MS + 1);
    expect(expired).not.toBe(rec);
    expect(expired.payment.status).toBe("EXPIRED");
    expect(rec.payment.status).toBe("IN_PROGRESS"); // pure
  });
});
