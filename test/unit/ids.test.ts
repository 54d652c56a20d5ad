import { describe, expect, it } from "vitest";
import {
  newApproveNo, newBillingKey, newPaymentKey, newSecret, newTransactionKey, newVirtualAccountNumber,
} from "../../src/domain/ids.js";

describe("identifier shapes", () => {
  it("payment keys carry a kind prefix and 20 alphanumerics", () => {
    expect(newPaymentKey()).toMatch(/^pay_[A-Za-z0-9]{20}$/);
    expect(newPaymentKey("virtualAccount")).toMatch(/^pay_va_[A-Za-z0-9]{20}$/);
    expect(newPaymentKey("billing")).toMatch(/^pay_bill_[A-Za-z0-9]{20}$/);
  });
  it("other identifiers follow Toss's formats", () => {
    expect(newTransactionKey()).toMatch(/^[0-9A-F]{32}$/);
    expect(newSecret()).toMatch(/^ps_[A-Za-z0-9]{27}$/);
    expect(newBillingKey()).toMatch(/^bill_[A-Za-z0-9]{40}$/);
    expect(newVirtualAccountNumber()).toMatch(/^X\d{13}$/);
    expect(newApproveNo()).toMatch(/^\d{8}$/);
  });
  it("does not repeat", () => {
    const keys = new Set(Array.from({ length: 10_000 }, () => newPaymentKey()));
    expect(keys.size).toBe(10_000);
  });
});
