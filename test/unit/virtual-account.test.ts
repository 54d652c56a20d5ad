import { describe, expect, it } from "vitest";
import { formatKst } from "../../src/domain/clock.js";
import { T0, orderId, setup, tossError } from "./setup.js";

const HOUR = 3_600_000;
const base = () => ({ orderId: orderId(), orderName: "가상계좌 주문", amount: 25000, customerName: "홍길동" });

describe("virtual account issue", () => {
  it("issues a WAITING_FOR_DEPOSIT payment on 신한 (88) due in 168 hours by default", async () => {
    const ctx = await setup();
    const { payment, session } = await ctx.service.issueVirtualAccount(ctx.tenant, base());
    expect(payment).toMatchObject({
      method: "VIRTUAL_ACCOUNT", status: "WAITING_FOR_DEPOSIT", approvedAt: null, totalAmount: 25000, balanceAmount: 25000,
      suppliedAmount: 22727, vat: 2273, useEscrow: false, card: null,
    });
    expect(payment.paymentKey).toMatch(/^pay_va_/);
    expect(payment.secret).toMatch(/^ps_[A-Za-z0-9]{27}$/);
    expect(payment.receipt?.url).toContain("bank-transfer");
    expect(payment.virtualAccount).toEqual({
      accountType: "NORMAL",
      accountNumber: expect.stringMatching(/^X\d{13}$/),
      bankCode: "88",
      customerName: "홍길동",
      depositorName: null,
      dueDate: formatKst(T0 + 168 * HOUR),
      refundStatus: "NONE",
      expired: false,
      settlementStatus: "INCOMPLETED",
      refundReceiveAccount: null,
    });
    expect(session.customerName).toBe("홍길동");
  });

  it.each([["20", "20"], ["국민", "06"], ["KB국민은행", "06"], ["SHINHAN", "88"], ["카카오뱅크", "90"]])(
    "accepts bank %j as code %s",
    async (bank, code) => {
      const ctx = await setup();
      expect((await ctx.service.issueVirtualAccount(ctx.tenant, { ...base(), bank })).payment.virtualAccount?.bankCode).toBe(code);
    },
  );

  it("refuses an unknown bank (and a securities firm) with INVALID_BANK", async () => {
    const ctx = await setup();
    for (const bank of ["없는은행", "99", "S8"]) {
      expect((await tossError(ctx.service.issueVirtualAccount(ctx.tenant, { ...base(), bank }))).code).toBe("INVALID_BANK");
    }
  });

  it("applies validHours and dueDate limits", async () => {
    const ctx = await setup();
    const t = ctx.tenant;
    const s = ctx.service;
    expect((await s.issueVirtualAccount(t, { ...base(), validHours: 2160 })).payment.virtualAccount?.dueDate).toBe(formatKst(T0 + 2160 * HOUR));
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), validHours: 2161 }))).code).toBe("EXCEED_MAX_VALID_HOURS");
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), validHours: 0 }))).code).toBe("INVALID_REQUEST");
    expect((await s.issueVirtualAccount(t, { ...base(), dueDate: "2026-04-22T23:59:59" })).payment.virtualAccount?.dueDate)
      .toBe("2026-04-22T23:59:59+09:00");
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), dueDate: "2026-07-21T10:14:01" }))).code).toBe("EXCEED_MAX_DUE_DATE");
    expect((await s.issueVirtualAccount(t, { ...base(), dueDate: "2026-07-20T10:14:00" })).payment.status).toBe("WAITING_FOR_DEPOSIT");
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), dueDate: "2026-04-21T10:13:59" }))).code).toBe("INVALID_DATE");
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), dueDate: "next week" }))).code).toBe("INVALID_DATE");
    const both = await tossError(s.issueVirtualAccount(t, { ...base(), validHours: 24, dueDate: "2026-04-22T23:59:59" }));
    expect([both.code, both.status]).toEqual(["INVALID_VALID_HOURS_WITH_DUE_DATE_AND_SINGLE", 400]);
  });

  it("applies the account minimum (200 KRW), tax-free, orderId and duplicate rules", async () => {
    const ctx = await setup();
    const t = ctx.tenant;
    const s = ctx.service;
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), amount: 0 }))).code).toBe("BELOW_ZERO_AMOUNT");
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), amount: 199 }))).code).toBe("BELOW_MINIMUM_AMOUNT");
    expect((await s.issueVirtualAccount(t, { ...base(), amount: 200 })).payment.totalAmount).toBe(200);
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), taxFreeAmount: 25001 }))).code).toBe("INVALID_REQUEST");
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), orderId: "abc" }))).code).toBe("INVALID_ORDER_ID");
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), orderName: "가".repeat(101) }))).code).toBe("INVALID_ORDER_NAME");
    expect((await tossError(s.issueVirtualAccount(t, { ...base(), customerEmail: "nope" }))).code).toBe("INVALID_EMAIL");
    const input = base();
    await s.issueVirtualAccount(t, input);
    expect((await tossError(s.issueVirtualAccount(t, input))).code).toBe("DUPLICATED_ORDER_ID");
  });
});

describe("virtual account deposit, expiry and cancel", () => {
  it("a deposit makes it DONE with approvedAt and the depositor's name", async () => {
    const ctx = await setup();
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, base());
    ctx.clock.advance(HOUR);
    const { payment } = await ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey, { amount: 25000 });
    expect(payment).toMatchObject({ status: "DONE", approvedAt: formatKst(T0 + HOUR) });
    expect(payment.virtualAccount?.depositorName).toBe("홍길동");
    expect(payment.lastTransactionKey).toMatch(/^[0-9A-F]{32}$/);
    const again = await tossError(ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey));
    expect([again.code, again.status]).toEqual(["INVALID_PAYMENT_STATUS", 400]);
  });

  it("refuses a deposit of a different amount with 400 INVALID_DEPOSIT_AMOUNT, and changes nothing", async () => {
    const ctx = await setup();
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, base());
    for (const amount of [24999, 25001, 1]) {
      const err = await tossError(ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey, { amount }));
      expect([err.code, err.status, err.messageKo]).toEqual(["INVALID_DEPOSIT_AMOUNT", 400, "입금 금액이 결제 금액과 일치하지 않습니다."]);
    }
    expect((await ctx.service.getPayment(ctx.tenant, va.payment.paymentKey)).payment.status).toBe("WAITING_FOR_DEPOSIT");
  });

  it("past its due date the account is expired (still WAITING_FOR_DEPOSIT) and refuses deposits", async () => {
    const ctx = await setup();
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, { ...base(), validHours: 1 });
    ctx.clock.advance(HOUR);
    expect((await ctx.service.getPayment(ctx.tenant, va.payment.paymentKey)).payment.virtualAccount?.expired).toBe(false);
    ctx.clock.advance(1000);
    const { payment } = await ctx.service.getPayment(ctx.tenant, va.payment.paymentKey);
    expect(payment.status).toBe("WAITING_FOR_DEPOSIT");
    expect(payment.virtualAccount?.expired).toBe(true);
    expect((await ctx.store.getPayment(ctx.tenant.id, va.payment.paymentKey))?.payment.virtualAccount?.expired).toBe(true);
    const err = await tossError(ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey));
    expect([err.code, err.status, err.messageKo]).toEqual(["EXPIRED_VIRTUAL_ACCOUNT", 400, "입금 기한이 지난 가상계좌입니다."]);
  });

  it("before deposit: a partial cancel is 403 NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT, a full one CANCELED", async () => {
    const ctx = await setup();
    const key = (await ctx.service.issueVirtualAccount(ctx.tenant, base())).payment.paymentKey;
    const err = await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", cancelAmount: 1000 }));
    expect([err.code, err.status]).toEqual(["NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT", 403]);
    const { payment } = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "주문 취소" });
    expect(payment).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(payment.virtualAccount?.refundStatus).toBe("NONE");
    expect((await tossError(ctx.service.depositVirtualAccount(ctx.tenant, key))).code).toBe("INVALID_PAYMENT_STATUS");
  });

  it("after deposit: a cancel needs refundReceiveAccount, which is validated and stored", async () => {
    const ctx = await setup();
    const key = (await ctx.service.issueVirtualAccount(ctx.tenant, base())).payment.paymentKey;
    await ctx.service.depositVirtualAccount(ctx.tenant, key);
    const missing = await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x" }));
    expect([missing.code, missing.status]).toEqual(["INVALID_REFUND_ACCOUNT_INFO", 400]);
    const acc = { bank: "신한", accountNumber: "12345678901234", holderName: "홍길동" };
    expect((await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", refundReceiveAccount: { ...acc, bank: "없는은행" } }))).code)
      .toBe("INVALID_BANK");
    expect((await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", refundReceiveAccount: { ...acc, accountNumber: "123-456" } }))).code)
      .toBe("INVALID_REFUND_ACCOUNT_NUMBER");
    expect((await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", refundReceiveAccount: { ...acc, accountNumber: "1".repeat(21) } }))).code)
      .toBe("INVALID_REFUND_ACCOUNT_NUMBER");
    expect((await tossError(ctx.service.cancel(ctx.tenant, key, { cancelReason: "x", refundReceiveAccount: { ...acc, holderName: "가".repeat(61) } }))).code)
      .toBe("INVALID_REFUND_ACCOUNT_INFO");

    const partial = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "부분 환불", cancelAmount: 5000, refundReceiveAccount: acc });
    expect(partial.payment).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 20000 });
    expect(partial.payment.virtualAccount).toMatchObject({
      refundStatus: "COMPLETED",
      refundReceiveAccount: { bankCode: "88", accountNumber: "12345678901234", holderName: "홍길동" },
    });
    const rest = await ctx.service.cancel(ctx.tenant, key, { cancelReason: "나머지", refundReceiveAccount: { ...acc, bank: "S8" } });
    expect(rest.payment).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 0 });
    expect(rest.payment.virtualAccount?.refundReceiveAccount?.bankCode).toBe("S8");
  });
});

describe("virtual account deposit options", () => {
  it("accepts { amount, depositorName } and records the depositor", async () => {
    const ctx = await setup();
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, base());
    const { payment } = await ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey, { amount: 25000, depositorName: "김입금" });
    expect(payment.virtualAccount?.depositorName).toBe("김입금");
    expect(payment.status).toBe("DONE");
  });
});

describe("virtual account deposit rules (FakeToss's codes)", () => {
  it("only a virtual account waiting for a deposit takes one: else 400 INVALID_PAYMENT_STATUS", async () => {
    const ctx = await setup();
    const card = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: orderId(), orderName: "c", amount: 1000 });
    const err = await tossError(ctx.service.depositVirtualAccount(ctx.tenant, card.payment.paymentKey));
    expect([err.code, err.status, err.messageKo]).toEqual(["INVALID_PAYMENT_STATUS", 400, "현재 결제 상태에서는 처리할 수 없는 요청입니다."]);
    expect((await tossError(ctx.service.depositVirtualAccount(ctx.tenant, "pay_none"))).code).toBe("NOT_FOUND_PAYMENT");
  });

  it("the amount defaults to the balance; the depositor to the account's customerName", async () => {
    const ctx = await setup();
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, base());
    const { payment } = await ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey, {});
    expect(payment).toMatchObject({ status: "DONE", virtualAccount: { depositorName: "홍길동" } });
  });

  it("checks the status before expiry and expiry before the amount", async () => {
    const ctx = await setup();
    const va = await ctx.service.issueVirtualAccount(ctx.tenant, { ...base(), validHours: 1 });
    ctx.clock.advance(HOUR + 1000);
    expect((await tossError(ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey, { amount: 1 }))).code)
      .toBe("EXPIRED_VIRTUAL_ACCOUNT");
    await ctx.service.cancel(ctx.tenant, va.payment.paymentKey, { cancelReason: "x" });
    expect((await tossError(ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey, { amount: 1 }))).code)
      .toBe("INVALID_PAYMENT_STATUS");
  });
});

describe("deposit cancel", () => {
  it("a deposited account goes back to WAITING_FOR_DEPOSIT, approvedAt and depositorName null, and can be deposited again", async () => {
    const ctx = await setup();
    const key = (await ctx.service.issueVirtualAccount(ctx.tenant, base())).payment.paymentKey;
    const deposited = await ctx.service.depositVirtualAccount(ctx.tenant, key, { depositorName: "김입금" });
    ctx.clock.advance(60_000);
    const { payment } = await ctx.service.cancelDeposit(ctx.tenant, key);
    expect(payment).toMatchObject({
      status: "WAITING_FOR_DEPOSIT", approvedAt: null, balanceAmount: 25000,
      virtualAccount: { depositorName: null, expired: false, dueDate: deposited.payment.virtualAccount?.dueDate },
    });
    expect(payment.lastTransactionKey).toMatch(/^[0-9A-F]{32}$/);
    expect(payment.lastTransactionKey).not.toBe(deposited.payment.lastTransactionKey);
    expect((await ctx.service.depositVirtualAccount(ctx.tenant, key)).payment.status).toBe("DONE");
  });

  it("refuses a waiting account, a refunded one and a card payment with 400 INVALID_PAYMENT_STATUS", async () => {
    const ctx = await setup();
    const key = (await ctx.service.issueVirtualAccount(ctx.tenant, base())).payment.paymentKey;
    const waiting = await tossError(ctx.service.cancelDeposit(ctx.tenant, key));
    expect([waiting.code, waiting.status]).toEqual(["INVALID_PAYMENT_STATUS", 400]);
    await ctx.service.depositVirtualAccount(ctx.tenant, key);
    await ctx.service.cancel(ctx.tenant, key, {
      cancelReason: "부분 환불", cancelAmount: 1000, refundReceiveAccount: { bank: "신한", accountNumber: "1234567890", holderName: "홍길동" },
    });
    expect((await tossError(ctx.service.cancelDeposit(ctx.tenant, key))).code).toBe("INVALID_PAYMENT_STATUS");
    const card = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: orderId(), orderName: "c", amount: 1000 });
    await ctx.service.confirm(ctx.tenant, { paymentKey: card.payment.paymentKey, orderId: card.payment.orderId, amount: 1000 });
    expect((await tossError(ctx.service.cancelDeposit(ctx.tenant, card.payment.paymentKey))).code).toBe("INVALID_PAYMENT_STATUS");
    expect((await tossError(ctx.service.cancelDeposit(ctx.tenant, "pay_none"))).code).toBe("NOT_FOUND_PAYMENT");
  });

  it("an account whose due date passed meanwhile comes back already expired", async () => {
    const ctx = await setup();
    const key = (await ctx.service.issueVirtualAccount(ctx.tenant, { ...base(), validHours: 1 })).payment.paymentKey;
    await ctx.service.depositVirtualAccount(ctx.tenant, key);
    ctx.clock.advance(2 * HOUR);
    const { payment } = await ctx.service.cancelDeposit(ctx.tenant, key);
    expect(payment).toMatchObject({ status: "WAITING_FOR_DEPOSIT", virtualAccount: { expired: true } });
  });
});
