// Typed-in cards: key-in payments, card billing keys, the billing-auth window's authKey, and
// deleting billing keys. One card parser serves them all.
import { describe, expect, it } from "vitest";
import { cardBinOf, CARD_BINS, FALLBACK_CARD_BIN } from "../../src/domain/banks.js";
import { cardFromNumber, maskCardNumber, parseCardEntry, type KeyInInput } from "../../src/domain/payments.js";
import { T0, orderId, setup, tossError } from "./setup.js";

const CARD = { cardNumber: "9410001234567890", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" };
const keyIn = (over: Partial<KeyInInput> = {}): KeyInInput => ({ amount: 15000, orderId: orderId(), orderName: "키인 결제", ...CARD, ...over });

describe("card masking and BINs", () => {
  it("masks Toss-style: first 8, ****, the rest with the last digit masked", () => {
    expect(maskCardNumber("9410001234567890")).toBe("94100012****789*");
    expect(maskCardNumber("12345678901234")).toBe("12345678****3*");
    expect(maskCardNumber("1234567890123456789")).toBe("12345678****345678*");
  });

  it("maps 9410 to 하나카드 (21) as Toss's test mode does, by the longest prefix", () => {
    expect(cardBinOf("9410001234567890")).toMatchObject({ issuerCode: "21", acquirerCode: "21", cardType: "CREDIT" });
    expect(cardBinOf("9411001234567890")).toMatchObject({ issuerCode: "21", cardType: "CHECK" });
    expect(cardBinOf("4111111111111111")).toMatchObject({ issuerCode: "4V", acquirerCode: "21" });
    expect(cardBinOf("5520221234567890")).toMatchObject({ issuerCode: "4M" });
    expect(cardBinOf("3712345678901234")).toMatchObject({ issuerCode: "7A" });
    expect(cardBinOf("1234567890123456")).toBe(FALLBACK_CARD_BIN);
    expect(FALLBACK_CARD_BIN.issuerCode).toBe("41");
    for (const b of CARD_BINS) expect(b.prefix).toMatch(/^\d+$/);
  });

  it("cardFromNumber: 14–19 digits (no Luhn), else INVALID_CARD_NUMBER", () => {
    expect(cardFromNumber("9410-0012-3456-7890")).toMatchObject({ number: "94100012****789*", issuerCode: "21" });
    expect(cardFromNumber("12345678901234").number).toBe("12345678****3*");
    expect(cardFromNumber("1234567890123456789").number).toBe("12345678****345678*");
    for (const bad of ["1234567890123", "12345678901234567890", "94100012345678ab", "", "941000"]) {
      const err = (() => {
        try {
          cardFromNumber(bad);
        } catch (e) {
          return e as { code: string; status: number };
        }
        throw new Error(`accepted ${bad}`);
      })();
      expect([err.code, err.status]).toEqual(["INVALID_CARD_NUMBER", 400]);
    }
  });

  it("parseCardEntry checks expiry against the given clock, identity and password", () => {
    const codeOf = (over: Record<string, string>, now = T0): string => {
      try {
        parseCardEntry({ ...CARD, ...over }, now);
        return "ok";
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    // T0 is April 2026 (KST): April 2026 is still valid, March 2026 is not.
    expect(codeOf({ cardExpirationYear: "26", cardExpirationMonth: "04" })).toBe("ok");
    expect(codeOf({ cardExpirationYear: "26", cardExpirationMonth: "03" })).toBe("INVALID_CARD_EXPIRATION");
    expect(codeOf({ cardExpirationYear: "25", cardExpirationMonth: "12" })).toBe("INVALID_CARD_EXPIRATION");
    expect(codeOf({ cardExpirationYear: "26", cardExpirationMonth: "04" }, Date.UTC(2026, 3, 30, 15, 0, 0))).toBe("INVALID_CARD_EXPIRATION"); // May 1st KST
    for (const m of ["00", "13", "1a", ""]) expect(codeOf({ cardExpirationMonth: m })).toBe("INVALID_CARD_EXPIRATION");
    expect(codeOf({ cardExpirationYear: "3" })).toBe("INVALID_CARD_EXPIRATION");
    for (const id of ["90010", "9001011", "12345678901", "90O101"]) expect(codeOf({ customerIdentityNumber: id })).toBe("INVALID_CARD_IDENTITY");
    expect(codeOf({ cardPassword: "1" })).toBe("INVALID_CARD_PASSWORD");
    expect(codeOf({ cardPassword: "12" })).toBe("ok");
    expect(parseCardEntry(CARD, T0).ownerType).toBe("PERSONAL");
    expect(parseCardEntry({ ...CARD, customerIdentityNumber: "1234567890" }, T0).ownerType).toBe("CORPORATE");
  });
});

describe("key-in payment", () => {
  it("approves a DONE NORMAL card payment at once with the masked card, BIN issuer and an 8-digit approveNo", async () => {
    const ctx = await setup();
    const { payment, session } = await ctx.service.keyIn(ctx.tenant, keyIn({ customerName: "홍길동", customerEmail: "a@b.co" }));
    expect(payment).toMatchObject({
      type: "NORMAL", method: "CARD", status: "DONE", approvedAt: "2026-04-21T10:14:00+09:00", requestedAt: "2026-04-21T10:14:00+09:00",
      totalAmount: 15000, balanceAmount: 15000, suppliedAmount: 13636, vat: 1364, virtualAccount: null, checkout: null,
      card: {
        amount: 15000, issuerCode: "21", acquirerCode: "21", number: "94100012****789*", installmentPlanMonths: 0,
        useCardPoint: false, cardType: "CREDIT", ownerType: "PERSONAL", acquireStatus: "READY", isInterestFree: false, interestPayer: null,
      },
    });
    expect(payment.card?.approveNo).toMatch(/^\d{8}$/);
    expect(payment.lastTransactionKey).toMatch(/^[0-9A-F]{32}$/);
    expect(payment.receipt?.url).toContain("receipt/redirection");
    expect(session).toMatchObject({ customerName: "홍길동", customerEmail: "a@b.co" });
    // Cancelable like any card payment.
    expect((await ctx.service.cancel(ctx.tenant, payment.paymentKey, { cancelReason: "x", cancelAmount: 5000 })).payment.status)
      .toBe("PARTIAL_CANCELED");
  });

  it("a check BIN, a business identity, installments and card points show on the card", async () => {
    const ctx = await setup();
    const { payment } = await ctx.service.keyIn(ctx.tenant, keyIn({
      amount: 60000, cardNumber: "9411001234567890", customerIdentityNumber: "1234567890",
      cardInstallmentPlan: 3, useFreeInstallmentPlan: true, useCardPoint: true,
    }));
    expect(payment.card).toMatchObject({
      cardType: "CHECK", ownerType: "CORPORATE", installmentPlanMonths: 3, isInterestFree: true, interestPayer: "MERCHANT", useCardPoint: true,
    });
    const paid = await ctx.service.keyIn(ctx.tenant, keyIn({ amount: 60000, cardInstallmentPlan: 2 }));
    expect(paid.payment.card).toMatchObject({ installmentPlanMonths: 2, isInterestFree: false, interestPayer: "BUYER" });
  });

  it("refuses bad cards, amounts, orderIds, installments and duplicates with Toss's codes", async () => {
    const ctx = await setup();
    const s = ctx.service;
    const t = ctx.tenant;
    const code = async (over: Partial<KeyInInput>) => (await tossError(s.keyIn(t, keyIn(over)))).code;
    expect(await code({ cardNumber: "1234567890123" })).toBe("INVALID_CARD_NUMBER");
    expect(await code({ cardNumber: "12345678901234567890" })).toBe("INVALID_CARD_NUMBER");
    expect(await code({ cardExpirationYear: "25" })).toBe("INVALID_CARD_EXPIRATION");
    expect(await code({ cardExpirationMonth: "13" })).toBe("INVALID_CARD_EXPIRATION");
    expect(await code({ customerIdentityNumber: "1234567" })).toBe("INVALID_CARD_IDENTITY");
    expect(await code({ amount: 99 })).toBe("BELOW_MINIMUM_AMOUNT");
    expect(await code({ amount: 0 })).toBe("BELOW_ZERO_AMOUNT");
    expect(await code({ orderId: "abc" })).toBe("INVALID_ORDER_ID");
    expect(await code({ orderId: "order.with.dots" })).toBe("INVALID_ORDER_ID");
    expect(await code({ cardInstallmentPlan: 1, amount: 60000 })).toBe("INVALID_CARD_INSTALLMENT_PLAN");
    expect(await code({ cardInstallmentPlan: 2, amount: 49999 })).toBe("INVALID_CARD_INSTALLMENT_PLAN");
    expect(await code({ cardInstallmentPlan: 13, amount: 60000 })).toBe("EXCEED_MAX_CARD_INSTALLMENT_PLAN");
    const input = keyIn();
    await s.keyIn(t, input);
    expect((await tossError(s.keyIn(t, input))).code).toBe("DUPLICATED_ORDER_ID");
  });

  it("judges expiry by the tenant's clock", async () => {
    const ctx = await setup();
    ctx.clock.set(Date.UTC(2031, 0, 1));
    expect((await tossError(ctx.service.keyIn(ctx.tenant, keyIn()))).code).toBe("INVALID_CARD_EXPIRATION");
  });
});

describe("billing key from a card number", () => {
  it("issues a stored billing key that chargeBilling can use", async () => {
    const ctx = await setup();
    const billing = await ctx.service.issueBillingKeyWithCard(ctx.tenant, { customerKey: "customer-card-1", ...CARD, cardPassword: "12" });
    expect(billing).toMatchObject({
      mId: "tfaketoss", customerKey: "customer-card-1", method: "CARD", authenticatedAt: "2026-04-21T10:14:00+09:00",
      card: { issuerCode: "21", acquirerCode: "21", number: "94100012****789*", cardType: "CREDIT", ownerType: "PERSONAL" },
      cardCompany: "하나카드", cardNumber: "94100012****789*", transfers: null,
    });
    expect(billing.billingKey).toMatch(/^bill_[A-Za-z0-9]{40}$/);
    expect((await ctx.store.getBilling(ctx.tenant.id, billing.billingKey))?.billing).toEqual(billing);
    const { payment } = await ctx.service.chargeBilling(ctx.tenant, billing.billingKey, {
      customerKey: "customer-card-1", orderId: orderId(), orderName: "월 구독", amount: 9900,
    });
    expect(payment).toMatchObject({ type: "BILLING", status: "DONE", card: { number: "94100012****789*", issuerCode: "21" } });
  });

  it("refuses a bad card or customerKey", async () => {
    const ctx = await setup();
    const s = ctx.service;
    expect((await tossError(s.issueBillingKeyWithCard(ctx.tenant, { customerKey: "c-1", ...CARD, cardNumber: "941000" }))).code)
      .toBe("INVALID_CARD_NUMBER");
    expect((await tossError(s.issueBillingKeyWithCard(ctx.tenant, { customerKey: "c-1", ...CARD, cardExpirationYear: "20" }))).code)
      .toBe("INVALID_CARD_EXPIRATION");
    expect((await tossError(s.issueBillingKeyWithCard(ctx.tenant, { customerKey: "c-1", ...CARD, customerIdentityNumber: "1" }))).code)
      .toBe("INVALID_CARD_IDENTITY");
    const bad = await tossError(s.issueBillingKeyWithCard(ctx.tenant, { customerKey: "bad key!", ...CARD }));
    expect([bad.code, bad.status]).toEqual(["INVALID_CUSTOMER_KEY", 400]);
    expect((await tossError(s.issueBillingKeyWithCard(ctx.tenant, { customerKey: "x", ...CARD }))).code).toBe("INVALID_CUSTOMER_KEY");
  });
});

describe("deleteBillingKey", () => {
  it("removes a key: charges and a second delete get 400 ALREADY_REMOVED_BILLING_KEY; unknown keys 404 NOT_FOUND_BILLING", async () => {
    const ctx = await setup();
    const { billingKey } = await ctx.service.issueBillingKeyWithCard(ctx.tenant, { customerKey: "customer-del", ...CARD });
    await expect(ctx.service.deleteBillingKey(ctx.tenant, billingKey)).resolves.toBeUndefined();
    const again = await tossError(ctx.service.deleteBillingKey(ctx.tenant, billingKey));
    expect([again.code, again.status]).toEqual(["ALREADY_REMOVED_BILLING_KEY", 400]);
    const charge = await tossError(ctx.service.chargeBilling(ctx.tenant, billingKey, {
      customerKey: "customer-del", orderId: orderId(), orderName: "x", amount: 1000,
    }));
    expect(charge.code).toBe("ALREADY_REMOVED_BILLING_KEY");
    const unknown = await tossError(ctx.service.deleteBillingKey(ctx.tenant, "bill_none"));
    expect([unknown.code, unknown.status]).toEqual(["NOT_FOUND_BILLING", 404]);
    const stranger = { ...ctx.tenant, id: "tn_stranger" };
    expect((await tossError(ctx.service.deleteBillingKey(stranger, billingKey))).code).toBe("NOT_FOUND_BILLING");
  });
});

describe("issueBillingAuth (the billing-auth window)", () => {
  it("hands out a fresh single-use authKey with the default test card, which issueBillingKey turns into a billing key", async () => {
    const ctx = await setup();
    const auth = await ctx.service.issueBillingAuth(ctx.tenant, { customerKey: "customer-auth" });
    expect(auth).toMatchObject({
      customerKey: "customer-auth", billingKey: null, used: false,
      card: { number: "94100012****789*", issuerCode: "21", cardType: "CREDIT", ownerType: "PERSONAL" },
    });
    expect(auth.authKey).toMatch(/^auth_[A-Za-z0-9]{30}$/);
    expect((await ctx.service.issueBillingAuth(ctx.tenant, { customerKey: "customer-auth" })).authKey).not.toBe(auth.authKey);
    const billing = await ctx.service.issueBillingKey(ctx.tenant, { authKey: auth.authKey, customerKey: "customer-auth" });
    expect(billing.card?.number).toBe("94100012****789*");
    expect((await tossError(ctx.service.issueBillingKey(ctx.tenant, { authKey: auth.authKey, customerKey: "customer-auth" }))).code)
      .toBe("INVALID_BILLING_AUTH");
  });

  it("takes the typed card number, refusing a bad one with INVALID_CARD_NUMBER", async () => {
    const ctx = await setup();
    expect((await ctx.service.issueBillingAuth(ctx.tenant, { customerKey: "c-typed", cardNumber: "4111111111111111" })).card)
      .toMatchObject({ issuerCode: "4V", number: "41111111****111*" });
    expect((await ctx.service.issueBillingAuth(ctx.tenant, { customerKey: "c-typed", cardNumber: "" })).card?.issuerCode).toBe("21");
    expect((await tossError(ctx.service.issueBillingAuth(ctx.tenant, { customerKey: "c-typed", cardNumber: "4111" }))).code)
      .toBe("INVALID_CARD_NUMBER");
  });
});
