// Flow: a virtual account is issued, then cancelled before any deposit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newOrderId } from "../helpers/payments.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type IssueBody = { orderId: string; orderName: string; amount: number; customerName: string; bank?: string; validHours?: number; dueDate?: string; customerEmail?: string; taxFreeAmount?: number };
const issue = (body: IssueBody) => server.client().POST("/v1/virtual-accounts", { body });
const KST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/;

describe("issue", () => {
  it("issues the seed's virtual account: WAITING_FOR_DEPOSIT at 신한 (88), a secret, due in 168 hours", async () => {
    const before = Date.now();
    const { data, error } = await issue({ orderId: "order-va-001", orderName: "가상계좌 주문", amount: 25000, customerName: "홍길동" });
    expect(error).toBeUndefined();
    expectMatchesSpec("issueVirtualAccount", 200, data);
    expect(data).toMatchObject({
      orderId: "order-va-001",
      status: "WAITING_FOR_DEPOSIT",
      method: "VIRTUAL_ACCOUNT",
      approvedAt: null,
      totalAmount: 25000,
      balanceAmount: 25000,
      suppliedAmount: 22727,
      vat: 2273,
      card: null,
      virtualAccount: { bank: "신한", bankCode: "88", customerName: "홍길동", accountType: "NORMAL", expired: false, refundStatus: "NONE", depositorName: null, settlementStatus: "INCOMPLETED", refundReceiveAccount: null },
    });
    expect(data!.secret).toMatch(/^ps_\w+$/);
    expect(data!.virtualAccount!.accountNumber).toMatch(/^X\d{13}$/);
    expect(data!.virtualAccount!.dueDate).toMatch(KST);
    const due = Date.parse(data!.virtualAccount!.dueDate);
    expect(due - before).toBeGreaterThanOrEqual(168 * 3600_000 - 2000);
    expect(due - before).toBeLessThanOrEqual(168 * 3600_000 + 2000);
  });

  it("accepts a bank by code, Korean name or English enum", async () => {
    for (const [bank, code, short] of [["20", "20", "우리"], ["국민", "06", "국민"], ["KAKAOBANK", "90", "카카오뱅크"]] as const) {
      const { data, error } = await issue({ orderId: newOrderId("va"), orderName: "은행", amount: 1000, customerName: "홍길동", bank });
      expect(error, bank).toBeUndefined();
      expect(data!.virtualAccount).toMatchObject({ bankCode: code, bank: short });
    }
  });

  it("takes the due date from validHours or from dueDate (KST)", async () => {
    const before = Date.now();
    const a = await issue({ orderId: newOrderId("va"), orderName: "유효시간", amount: 1000, customerName: "홍길동", validHours: 24 });
    expect(Date.parse(a.data!.virtualAccount!.dueDate) - before).toBeGreaterThan(24 * 3600_000 - 2000);
    expect(Date.parse(a.data!.virtualAccount!.dueDate) - before).toBeLessThan(24 * 3600_000 + 2000);
    const kst = new Date(Date.now() + 3 * 86400_000 + 9 * 3600_000).toISOString().slice(0, 10) + "T23:59:59";
    const b = await issue({ orderId: newOrderId("va"), orderName: "만료일", amount: 1000, customerName: "홍길동", dueDate: kst });
    expect(b.data!.virtualAccount!.dueDate).toBe(kst + "+09:00");
  });

  it.each([
    ["an unknown bank", { bank: "없는은행" }, "INVALID_BANK"],
    ["validHours over 2160", { validHours: 2161 }, "EXCEED_MAX_VALID_HOURS"],
    ["both validHours and dueDate", { validHours: 10, dueDate: "2099-01-01T00:00:00" }, "INVALID_VALID_HOURS_WITH_DUE_DATE_AND_SINGLE"],
    ["a dueDate over 90 days ahead", { dueDate: "2099-01-01T00:00:00" }, "EXCEED_MAX_DUE_DATE"],
    ["a dueDate in the past", { dueDate: "2020-01-01T00:00:00" }, "INVALID_DATE"],
    ["an amount of 0", { amount: 0 }, "BELOW_ZERO_AMOUNT"],
    ["an amount under 200 KRW", { amount: 199 }, "BELOW_MINIMUM_AMOUNT"],
    ["a bad email", { customerEmail: "not-an-email" }, "INVALID_EMAIL"],
    ["a taxFreeAmount above the amount", { amount: 1000, taxFreeAmount: 2000 }, "INVALID_REQUEST"],
  ])("refuses %s with 400 %s", async (_what, extra, code) => {
    const { error, response } = await issue({ orderId: newOrderId("va"), orderName: "오류", amount: 1000, customerName: "홍길동", ...extra });
    expect(response.status).toBe(400);
    expect(error?.code).toBe(code);
    expectMatchesSpec("issueVirtualAccount", 400, error);
  });

  it("refuses a reused orderId with 400 DUPLICATED_ORDER_ID", async () => {
    const orderId = newOrderId("va");
    await issue({ orderId, orderName: "첫번째", amount: 1000, customerName: "홍길동" });
    const { error } = await issue({ orderId, orderName: "두번째", amount: 1000, customerName: "홍길동" });
    expect(error?.code).toBe("DUPLICATED_ORDER_ID");
  });
});

describe("cancel before deposit", () => {
  it("refuses a partial cancel with 403 NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT, then fully cancels to CANCELED", async () => {
    const { data: va } = await issue({ orderId: newOrderId("va"), orderName: "취소", amount: 20000, customerName: "홍길동" });
    const partial = await server.client().POST("/v1/payments/{paymentKey}/cancel", {
      params: { path: { paymentKey: va!.paymentKey } },
      body: { cancelReason: "부분", cancelAmount: 1000 },
    });
    expect(partial.response.status).toBe(403);
    expect(partial.error?.code).toBe("NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT");

    const full = await server.client().POST("/v1/payments/{paymentKey}/cancel", {
      params: { path: { paymentKey: va!.paymentKey } },
      body: { cancelReason: "주문 취소" },
    });
    expectMatchesSpec("cancelPayment", 200, full.data);
    expect(full.data).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(full.data!.cancels).toHaveLength(1);
  });
});
