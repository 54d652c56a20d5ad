// The one deadline a payment waits for, if any. The store keeps it in an indexed column
// (deadline_at) on every write, so that the sweeper finds due payments without scanning; the
// domain applies it (applyDeadlines in payments.ts). Both read this function, so they agree.
import { parseKstLocal } from "./clock.js";
import type { PaymentRecord } from "./model.js";

/**
 * Epoch ms (on the tenant's clock) after which the payment changes by itself, or null:
 * READY → session.authDeadline (the 30-minute window), IN_PROGRESS → session.confirmDeadline
 * (the 10-minute confirm), WAITING_FOR_DEPOSIT with a live virtual account → its dueDate.
 * The change happens once the clock is strictly past the deadline.
 */
export function nextDeadline(rec: PaymentRecord): number | null {
  const p = rec.payment;
  switch (p.status) {
    case "READY":
      return rec.session?.authDeadline ?? null;
    case "IN_PROGRESS":
      return rec.session?.confirmDeadline ?? null;
    case "WAITING_FOR_DEPOSIT": {
      const va = p.virtualAccount;
      if (va === null || va.expired) return null;
      return parseKstLocal(va.dueDate) ?? null;
    }
    default:
      return null;
  }
}
