// Domain records → wire bodies: adds the seed document's alias fields and, when the tenant asks
// for real Toss's vocabulary, the Korean labels. The domain keeps one canonical vocabulary.
import type { components } from "../../generated/schema.js";
import { paymentJson, type Billing, type Payment, type PaymentMethod, type CardType, type OwnerType, type AccountType, type Tenant } from "../domain/model.js";
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

const json = JSON.stringify;

// The label mappings, field by field (exported for test/unit/wire.test.ts's object-form oracle).
export const wireMethod = (method: Payment["method"], toss: boolean): WirePayment["method"] =>
  method === null ? null : toss ? METHOD_KO[method] : method;

export const wireCard = (card: Payment["card"], toss: boolean): WirePayment["card"] =>
  card === null || !toss ? card : { ...card, cardType: CARD_TYPE_KO[card.cardType], ownerType: OWNER_TYPE_KO[card.ownerType] };

export const wireVirtualAccount = (va: Payment["virtualAccount"], toss: boolean): WirePayment["virtualAccount"] =>
  va === null
    ? null
    : { ...va, accountType: toss ? ACCOUNT_TYPE_KO[va.accountType] : va.accountType, bank: bankByCode(va.bankCode)?.shortName ?? va.bankCode };

/** An object's JSON with `fields` (JSON `"key":value` pairs) added at its end. */
const withFields = (objectJson: string, fields: string): string =>
  objectJson === "{}" ? `{${fields}}` : `${objectJson.slice(0, -1)},${fields}}`;

/**
 * The wire JSON of a payment: its own fields in its own order, the label-mapped ones mapped, and
 * the seed's aliases added (amount, transactionKey, cancels[].amount/reason, virtualAccount.bank;
 * the domain has no easy-pay methods yet, so easyPayAmount and easyPayDiscountAmount are null).
 * Built as text, never as a copied object: spreading a 37-field payment costs V8 about 10 µs,
 * more than serialising it. A seed-labelled payment without cancels or a virtual account (most of
 * them) is its own JSON, the one its stored record is made of (paymentJson), plus the aliases;
 * any other, field by field.
 */
function wirePaymentJson(p: Payment, labels: Labels): string {
  const aliases = `"amount":${json(p.totalAmount)},"transactionKey":${json(p.lastTransactionKey)},"easyPayAmount":null,"easyPayDiscountAmount":null`;
  if (labels === "seed" && p.cancels === null && p.virtualAccount === null) return withFields(paymentJson(p), aliases);
  const toss = labels === "toss";
  const fields: string[] = [];
  for (const key of Object.keys(p) as Array<keyof Payment>) {
    if (p[key] === undefined) continue;
    let value: string;
    switch (key) {
      case "method":
        value = json(wireMethod(p.method, toss));
        break;
      case "cancels":
        value =
          p.cancels === null
            ? "null"
            : `[${p.cancels.map((c) => withFields(json(c), `"amount":${json(c.cancelAmount)},"reason":${json(c.cancelReason)}`)).join(",")}]`;
        break;
      case "card":
        value = json(wireCard(p.card, toss));
        break;
      case "virtualAccount":
        value = json(wireVirtualAccount(p.virtualAccount, toss));
        break;
      default:
        value = json(p[key]);
    }
    fields.push(`${json(key)}:${value}`);
  }
  fields.push(aliases);
  return `{${fields.join(",")}}`;
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
  return (byLabels[labels] ??= wirePaymentJson(payment, labels));
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
