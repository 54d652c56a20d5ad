// Flow: a virtual account is issued, the buyer's bank transfer is simulated (depositVirtualAccount),
// reversed (cancelVirtualAccountDeposit), deposited again, and refunded to a refund account.
// Expired accounts refuse deposits and stay WAITING_FOR_DEPOSIT with expired: true.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newOrderId } from "../helpers/payments.js";
import { getPayment, newTenant } from "../helpers/sandbox.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import type { FakeTossClient } from "../../generated/client.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const REFUND = { bank: "88", accountNumber: "110123456789", holderName: "홍길동" };

async function issue(client: FakeTossClient, amount = 25000, extra: { validHours?: number } = {}) {
  const { data, error } = await client.POST("/v1/virtual-accounts", {
    body: { orderId: newOrderId("va"), orderName: "가상계좌 주문", amount, customerName: "홍길동", ...extra },
  });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(data!.status).toBe("WAITING_FOR_DEPOSIT");
  return data!;
}
const deposit = (client: FakeTossClient, paymentKey: string, body?: { amount?: number; depositorName?: string }) =>
  client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit", { params: { path: { paymentKey } }, ...(body ? { body } : {}) });
const cancelDeposit = (client: FakeTossClient, paymentKey: string) =>
  client.POST("/sandbox/virtual-accounts/{paymentKey}/deposit-cancel", { params: { path: { paymentKey } } });
const cancel = (client: FakeTossClient, paymentKey: string, body: { cancelReason: string; cancelAmount?: number; refundReceiveAccount?: typeof REFUND }) =>
  client.POST("/v1/payments/{paymentKey}/cancel", { params: { path: { paymentKey } }, body });

describe("deposit → deposit cancel → deposit → refund", () => {
  it("refuses a different amount, deposits the exact one, reverses it, deposits again and refunds only with a refund account", async () => {
    const c = server.client();
    const va = await issue(c, 25000);

    // A different amount is refused, the account untouched.
    for (const amount of [24999, 25001]) {
      const wrong = await deposit(c, va.paymentKey, { amount });
      expect(wrong.response.status).toBe(400);
      expectMatchesSpec("depositVirtualAccount", 400, wrong.error);
      expect(wrong.error?.code).toBe("INVALID_DEPOSIT_AMOUNT");
    }
    expect((await getPayment(c, va.paymentKey)).status).toBe("WAITING_FOR_DEPOSIT");

    // The exact amount → DONE, with the depositor's name.
    const paid = await deposit(c, va.paymentKey, { amount: 25000, depositorName: "김입금" });
    expect(paid.error).toBeUndefined();
    expectMatchesSpec("depositVirtualAccount", 200, paid.data);
    expect(paid.data).toMatchObject({ status: "DONE", balanceAmount: 25000, virtualAccount: { depositorName: "김입금", expired: false } });
    expect(paid.data!.approvedAt).toMatch(/\+09:00$/);

    // A second deposit into a DONE account is refused.
    const twice = await deposit(c, va.paymentKey);
    expect(twice.response.status).toBe(400);
    expect(twice.error?.code).toBe("INVALID_PAYMENT_STATUS");

    // Reversing the deposit → WAITING_FOR_DEPOSIT, approvedAt and depositorName null again.
    const reversed = await cancelDeposit(c, va.paymentKey);
    expect(reversed.error).toBeUndefined();
    expectMatchesSpec("cancelVirtualAccountDeposit", 200, reversed.data);
    expect(reversed.data).toMatchObject({ status: "WAITING_FOR_DEPOSIT", approvedAt: null, virtualAccount: { depositorName: null } });
    const reversedAgain = await cancelDeposit(c, va.paymentKey);
    expect(reversedAgain.response.status).toBe(400);
    expectMatchesSpec("cancelVirtualAccountDeposit", 400, reversedAgain.error);
    expect(reversedAgain.error?.code).toBe("INVALID_PAYMENT_STATUS");

    // Deposit again, without a body: amount = balance, depositorName = the customer's name.
    const paidAgain = await deposit(c, va.paymentKey);
    expect(paidAgain.error).toBeUndefined();
    expectMatchesSpec("depositVirtualAccount", 200, paidAgain.data);
    expect(paidAgain.data).toMatchObject({ status: "DONE", virtualAccount: { depositorName: "홍길동" } });

    // A deposited account needs a refund account to be cancelled.
    const noAccount = await cancel(c, va.paymentKey, { cancelReason: "환불" });
    expect(noAccount.response.status).toBe(400);
    expectMatchesSpec("cancelPayment", 400, noAccount.error);
    expect(noAccount.error?.code).toBe("INVALID_REFUND_ACCOUNT_INFO");
    expect((await getPayment(c, va.paymentKey)).status).toBe("DONE");

    const refunded = await cancel(c, va.paymentKey, { cancelReason: "환불", refundReceiveAccount: REFUND });
    expect(refunded.error).toBeUndefined();
    expectMatchesSpec("cancelPayment", 200, refunded.data);
    expect(refunded.data).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(refunded.data!.virtualAccount!.refundReceiveAccount).toEqual({ bankCode: "88", accountNumber: "110123456789", holderName: "홍길동" });
    expect(refunded.data!.cancels).toHaveLength(1);
    expect((await getPayment(c, va.paymentKey)).virtualAccount!.refundReceiveAccount).toEqual(refunded.data!.virtualAccount!.refundReceiveAccount);

    // A refunded account cannot have its deposit reversed.
    const late = await cancelDeposit(c, va.paymentKey);
    expect(late.error?.code).toBe("INVALID_PAYMENT_STATUS");
  });

  it("partially refunds a deposited account (PARTIAL_CANCELED), after which the deposit can no longer be reversed", async () => {
    const c = server.client();
    const va = await issue(c, 20000);
    await deposit(c, va.paymentKey);
    const partial = await cancel(c, va.paymentKey, { cancelReason: "부분 환불", cancelAmount: 5000, refundReceiveAccount: REFUND });
    expect(partial.error).toBeUndefined();
    expectMatchesSpec("cancelPayment", 200, partial.data);
    expect(partial.data).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 15000 });
    expect(partial.data!.virtualAccount!.refundReceiveAccount).toEqual({ bankCode: "88", accountNumber: "110123456789", holderName: "홍길동" });
    const reverse = await cancelDeposit(c, va.paymentKey);
    expect(reverse.response.status).toBe(400);
    expect(reverse.error?.code).toBe("INVALID_PAYMENT_STATUS");
  });

  it("accepts the refund bank by Korean name (신한) as well as by code", async () => {
    const c = server.client();
    const va = await issue(c, 8000);
    await deposit(c, va.paymentKey);
    const res = await cancel(c, va.paymentKey, { cancelReason: "환불", refundReceiveAccount: { ...REFUND, bank: "신한" } });
    expect(res.error).toBeUndefined();
    expect(res.data!.virtualAccount!.refundReceiveAccount?.bankCode).toBe("88");
  });

  it("refuses a deposit into a card payment with 400 INVALID_PAYMENT_STATUS", async () => {
    const { data } = await server.client().POST("/v1/payments/key-in", {
      body: { amount: 1000, orderId: newOrderId("card"), orderName: "카드", cardNumber: "4330123412341234", cardExpirationYear: "30", cardExpirationMonth: "12", customerIdentityNumber: "900101" },
    });
    const res = await deposit(server.client(), data!.paymentKey);
    expect(res.response.status).toBe(400);
    expect(res.error?.code).toBe("INVALID_PAYMENT_STATUS");
  });

  it("answers 404 NOT_FOUND_PAYMENT for a deposit into an unknown payment", async () => {
    const res = await deposit(server.client(), "pay_nobody_has_this");
    expect(res.response.status).toBe(404);
    expectMatchesSpec("depositVirtualAccount", 404, res.error);
    expect(res.error?.code).toBe("NOT_FOUND_PAYMENT");
  });
});

describe("expired virtual accounts", () => {
  it("expirePayment: expired: true, dueDate now, still WAITING_FOR_DEPOSIT, and a deposit is refused with 400 EXPIRED_VIRTUAL_ACCOUNT", async () => {
    const c = server.client();
    const va = await issue(c, 30000);
    const before = Date.now();
    const { data, error } = await c.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: va.paymentKey } } });
    expect(error).toBeUndefined();
    expectMatchesSpec("expirePayment", 200, data);
    expect(data).toMatchObject({ status: "WAITING_FOR_DEPOSIT", virtualAccount: { expired: true } });
    expect(Math.abs(Date.parse(data!.virtualAccount!.dueDate) - before)).toBeLessThan(10_000);

    const res = await deposit(c, va.paymentKey);
    expect(res.response.status).toBe(400);
    expectMatchesSpec("depositVirtualAccount", 400, res.error);
    expect(res.error?.code).toBe("EXPIRED_VIRTUAL_ACCOUNT");
    const got = await getPayment(c, va.paymentKey);
    expect(got).toMatchObject({ status: "WAITING_FOR_DEPOSIT", virtualAccount: { expired: true, depositorName: null } });
  });

  it("advanceClock past the dueDate: expired: true, still WAITING_FOR_DEPOSIT, and a deposit is refused with 400 EXPIRED_VIRTUAL_ACCOUNT", async () => {
    const t = await newTenant(server);
    const va = await issue(t.client, 30000, { validHours: 1 });
    const adv = await t.client.POST("/sandbox/clock/advance", { body: { hours: 1, minutes: 1 } });
    expect(adv.error).toBeUndefined();

    const res = await deposit(t.client, va.paymentKey);
    expect(res.response.status).toBe(400);
    expect(res.error?.code).toBe("EXPIRED_VIRTUAL_ACCOUNT");
    const got = await getPayment(t.client, va.paymentKey);
    expect(got).toMatchObject({ status: "WAITING_FOR_DEPOSIT", virtualAccount: { expired: true } });
    expect(got.virtualAccount!.dueDate).toBe(va.virtualAccount!.dueDate);
  });

  it("still lets an expired, never-deposited account be cancelled in full", async () => {
    const c = server.client();
    const va = await issue(c, 5000);
    await c.POST("/sandbox/payments/{paymentKey}/expire", { params: { path: { paymentKey: va.paymentKey } } });
    const res = await cancel(c, va.paymentKey, { cancelReason: "만료 후 취소" });
    expect(res.error).toBeUndefined();
    expect(res.data?.status).toBe("CANCELED");
  });
});
