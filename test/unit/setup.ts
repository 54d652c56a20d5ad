// Shared wiring for unit tests: an in-memory (or file) sqlite store, a manual clock, a tenant.
import { ManualClock } from "../../src/domain/clock.js";
import { TossError } from "../../src/domain/errors.js";
import type { Tenant } from "../../src/domain/model.js";
import { PaymentService } from "../../src/domain/payments.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import type { Store } from "../../src/store/store.js";

/** 2026-04-21T10:14:00+09:00 */
export const T0 = Date.UTC(2026, 3, 21, 1, 14, 0);

export function makeTenant(id = "tn_test"): Tenant {
  return {
    id,
    secretKey: `test_sk_${id}`,
    clientKey: `test_ck_${id}`,
    mId: "tfaketoss",
    settings: { labels: "seed", autoApproveUnknownPaymentKeys: false },
    clockOffsetMs: 0,
  };
}

export interface Ctx {
  store: Store;
  clock: ManualClock;
  service: PaymentService;
  tenant: Tenant;
}

export async function setup(path = ":memory:"): Promise<Ctx> {
  const store = openSqliteStore(path);
  const clock = new ManualClock(T0);
  const tenant = makeTenant();
  await store.upsertTenant(tenant);
  return { store, clock, service: new PaymentService(store, clock), tenant };
}

/** Resolves to the TossError a promise rejects with (fails the test if it resolves). */
export async function tossError(p: Promise<unknown>): Promise<TossError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TossError) return err;
    throw err;
  }
  throw new Error("expected a TossError, but the call succeeded");
}

let seq = 0;
export const orderId = (): string => `order-${Date.now().toString(36)}-${++seq}`;

/** A DONE card payment of `amount` (taxFree optional), via session + confirm. */
export async function donePayment(ctx: Ctx, amount: number, taxFreeAmount = 0) {
  const oid = orderId();
  const rec = await ctx.service.createCardPaymentSession(ctx.tenant, {
    orderId: oid,
    orderName: "테스트 상품",
    amount,
    taxFreeAmount,
  });
  return ctx.service.confirm(ctx.tenant, { paymentKey: rec.payment.paymentKey, orderId: oid, amount });
}
