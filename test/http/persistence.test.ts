// The SQLite file store keeps everything across a restart: payments in every state, cancels,
// virtual accounts, billing keys, idempotency records; and the seed fixtures are not re-installed
// over real data.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Payment } from "../../generated/client.js";
import { newOrderId } from "../helpers/payments.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import { raw, startTestServer, type TestServer } from "../helpers/server.js";

const CUSTOMER = "550e8400-e29b-41d4-a716-446655440000";

let dir: string;
let dbPath: string;
let server: TestServer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "faketoss-persist-"));
  dbPath = join(dir, "faketoss.db");
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the first run leaves behind, to compare with after the restart. */
const before: {
  pay123?: Payment;
  va?: Payment;
  billingPayment?: Payment;
  replayText?: string;
  replayPath?: string;
  idemKey?: string;
} = {};

const getPayment = (s: TestServer, paymentKey: string) => s.client().GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey } } });

describe("a file store across a restart", () => {
  // First run: a confirm, a partial cancel, a virtual account, a billing key and a charge, and an
  // idempotent request; then the server stops and a new one opens the same file.
  beforeAll(async () => {
    const first = await startTestServer({ db: dbPath });
    const c = first.client();

    const confirm = await c.POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 } });
    expect(confirm.error).toBeUndefined();
    const cancel = await c.POST("/v1/payments/{paymentKey}/cancel", {
      params: { path: { paymentKey: "pay_123" } },
      body: { cancelReason: "부분 환불", cancelAmount: 5000 },
    });
    expect(cancel.error).toBeUndefined();
    expect(cancel.data).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 10000 });
    before.pay123 = cancel.data!;

    const va = await c.POST("/v1/virtual-accounts", {
      body: { orderId: newOrderId("persist-va"), orderName: "가상계좌 주문", amount: 25000, customerName: "홍길동" },
    });
    expect(va.error).toBeUndefined();
    before.va = va.data!;

    const billing = await c.POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_123", customerKey: CUSTOMER } });
    expect(billing.error).toBeUndefined();
    expect(billing.data?.billingKey).toBe("bill_123");
    const charge = await c.POST("/v1/billing/{billingKey}", {
      params: { path: { billingKey: "bill_123" } },
      body: { customerKey: CUSTOMER, orderId: newOrderId("persist-bill"), orderName: "정기결제 1회차", amount: 9900 },
    });
    expect(charge.error).toBeUndefined();
    before.billingPayment = charge.data!;

    before.idemKey = `persist-${Date.now()}`;
    before.replayPath = "/v1/virtual-accounts";
    const idem = await raw(first.url + before.replayPath, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": before.idemKey },
      body: JSON.stringify({ orderId: newOrderId("persist-idem"), orderName: "멱등", amount: 30000, customerName: "김철수" }),
    });
    expect(idem.status, idem.text).toBe(200);
    before.replayText = idem.text;

    await first.close();
    server = await startTestServer({ db: dbPath });
  });

  it("shows every payment identical after the restart, by paymentKey and by orderId", async () => {
    for (const p of [before.pay123!, before.va!, before.billingPayment!]) {
      const byKey = await getPayment(server, p.paymentKey);
      expect(byKey.error).toBeUndefined();
      expectMatchesSpec("getPayment", 200, byKey.data);
      expect(byKey.data).toEqual(p);
      const byOrder = await server.client().GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: p.orderId } } });
      expect(byOrder.data).toEqual(p);
    }
  });

  it("does not re-install pay_123 as a fresh fixture: it is still PARTIAL_CANCELED and cannot be confirmed again", async () => {
    const got = await getPayment(server, "pay_123");
    expect(got.data).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 10000 });
    expect(got.data!.cancels).toHaveLength(1);
    const confirm = await server.client().POST("/v1/payments/confirm", { body: { paymentKey: "pay_123", orderId: "order-001", amount: 15000 } });
    expect(confirm.response.status).toBe(400);
    expect(confirm.error?.code).toBe("ALREADY_PROCESSED_PAYMENT");
    // auth_123 was used before the restart and stays used.
    const reissue = await server.client().POST("/v1/billing/authorizations/issue", { body: { authKey: "auth_123", customerKey: CUSTOMER } });
    expect(reissue.error?.code).toBe("INVALID_BILLING_AUTH");
  });

  it("still replays the idempotent request byte for byte", async () => {
    const replay = await raw(server.url + before.replayPath!, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": before.idemKey! },
      body: JSON.stringify({ orderId: newOrderId("persist-idem2"), orderName: "다른 본문", amount: 1000, customerName: "x" }),
    });
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(before.replayText);
  });

  it("still charges bill_123, and keeps orderIds used before the restart taken", async () => {
    const charge = await server.client().POST("/v1/billing/{billingKey}", {
      params: { path: { billingKey: "bill_123" } },
      body: { customerKey: CUSTOMER, orderId: newOrderId("persist-bill2"), orderName: "정기결제 2회차", amount: 9900 },
    });
    expect(charge.error).toBeUndefined();
    expectMatchesSpec("chargeBilling", 200, charge.data);
    expect(charge.data).toMatchObject({ status: "DONE", type: "BILLING", totalAmount: 9900 });
    expect(charge.data!.paymentKey).not.toBe(before.billingPayment!.paymentKey);

    const dup = await server.client().POST("/v1/billing/{billingKey}", {
      params: { path: { billingKey: "bill_123" } },
      body: { customerKey: CUSTOMER, orderId: before.billingPayment!.orderId, orderName: "중복", amount: 9900 },
    });
    expect(dup.error?.code).toBe("DUPLICATED_ORDER_ID");
  });

  it("continues the cancel arithmetic where it left off", async () => {
    const cancel = await server.client().POST("/v1/payments/{paymentKey}/cancel", {
      params: { path: { paymentKey: "pay_123" } },
      body: { cancelReason: "나머지", refundableAmount: 10000 },
    });
    expect(cancel.error).toBeUndefined();
    expect(cancel.data).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 0 });
    expect(cancel.data!.cancels!.map((c) => c.cancelAmount)).toEqual([5000, 10000]);
  });
});
