// Domain records → wire bodies: adds the seed document's alias fields and, when the tenant asks
// for real Toss's vocabulary, the Korean labels. The domain keeps one canonical vocabulary.
import type { components } from "../../generated/schema.js";
import type { Billing, Payment, PaymentMethod, CardType, OwnerType, AccountType, Tenant } from "../domain/model.js";
import { bankByCode } from "../domain/banks.js";
import { CODE_VERSION } from "../root.js";

export type WirePayment = components["schemas"]["Payment"];
export type WireBilling = components["schemas"]["Billing"];
export type Labels = "seed" | "toss";

/**
 * The labels a tenant's answers use: its own setting, else the server's. One rule for the API,
 * the stored renditions and the webhooks: a rendition is tagged with what this returns, and a
 * look-up finds it only if the handler asks for the same.
 */
export const tenantLabels = (tenant: Tenant | undefined, serverLabels: Labels): Labels => tenant?.settings.labels ?? serverLabels;

const METHOD_KO: Record<PaymentMethod, components["schemas"]["PaymentMethod"]> = {
  CARD: "카드",
  VIRTUAL_ACCOUNT: "가상계좌",
  EASY_PAY: "간편결제",
  MOBILE_PHONE: "휴대폰",
  TRANSFER: "계좌이체",
  CULTURE_GIFT_CERTIFICATE: "문화상품권",
  BOOK_GIFT_CERTIFICATE: "도서문화상품권",
  GAME_GIFT_CERTIFICATE: "게임문화상품권",
  FOREIGN_EASY_PAY: "해외간편결제",
};
const CARD_TYPE_KO: Record<CardType, components["schemas"]["CardType"]> = { CREDIT: "신용", CHECK: "체크", GIFT: "기프트", UNKNOWN: "미확인" };
const OWNER_TYPE_KO: Record<OwnerType, components["schemas"]["OwnerType"]> = { PERSONAL: "개인", CORPORATE: "법인", UNKNOWN: "미확인" };
const ACCOUNT_TYPE_KO: Record<AccountType, "일반" | "고정"> = { NORMAL: "일반", FIXED: "고정" };

const SEED_METHOD: Record<string, PaymentMethod> = Object.fromEntries(
  Object.entries(METHOD_KO).map(([seed, ko]) => [ko, seed as PaymentMethod]),
);

/** Requests accept both vocabularies: `카드` and `CARD` both mean CARD. */
export function methodFromRequest(value: string): PaymentMethod | undefined {
  if (value in METHOD_KO) return value as PaymentMethod;
  return SEED_METHOD[value];
}

export function toWirePayment(p: Payment, labels: Labels): WirePayment {
  const toss = labels === "toss";
  return {
    ...p,
    amount: p.totalAmount,
    transactionKey: p.lastTransactionKey,
    // The domain has no easy-pay methods yet: easyPay is always null, and so are these.
    easyPayAmount: null,
    easyPayDiscountAmount: null,
    method: p.method === null ? null : toss ? METHOD_KO[p.method] : p.method,
    cancels:
      p.cancels === null
        ? null
        : p.cancels.map((c) => ({ ...c, amount: c.cancelAmount, reason: c.cancelReason })),
    card:
      p.card === null
        ? null
        : toss
          ? { ...p.card, cardType: CARD_TYPE_KO[p.card.cardType], ownerType: OWNER_TYPE_KO[p.card.ownerType] }
          : p.card,
    virtualAccount:
      p.virtualAccount === null
        ? null
        : {
            ...p.virtualAccount,
            accountType: toss ? ACCOUNT_TYPE_KO[p.virtualAccount.accountType] : p.virtualAccount.accountType,
            bank: bankByCode(p.virtualAccount.bankCode)?.shortName ?? p.virtualAccount.bankCode,
          },
  };
}

/**
 * The wire JSON of a payment, rendered once per (payment object, labels): the store renders each
 * written payment (server.ts) and the handler answering the write sends the same text; the
 * store hands out one object while a stored payment is unchanged (sqlite.ts readPayment). Weak:
 * gone with the record.
 */
const rendered = new WeakMap<Payment, Partial<Record<Labels, string>>>();
export function renderPayment(payment: Payment, labels: Labels): string {
  let byLabels = rendered.get(payment);
  if (byLabels === undefined) rendered.set(payment, (byLabels = {}));
  return (byLabels[labels] ??= JSON.stringify(toWirePayment(payment, labels)));
}

/** What a stored rendition of `labels` is tagged with: the labels and the rendering code's version. */
const RENDITION_TAGS: Record<Labels, string> = { seed: `seed@${CODE_VERSION}`, toss: `toss@${CODE_VERSION}` };
export const renditionTag = (labels: Labels): string => RENDITION_TAGS[labels];

export function toWireBilling(b: Billing, labels: Labels): WireBilling {
  if (labels !== "toss") return b;
  return {
    ...b,
    method: b.method === "CARD" ? "카드" : "계좌이체",
    card: b.card === null ? null : { ...b.card, cardType: CARD_TYPE_KO[b.card.cardType], ownerType: OWNER_TYPE_KO[b.card.ownerType] },
  };
}
