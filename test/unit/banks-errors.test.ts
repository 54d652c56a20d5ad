import { describe, expect, it } from "vitest";
import { bankByCode, resolveBank } from "../../src/domain/banks.js";
import { ERROR_CATALOGUE, FAKETOSS_ONLY_CODES, TEST_CODES, TossError, tossErrorBody } from "../../src/domain/errors.js";
import { checkOrderId, ORDER_ID_RE } from "../../src/domain/payments.js";

describe("bank resolution", () => {
  it.each(["88", "신한", "신한은행", "SHINHAN", "shinhan", " 신한 은행 "])("resolves %j to 신한 (88)", (input) => {
    expect(resolveBank(input)?.code).toBe("88");
  });
  it.each([
    ["국민", "06"], ["KB국민은행", "06"], ["KOOKMIN", "06"], ["우리", "20"], ["농협", "11"], ["하나", "81"],
    ["기업", "03"], ["카카오뱅크", "90"], ["케이뱅크", "89"], ["토스뱅크", "92"], ["03", "03"], ["iM뱅크", "31"],
  ])("resolves %j to %s", (input, code) => {
    expect(resolveBank(input)?.code).toBe(code);
  });
  it("refuses unknown banks, and securities unless allowed", () => {
    expect(resolveBank("없는은행")).toBeUndefined();
    expect(resolveBank("99")).toBeUndefined();
    expect(resolveBank("S8")).toBeUndefined();
    expect(resolveBank("S8", { allowSecurities: true })?.name).toBe("교보증권");
  });
  it("gives the seed's short name for a code", () => {
    expect(bankByCode("88")?.shortName).toBe("신한");
  });
});

describe("error catalogue", () => {
  it("carries Toss's statuses for the codes FakeToss answers with", () => {
    const want: Record<string, number> = {
      UNAUTHORIZED_KEY: 401, INCORRECT_BASIC_AUTH_FORMAT: 403, INVALID_REQUEST: 400, IDEMPOTENT_REQUEST_PROCESSING: 409,
      NOT_CANCELABLE_AMOUNT: 403, NOT_CANCELABLE_PAYMENT: 403, NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT: 403,
      NOT_ALLOWED_PARTIAL_REFUND: 403, NOT_MATCHES_REFUNDABLE_AMOUNT: 400, NOT_FOUND_PAYMENT: 404,
      NOT_FOUND_PAYMENT_SESSION: 404, NOT_FOUND_BILLING: 404, NOT_FOUND: 404, NOT_FOUND_METHOD: 404,
      NOT_FOUND_HTTP_METHOD: 404, REJECT_CARD_COMPANY: 403, REJECT_CARD_PAYMENT: 403, FORBIDDEN_REQUEST: 403,
      FAILED_INTERNAL_SYSTEM_PROCESSING: 500, UNKNOWN_PAYMENT_ERROR: 500, DUPLICATED_ORDER_ID: 400,
      ALREADY_PROCESSED_PAYMENT: 400, ALREADY_CANCELED_PAYMENT: 400, INVALID_BILLING_AUTH: 400,
      ALREADY_REMOVED_BILLING_KEY: 400, EXCEED_MAX_VALID_HOURS: 400, EXCEED_MAX_DUE_DATE: 400,
      INVALID_VALID_HOURS_WITH_DUE_DATE_AND_SINGLE: 400, EXPIRED_PAYMENT: 400, PAY_PROCESS_CANCELED: 400,
    };
    for (const [code, status] of Object.entries(want)) expect(ERROR_CATALOGUE[code]?.status, code).toBe(status);
  });
  it("has a Korean and an English message for every code", () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(entry.ko, code).toMatch(/[가-힣]/);
      expect(entry.en, code).toMatch(/^[\x20-\x7E]+$/);
    }
  });
  it("builds Toss-shaped bodies in either language, with overrides", () => {
    const err = new TossError("NOT_FOUND_PAYMENT");
    expect(err.status).toBe(404);
    expect(tossErrorBody(err, "ko")).toEqual({ code: "NOT_FOUND_PAYMENT", message: "존재하지 않는 결제 정보 입니다." });
    expect(tossErrorBody(err, "en")).toEqual({ code: "NOT_FOUND_PAYMENT", message: "The payment does not exist." });
    const custom = new TossError("INVALID_REQUEST", "금액이 다릅니다.");
    expect(custom.messageKo).toBe("금액이 다릅니다.");
    expect(custom.messageEn).toBe(ERROR_CATALOGUE.INVALID_REQUEST!.en);
  });
  it("treats an unknown code as a programming bug", () => {
    expect(() => new TossError("NO_SUCH_CODE")).toThrow(/unknown Toss error code/);
    expect(() => new TossError("NO_SUCH_CODE")).not.toThrow(TossError);
  });
});

describe("FakeToss's own codes and the orderId rule", () => {
  it("has the sandbox codes, marked FakeToss-only and kept out of TossPayments-Test-Code", () => {
    expect(ERROR_CATALOGUE.INVALID_DEPOSIT_AMOUNT).toMatchObject({ status: 400, ko: "입금 금액이 결제 금액과 일치하지 않습니다." });
    expect(ERROR_CATALOGUE.EXPIRED_VIRTUAL_ACCOUNT).toMatchObject({ status: 400, ko: "입금 기한이 지난 가상계좌입니다." });
    expect(ERROR_CATALOGUE.INVALID_PAYMENT_STATUS).toMatchObject({ status: 400, ko: "현재 결제 상태에서는 처리할 수 없는 요청입니다." });
    expect([...FAKETOSS_ONLY_CODES].sort()).toEqual(["EXPIRED_VIRTUAL_ACCOUNT", "INVALID_DEPOSIT_AMOUNT", "INVALID_PAYMENT_STATUS"]);
    for (const code of [...FAKETOSS_ONLY_CODES, "EXPIRED_PAYMENT", "INVALID_TEST_CODE"]) expect(TEST_CODES).not.toContain(code);
    for (const code of ["REJECT_CARD_COMPANY", "INVALID_URL", "NOT_SUPPORTED_METHOD", "INVALID_CARD_NUMBER", "ALREADY_REMOVED_BILLING_KEY"])
      expect(TEST_CODES).toContain(code);
    for (const code of ["INVALID_CARD_EXPIRATION", "INVALID_CARD_IDENTITY", "INVALID_CARD_PASSWORD"])
      expect(ERROR_CATALOGUE[code]?.status).toBe(400);
  });

  it("orderId: 6–64 of letters, digits, '-' and '_' only (no '=' or '.')", () => {
    for (const ok of ["abcdef", "a".repeat(64), "order_001-X"]) expect(checkOrderId(ok)).toBe(ok);
    for (const bad of ["abcde", "a".repeat(65), "order=001", "order.001", "주문번호-0001", "order 001"]) {
      expect(() => checkOrderId(bad)).toThrow(TossError);
      try {
        checkOrderId(bad);
      } catch (e) {
        expect((e as TossError).code).toBe("INVALID_ORDER_ID");
      }
    }
    expect(ERROR_CATALOGUE.INVALID_ORDER_ID!.ko).not.toContain("=");
    expect(ORDER_ID_RE.source).toBe("^[A-Za-z0-9_-]{6,64}$");
  });
});
