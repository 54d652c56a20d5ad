import { describe, expect, it } from "vitest";
import { installSeedFixtures } from "../../src/domain/fixtures.js";
import { CONFIRM_WINDOW_MS } from "../../src/domain/payments.js";
import { makeTenant, setup, tossError } from "./setup.js";

const CUSTOMER = "550e8400-e29b-41d4-a716-446655440000";

describe("seed fixtures", () => {
  it("installs pay_123 waiting for confirm, and the seed's whole flow works", async () => {
    const ctx = await setup();
    await installSeedFixtures(ctx.store, ctx.tenant, ctx.clock);
    const pending = await ctx.service.getPayment(ctx.tenant, "pay_123");
    expect(pending.payment).toMatchObject({
      paymentKey: "pay_123", orderId: "order-001", orderName: "FakeToss 티셔츠", totalAmount: 15000,
      method: "CARD", status: "IN_PROGRESS", card: { number: "1234-****-****-5678" },
    });
    expect(pending.session.confirmDeadline).toBeNull();

    ctx.clock.advance(30 * CONFIRM_WINDOW_MS); // never expires
    const confirmed = await ctx.service.confirm(ctx.tenant, { paymentKey: "pay_123", orderId: "order-001", amount: 15000 });
    expect(confirmed.payment).toMatchObject({ status: "DONE", totalAmount: 15000 });
    expect(confirmed.payment.approvedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
    expect((await tossError(ctx.service.confirm(ctx.tenant, { paymentKey: "pay_123", orderId: "order-001", amount: 15000 }))).code)
      .toBe("ALREADY_PROCESSED_PAYMENT");
    expect((await ctx.service.getPaymentByOrderId(ctx.tenant, "order-001")).payment.status).toBe("DONE");
    const canceled = await ctx.service.cancel(ctx.tenant, "pay_123", { cancelReason: "고객 요청" });
    expect(canceled.payment).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(canceled.payment.cancels).toHaveLength(1);

    const billing = await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_123", customerKey: CUSTOMER });
    expect(billing).toMatchObject({ billingKey: "bill_123", customerKey: CUSTOMER, method: "CARD", card: { number: "1234-****-****-5678" } });
    const charged = await ctx.service.chargeBilling(ctx.tenant, "bill_123", {
      customerKey: CUSTOMER, orderId: "billing-order-001", orderName: "월 구독권", amount: 9900,
    });
    expect(charged.payment).toMatchObject({ status: "DONE", type: "BILLING", totalAmount: 9900 });
  });

  it("is idempotent: a second install changes nothing, even after the fixtures were used", async () => {
    const ctx = await setup();
    await installSeedFixtures(ctx.store, ctx.tenant, ctx.clock);
    await installSeedFixtures(ctx.store, ctx.tenant, ctx.clock);
    await ctx.service.confirm(ctx.tenant, { paymentKey: "pay_123", orderId: "order-001", amount: 15000 });
    await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_123", customerKey: CUSTOMER });
    await installSeedFixtures(ctx.store, ctx.tenant, ctx.clock);
    expect((await ctx.service.getPayment(ctx.tenant, "pay_123")).payment.status).toBe("DONE");
    expect((await ctx.store.getBillingAuth(ctx.tenant.id, "auth_123"))?.used).toBe(true);
  });

  it("concurrent installs do not fail", async () => {
    const ctx = await setup();
    await Promise.all(Array.from({ length: 5 }, () => installSeedFixtures(ctx.store, ctx.tenant, ctx.clock)));
    expect((await ctx.service.getPayment(ctx.tenant, "pay_123")).payment.status).toBe("IN_PROGRESS");
  });

  it("reset then install restores fresh fixtures", async () => {
    const ctx = await setup();
    await installSeedFixtures(ctx.store, ctx.tenant, ctx.clock);
    await ctx.service.confirm(ctx.tenant, { paymentKey: "pay_123", orderId: "order-001", amount: 15000 });
    await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_123", customerKey: CUSTOMER });
    await ctx.store.resetTenant(ctx.tenant.id);
    await installSeedFixtures(ctx.store, ctx.tenant, ctx.clock);
    expect((await ctx.service.getPayment(ctx.tenant, "pay_123")).payment.status).toBe("IN_PROGRESS");
    expect((await ctx.service.issueBillingKey(ctx.tenant, { authKey: "auth_123", customerKey: CUSTOMER })).billingKey).toBe("bill_123");
  });

  it("installs per tenant, invisible to other tenants", async () => {
    const ctx = await setup();
    await installSeedFixtures(ctx.store, ctx.tenant, ctx.clock);
    const other = makeTenant("tn_other");
    expect((await tossError(ctx.service.getPayment(other, "pay_123"))).code).toBe("NOT_FOUND_PAYMENT");
    await installSeedFixtures(ctx.store, other, ctx.clock);
    expect((await ctx.service.getPayment(other, "pay_123")).payment.mId).toBe("tfaketoss");
  });
});
