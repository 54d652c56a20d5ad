// Where the payment window sends the buyer back, with Toss's query parameters.
import type { Failure, PaymentRecord } from "../domain/model.js";

function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** `successUrl?paymentKey=&orderId=&amount=&paymentType=NORMAL`, or null without a successUrl. */
export function successRedirectUrl(rec: PaymentRecord): string | null {
  const base = rec.session.successUrl;
  if (!base) return null;
  const p = rec.payment;
  return withQuery(base, { paymentKey: p.paymentKey, orderId: p.orderId, amount: String(p.totalAmount), paymentType: "NORMAL" });
}

/** `failUrl?code=&message=&orderId=`, or null without a failUrl. */
export function failRedirectUrl(rec: PaymentRecord, failure: Failure): string | null {
  const base = rec.session.failUrl;
  if (!base) return null;
  return withQuery(base, { code: failure.code, message: failure.message, orderId: rec.payment.orderId });
}

/** Only absolute http(s) URLs may be redirected to. */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

export { withQuery };
