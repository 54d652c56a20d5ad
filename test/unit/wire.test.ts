// renderPayment builds the wire JSON as text (no copy of the payment object) and the store
// builds the record's JSON from the payment's shared text (recordJson). Both must give the very
// bytes JSON.stringify gives for the object forms, or stored renditions, webhook bodies and
// answers would drift apart. These pin that over every kind of payment the domain makes and
// over payments with arbitrary field values.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recordJson, type Payment, type PaymentRecord } from "../../src/domain/model.js";
import { renderPayment, wireCard, wireMethod, wireVirtualAccount, type Labels, type WirePayment } from "../../src/http/wire.js";
import { donePayment, orderId, setup } from "./setup.js";

const LABELS: Labels[] = ["seed", "toss"];

/** The oracle: the wire payment as an object, the way it reads in the spec (payment + aliases). */
function toWirePayment(p: Payment, labels: Labels): WirePayment {
  const toss = labels === "toss";
  return {
    ...p,
    amount: p.totalAmount,
    transactionKey: p.lastTransactionKey,
    easyPayAmount: null,
    easyPayDiscountAmount: null,
    method: wireMethod(p.method, toss),
    cancels: p.cancels === null ? null : p.cancels.map((c) => ({ ...c, amount: c.cancelAmount, reason: c.cancelReason })),
    card: wireCard(p.card, toss),
    virtualAccount: wireVirtualAccount(p.virtualAccount, toss),
  };
}

/** One record of each shape: window READY, DONE card, partial and full cancels, virtual accounts. */
async function recordsOfEveryKind(): Promise<PaymentRecord[]> {
  const ctx = await setup();
  const recs: PaymentRecord[] = [];
  const session = await ctx.service.createCardPaymentSession(ctx.tenant, { orderId: orderId(), orderName: "준비 \"따옴표\"", amount: 1000 });
  recs.push(session);
  const done = await donePayment(ctx, 15_000, 1_000);
  recs.push(done);
  const partial = await ctx.service.cancel(ctx.tenant, done.payment.paymentKey, { cancelReason: "부분 \\ 취소", cancelAmount: 5_000 });
  recs.push(partial, await ctx.service.cancel(ctx.tenant, done.payment.paymentKey, { cancelReason: "나머지" }));
  const keyIn = await ctx.service.keyIn(ctx.tenant, {
    amount: 20_000,
    orderId: orderId(),
    orderName: "키인 🍣",
    cardNumber: "9410001234567890",
    cardExpirationYear: "30",
    cardExpirationMonth: "12",
    customerIdentityNumber: "900101",
  });
  recs.push(keyIn);
  const va = await ctx.service.issueVirtualAccount(ctx.tenant, { amount: 30_000, orderId: orderId(), orderName: "가상계좌", customerName: "홍길동", bank: "88" });
  recs.push(va, await ctx.service.depositVirtualAccount(ctx.tenant, va.payment.paymentKey));
  recs.push(await ctx.service.cancel(ctx.tenant, va.payment.paymentKey, { cancelReason: "환불", cancelAmount: 10_000, refundReceiveAccount: { bank: "88", accountNumber: "12345678901234", holderName: "홍길동" } }));
  await ctx.store.close();
  return recs;
}

describe("wire JSON as text", () => {
  it("renders every kind of payment, in both label sets, byte for byte as JSON.stringify(toWirePayment(...))", async () => {
    const recs = await recordsOfEveryKind();
    expect(recs.some((r) => r.payment.cancels !== null && r.payment.virtualAccount !== null)).toBe(true);
    for (const rec of recs) {
      for (const labels of LABELS) expect(renderPayment(rec.payment, labels)).toBe(JSON.stringify(toWirePayment(rec.payment, labels)));
      expect(recordJson(rec)).toBe(JSON.stringify(rec));
    }
  });

  it("stays byte-identical for arbitrary field values, cancels, cards and virtual accounts, including lone surrogates and quotes", async () => {
    const recs = await recordsOfEveryKind();
    const card = recs.find((r) => r.payment.card !== null)!.payment.card!;
    const cancel = recs.find((r) => r.payment.cancels !== null)!.payment.cancels![0]!;
    const account = recs.find((r) => r.payment.virtualAccount !== null)!.payment.virtualAccount!;
    const text = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.constant('"\\\u2028</script>'));
    const value = fc.oneof(text, fc.integer(), fc.double({ noNaN: true }), fc.constant(null), fc.boolean());
    const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    // The fields the label mapping reads keep their kind of value, as the domain guarantees.
    const mapped = fc.record({
      method: fc.constantFrom<Payment["method"]>(null, "CARD", "VIRTUAL_ACCOUNT", "EASY_PAY", "MOBILE_PHONE", "TRANSFER", "CULTURE_GIFT_CERTIFICATE", "BOOK_GIFT_CERTIFICATE", "GAME_GIFT_CERTIFICATE", "FOREIGN_EASY_PAY"),
      cancels: fc.option(fc.array(fc.record({ cancelAmount: number, cancelReason: text, transactionKey: text }).map((c) => ({ ...cancel, ...c })), { maxLength: 3 })),
      card: fc.option(
        fc.record({
          number: text,
          cardType: fc.constantFrom<NonNullable<Payment["card"]>["cardType"]>("CREDIT", "CHECK", "GIFT", "UNKNOWN"),
          ownerType: fc.constantFrom<NonNullable<Payment["card"]>["ownerType"]>("PERSONAL", "CORPORATE", "UNKNOWN"),
        }).map((c) => ({ ...card, ...c })),
      ),
      virtualAccount: fc.option(
        fc.record({
          accountType: fc.constantFrom<NonNullable<Payment["virtualAccount"]>["accountType"]>("NORMAL", "FIXED"),
          bankCode: fc.oneof(fc.constantFrom("88", "20", "004", "11"), text),
          customerName: text,
        }).map((v) => ({ ...account, ...v })),
      ),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...recs),
        fc.dictionary(fc.constantFrom(...Object.keys(recs[0]!.payment)), value),
        fc.option(mapped),
        fc.constantFrom(...LABELS),
        (rec, changes, kinds, labels) => {
          const { method: _m, cancels: _c, card: _d, virtualAccount: _v, ...plain } = changes;
          const payment = { ...rec.payment, ...plain, ...(kinds ?? {}) } as Payment;
          expect(renderPayment(payment, labels)).toBe(JSON.stringify(toWirePayment(payment, labels)));
          const changed: PaymentRecord = { payment, session: rec.session };
          expect(recordJson(changed)).toBe(JSON.stringify(changed));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("gives JSON.stringify's text for a record whose keys are in another order or that has more of them", async () => {
    const [rec] = await recordsOfEveryKind();
    const reordered = { session: rec!.session, payment: rec!.payment } as PaymentRecord;
    const more = { ...rec!, extra: 1 } as PaymentRecord;
    for (const r of [reordered, more]) expect(recordJson(r)).toBe(JSON.stringify(r));
  });
});
