import { describe, expect, it } from "vitest";
import type { Ctx } from "./setup.js";
import { orderId, setup, tossError } from "./setup.js";

const CUSTOMER = "customer-123";

async function withAuth(ctx: Ctx, authKey = "auth_t1", billingKey: string | null = null) {
  await ctx.store.insertBillingAuth(ctx.tenant.id, {
    authKey,
    customerKey: CUSTOMER,
    billingKey,
    card: { issuerCode: "61", acquirerCode: "31", number: "5520-****-****-1234", cardType: "CHECK", ownerType: "PERSONAL" },
    used: false,
  });
}

const charge = (amount = 9900) => ({ customerKey: CUSTOMER, orderId: orderId(), orderName: "월 구독권", amount });

describe("billing key issue", () => {
  it("turns an unused authKey into a CARD billing key, once", async () => {
    const ctx = await setup();
    await withAuth(ctx);
    const billing = await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_t1", customerKey: CUSTOMER });
    expect(billing).toMatchObject({
      mId: "tfaketoss", customerKey: CUSTOMER, method: "CARD", authenticatedAt: "2026-04-21T10:14:00+09:00",
      card: { issuerCode: "61", acquirerCode: "31", number: "5520-****-****-1234", cardType: "CHECK", ownerType: "PERSONAL" },
      cardCompany: "현대카드", cardNumber: "5520-****-****-1234", transfers: null,
    });
    expect(billing.billingKey).toMatch(/^bill_[A-Za-z0-9]{40}$/);
    const again = await tossError(ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_t1", customerKey: CUSTOMER }));
    expect([again.code, again.status]).toEqual(["INVALID_BILLING_AUTH", 400]);
  });

  it("refuses an unknown authKey with INVALID_BILLING_AUTH and another customer with NOT_MATCHES_CUSTOMER_KEY", async () => {
    const ctx = await setup();
    await withAuth(ctx);
    expect((await tossError(ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_none", customerKey: CUSTOMER }))).code)
      .toBe("INVALID_BILLING_AUTH");
    const err = await tossError(ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_t1", customerKey: "someone-else" }));
    expect([err.code, err.status]).toEqual(["NOT_MATCHES_CUSTOMER_KEY", 400]);
    // The refusal did not consume the authKey.
    expect((await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_t1", customerKey: CUSTOMER })).customerKey).toBe(CUSTOMER);
  });

  it("does not see another tenant's authKey", async () => {
    const ctx = await setup();
    await withAuth(ctx);
    const stranger = { ...ctx.tenant, id: "tn_other" };
    expect((await tossError(ctx.service.issueBillingKey(stranger, { authKey: "auth_t1", customerKey: CUSTOMER }))).code)
      .toBe("INVALID_BILLING_AUTH");
  });
});

describe("billing charge", () => {
  it("approves a BILLING card payment at once with the billing's card", async () => {
    const ctx = await setup();
    await withAuth(ctx);
    const { billingKey } = await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_t1", customerKey: CUSTOMER });
    const { payment, session } = await ctx.service.chargeBilling(ctx.tenant, billingKey, {
      ...charge(60000), taxFreeAmount: 1000, cardInstallmentPlan: 3, customerEmail: "a@b.co",
    });
    expect(payment).toMatchObject({
      type: "BILLING", method: "CARD", status: "DONE", approvedAt: "2026-04-21T10:14:00+09:00",
      totalAmount: 60000, balanceAmount: 60000, taxFreeAmount: 1000, vat: 5364, suppliedAmount: 53636,
      card: { number: "5520-****-****-1234", issuerCode: "61", installmentPlanMonths: 3, amount: 60000, cardType: "CHECK" },
    });
    expect(payment.paymentKey).toMatch(/^pay_bill_/);
    expect(payment.secret).toMatch(/^ps_/);
    expect(payment.card?.approveNo).toMatch(/^\d{8}$/);
    expect(session).toMatchObject({ customerKey: CUSTOMER, customerEmail: "a@b.co" });
    // A billing payment is cancelable like any card payment.
    expect((await ctx.service.cancel(ctx.tenant, payment.paymentKey, { cancelReason: "환불" })).payment.status).toBe("CANCELED");
  });

  it("refuses unknown, removed and other customers' billing keys", async () => {
    const ctx = await setup();
    await withAuth(ctx);
    const { billingKey } = await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_t1", customerKey: CUSTOMER });
    const unknown = await tossError(ctx.service.chargeBilling(ctx.tenant, "bill_none", charge()));
    expect([unknown.code, unknown.status]).toEqual(["NOT_FOUND_BILLING", 404]);
    const mismatch = await tossError(ctx.service.chargeBilling(ctx.tenant, billingKey, { ...charge(), customerKey: "other" }));
    expect([mismatch.code, mismatch.status]).toEqual(["NOT_MATCHES_CUSTOMER_KEY", 400]);
    await ctx.store.updateBilling(ctx.tenant.id, billingKey, (b) => ({ ...b, removed: true }));
    const removed = await tossError(ctx.service.chargeBilling(ctx.tenant, billingKey, charge()));
    expect([removed.code, removed.status]).toEqual(["ALREADY_REMOVED_BILLING_KEY", 400]);
  });

  it("refuses a reused orderId, also when the same charge races itself", async () => {
    const ctx = await setup();
    await withAuth(ctx);
    const { billingKey } = await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_t1", customerKey: CUSTOMER });
    const input = charge();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => ctx.service.chargeBilling(ctx.tenant, billingKey, input)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const err = await tossError(ctx.service.chargeBilling(ctx.tenant, billingKey, input));
    expect([err.code, err.status]).toEqual(["DUPLICATED_ORDER_ID", 400]);
  });

  it("applies the card minimum (100 KRW) and installment rules", async () => {
    const ctx = await setup();
    await withAuth(ctx);
    const { billingKey } = await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_t1", customerKey: CUSTOMER });
    const s = ctx.service;
    expect((await tossError(s.chargeBilling(ctx.tenant, billingKey, charge(0)))).code).toBe("BELOW_ZERO_AMOUNT");
    expect((await tossError(s.chargeBilling(ctx.tenant, billingKey, charge(99)))).code).toBe("BELOW_MINIMUM_AMOUNT");
    expect((await s.chargeBilling(ctx.tenant, billingKey, charge(100))).payment.totalAmount).toBe(100);
    expect((await tossError(s.chargeBilling(ctx.tenant, billingKey, { ...charge(60000), cardInstallmentPlan: 13 }))).code)
      .toBe("EXCEED_MAX_CARD_INSTALLMENT_PLAN");
    expect((await tossError(s.chargeBilling(ctx.tenant, billingKey, { ...charge(60000), cardInstallmentPlan: 1 }))).code)
      .toBe("INVALID_CARD_INSTALLMENT_PLAN");
    expect((await tossError(s.chargeBilling(ctx.tenant, billingKey, { ...charge(49999), cardInstallmentPlan: 2 }))).code)
      .toBe("INVALID_CARD_INSTALLMENT_PLAN");
  });

  it("a taxExemptionAmount makes the payment not partially cancelable", async () => {
    const ctx = await setup();
    await withAuth(ctx);
    const { billingKey } = await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_t1", customerKey: CUSTOMER });
    const { payment } = await ctx.service.chargeBilling(ctx.tenant, billingKey, { ...charge(10000), taxExemptionAmount: 500 });
    expect(payment).toMatchObject({ isPartialCancelable: false, taxExemptionAmount: 500 });
    expect((await tossError(ctx.service.cancel(ctx.tenant, payment.paymentKey, { cancelReason: "x", cancelAmount: 100 }))).code)
      .toBe("NOT_ALLOWED_PARTIAL_REFUND");
  });
});
