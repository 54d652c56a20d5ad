// Shortcuts to payment states the tests start from. The buyer's part (authentication in the
// payment window) is done in-process; everything the shop does goes over HTTP.
import { expect } from "vitest";
import type { Payment } from "../../generated/client.js";
import type { TestServer } from "./server.js";
import { DEFAULT_KEY } from "./server.js";

let seq = 0;
export const newOrderId = (prefix = "order"): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++seq}`;

export async function authenticatedCard(
  server: TestServer,
  opts: { orderId?: string; amount?: number; taxFreeAmount?: number; secretKey?: string } = {},
): Promise<{ paymentKey: string; orderId: string; amount: number }> {
  const tenant = server.ft.tenants.lookupSecretKey(opts.secretKey ?? DEFAULT_KEY)!;
  const orderId = opts.orderId ?? newOrderId();
  const amount = opts.amount ?? 15000;
  const rec = await server.ft.service.createCardPaymentSession(tenant, {
    orderId,
    orderName: "테스트 주문",
    amount,
    taxFreeAmount: opts.taxFreeAmount,
    status: "IN_PROGRESS",
  });
  return { paymentKey: rec.payment.paymentKey, orderId, amount };
}

/** A confirmed (DONE) card payment. */
export async function approvedCard(
  server: TestServer,
  opts: { amount?: number; taxFreeAmount?: number; secretKey?: string } = {},
): Promise<Payment> {
  const session = await authenticatedCard(server, opts);
  const { data, error } = await server.client({ secretKey: opts.secretKey }).POST("/v1/payments/confirm", { body: session });
  expect(error).toBeUndefined();
  return data!;
}
