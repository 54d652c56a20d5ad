// Which webhook events a payment change makes, and their payloads (built once, when the event
// happens, and stored: retries send the same bytes).
import { formatKst } from "../domain/clock.js";
import type { Billing, Payment, PaymentStatus } from "../domain/model.js";
import { renderPayment, type Labels } from "../http/wire.js";
import type { WebhookEventType } from "./model.js";

export interface WebhookEvent {
  eventType: WebhookEventType;
  /** The JSON body to send. Rendered on first read: a tenant without endpoints never pays for it. */
  readonly payload: string;
}

/** An event whose payload is rendered once, when first read (synchronously, in the same tick). */
function lazyEvent(eventType: WebhookEventType, render: () => string): WebhookEvent {
  let text: string | undefined;
  return {
    eventType,
    get payload() {
      return (text ??= render());
    },
  };
}

/** Statuses whose reaching Toss reports with PAYMENT_STATUS_CHANGED (not READY / IN_PROGRESS). */
const REPORTED: ReadonlySet<PaymentStatus> = new Set(["DONE", "CANCELED", "PARTIAL_CANCELED", "ABORTED", "EXPIRED", "WAITING_FOR_DEPOSIT"]);

/** Toss's legacy webhook `createdAt`: `2026-04-21T10:14:00.123000`, KST without an offset. */
export function formatLegacyKst(ms: number): string {
  const millis = ((ms % 1000) + 1000) % 1000;
  return formatKst(ms).slice(0, -"+09:00".length) + "." + String(millis).padStart(3, "0") + "000";
}

/**
 * The events of one committed payment change (`before` undefined: just created), in the order
 * they are enqueued:
 * - PAYMENT_STATUS_CHANGED when the status changed to DONE, CANCELED, PARTIAL_CANCELED, ABORTED,
 *   EXPIRED or WAITING_FOR_DEPOSIT, and on every cancel (a second partial cancel keeps the status
 *   but is reported). Not for a billing charge (a BILLING payment becoming DONE), as in Toss; a
 *   later cancel of a billing payment is reported (it is a cancel, not an approval). Not for a
 *   passed virtual-account due date (`expired` flips, the status stays).
 * - DEPOSIT_CALLBACK on a virtual-account deposit (WAITING_FOR_DEPOSIT → DONE) and a deposit
 *   cancel (DONE → WAITING_FOR_DEPOSIT).
 */
export function paymentWebhookEvents(before: Payment | undefined, after: Payment, now: number, labels: Labels): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  const createdAt = formatLegacyKst(now);
  const statusChanged = before === undefined || before.status !== after.status;
  const cancelAdded = (after.cancels?.length ?? 0) > (before?.cancels?.length ?? 0);
  const billingCharge = after.type === "BILLING" && after.status === "DONE";
  if (REPORTED.has(after.status) && (statusChanged || cancelAdded) && !billingCharge) {
    events.push(lazyEvent("PAYMENT_STATUS_CHANGED", () => `{"eventType":"PAYMENT_STATUS_CHANGED","createdAt":${JSON.stringify(createdAt)},"data":${renderPayment(after, labels)}}`));
  }
  const va = after.method === "VIRTUAL_ACCOUNT" && after.virtualAccount !== null && before !== undefined;
  const deposited = va && before.status === "WAITING_FOR_DEPOSIT" && after.status === "DONE";
  const depositCanceled = va && before.status === "DONE" && after.status === "WAITING_FOR_DEPOSIT";
  if (deposited || depositCanceled) {
    events.push(
      lazyEvent("DEPOSIT_CALLBACK", () =>
        JSON.stringify({ createdAt, secret: after.secret, status: after.status, transactionKey: after.lastTransactionKey, orderId: after.orderId }),
      ),
    );
  }
  return events;
}

/** BILLING_DELETED for a billing key deleted through the API. */
export function billingDeletedEvent(billing: Billing, now: number): WebhookEvent {
  return {
    eventType: "BILLING_DELETED",
    payload: JSON.stringify({
      eventType: "BILLING_DELETED",
      createdAt: formatLegacyKst(now),
      data: { billingKey: billing.billingKey, reason: "삭제 API 요청" },
    }),
  };
}
