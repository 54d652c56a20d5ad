// The seed document's fixtures (product.md, "Tenants and keys"), so that every seed example
// works verbatim on a fresh store: pay_123 authenticated and waiting for confirm, and auth_123
// issuing bill_123. Installing twice changes nothing.
import type { Clock } from "./clock.js";
import { TossError } from "./errors.js";
import type { BillingAuth, Tenant } from "./model.js";
import { buildCardPaymentSession } from "./payments.js";
import type { Store } from "../store/store.js";

export const SEED_PAYMENT_KEY = "pay_123";
export const SEED_ORDER_ID = "order-001";
export const SEED_ORDER_NAME = "FakeToss 티셔츠";
export const SEED_AMOUNT = 15000;
export const SEED_CARD_NUMBER = "1234-****-****-5678";
export const SEED_AUTH_KEY = "auth_123";
export const SEED_BILLING_KEY = "bill_123";
export const SEED_CUSTOMER_KEY = "550e8400-e29b-41d4-a716-446655440000";

export async function installSeedFixtures(store: Store, tenant: Tenant, clock: Clock): Promise<void> {
  if ((await store.getPayment(tenant.id, SEED_PAYMENT_KEY)) === undefined) {
    const rec = buildCardPaymentSession(tenant, clock.now(tenant.id), {
      paymentKey: SEED_PAYMENT_KEY,
      orderId: SEED_ORDER_ID,
      orderName: SEED_ORDER_NAME,
      amount: SEED_AMOUNT,
      status: "IN_PROGRESS",
      card: { number: SEED_CARD_NUMBER },
      confirmDeadline: null, // the seed's confirm must work whenever it is run
    });
    try {
      await store.insertPayment(tenant.id, rec);
    } catch (err) {
      // order-001 already used by another payment of this tenant: leave the tenant's data alone.
      if (err instanceof TossError && err.code === "DUPLICATED_ORDER_ID") {
        // nothing to do
      } else if ((await store.getPayment(tenant.id, SEED_PAYMENT_KEY)) === undefined) {
        throw err; // not a concurrent install of the same fixture
      }
    }
  }

  const auth: BillingAuth = {
    authKey: SEED_AUTH_KEY,
    customerKey: SEED_CUSTOMER_KEY,
    billingKey: SEED_BILLING_KEY,
    card: { issuerCode: "41", acquirerCode: "41", number: SEED_CARD_NUMBER, cardType: "CREDIT", ownerType: "PERSONAL" },
    used: false,
  };
  await store.insertBillingAuth(tenant.id, auth); // no-op when it exists (used or not)
}
