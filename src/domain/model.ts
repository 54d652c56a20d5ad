// The payment domain's records. Field names are Toss's own (core API v1, version 2022-11-16).
// Labels are stored in the seed's vocabulary (CARD, VIRTUAL_ACCOUNT, CREDIT...); the HTTP layer
// translates them to Toss's Korean labels when a tenant asks for them, and adds the seed's alias
// fields (amount, cancels[].amount/reason, virtualAccount.bank). The domain knows nothing of HTTP.

export type PaymentStatus =
  | "READY"
  | "IN_PROGRESS"
  | "WAITING_FOR_DEPOSIT"
  | "DONE"
  | "CANCELED"
  | "PARTIAL_CANCELED"
  | "ABORTED"
  | "EXPIRED";

export type PaymentMethod =
  | "CARD"
  | "VIRTUAL_ACCOUNT"
  | "EASY_PAY"
  | "MOBILE_PHONE"
  | "TRANSFER"
  | "CULTURE_GIFT_CERTIFICATE"
  | "BOOK_GIFT_CERTIFICATE"
  | "GAME_GIFT_CERTIFICATE"
  | "FOREIGN_EASY_PAY";

export type PaymentType = "NORMAL" | "BILLING" | "BRANDPAY";
export type CardType = "CREDIT" | "CHECK" | "GIFT" | "UNKNOWN";
export type OwnerType = "PERSONAL" | "CORPORATE" | "UNKNOWN";
export type AccountType = "NORMAL" | "FIXED";

/** `{code, message}` as Toss puts it in `Payment.failure`. */
export interface Failure {
  code: string;
  message: string;
}

export interface Card {
  amount: number;
  issuerCode: string;
  acquirerCode: string | null;
  number: string;
  installmentPlanMonths: number;
  approveNo: string;
  useCardPoint: boolean;
  cardType: CardType;
  ownerType: OwnerType;
  acquireStatus: "READY" | "REQUESTED" | "COMPLETED" | "CANCEL_REQUESTED" | "CANCELED";
  isInterestFree: boolean;
  interestPayer: "BUYER" | "CARD_COMPANY" | "MERCHANT" | null;
}

export interface RefundReceiveAccount {
  bankCode: string;
  accountNumber: string;
  holderName: string;
}

export interface VirtualAccount {
  accountType: AccountType;
  accountNumber: string;
  bankCode: string;
  customerName: string;
  depositorName: string | null;
  dueDate: string;
  refundStatus: "NONE" | "PENDING" | "FAILED" | "PARTIAL_FAILED" | "COMPLETED";
  expired: boolean;
  settlementStatus: "INCOMPLETED" | "COMPLETED";
  refundReceiveAccount: RefundReceiveAccount | null;
}

export interface Cancel {
  cancelAmount: number;
  cancelReason: string;
  taxFreeAmount: number;
  taxExemptionAmount: number;
  /** What is left to refund after this cancel. */
  refundableAmount: number;
  cardDiscountAmount: number;
  transferDiscountAmount: number;
  easyPayDiscountAmount: number;
  canceledAt: string;
  transactionKey: string;
  receiptKey: string | null;
  cancelStatus: "DONE" | "IN_PROGRESS" | "ABORTED";
  cancelRequestId: string | null;
}

export interface CashReceiptRequest {
  type: "소득공제" | "지출증빙" | "미발행";
  registrationNumber?: string;
}

/** The Toss Payment object, every field present (null when unset), as Toss returns it. */
export interface Payment {
  version: string;
  paymentKey: string;
  type: PaymentType;
  orderId: string;
  orderName: string;
  mId: string;
  currency: string;
  method: PaymentMethod | null;
  totalAmount: number;
  balanceAmount: number;
  status: PaymentStatus;
  requestedAt: string;
  approvedAt: string | null;
  useEscrow: boolean;
  lastTransactionKey: string | null;
  suppliedAmount: number;
  vat: number;
  cultureExpense: boolean;
  taxFreeAmount: number;
  taxExemptionAmount: number;
  cancels: Cancel[] | null;
  isPartialCancelable: boolean;
  card: Card | null;
  virtualAccount: VirtualAccount | null;
  secret: string | null;
  mobilePhone: null;
  giftCertificate: null;
  transfer: null;
  metadata: Record<string, string> | null;
  receipt: { url: string } | null;
  checkout: { url: string } | null;
  easyPay: null;
  country: string;
  failure: Failure | null;
  cashReceipt: null;
  cashReceipts: null;
  discount: null;
}

/** Sandbox-only bookkeeping kept beside a payment; never sent on the wire. */
export interface PaymentSession {
  /** Epoch ms by which an IN_PROGRESS payment must be confirmed; null = never expires (fixtures). */
  confirmDeadline: number | null;
  /** Epoch ms by which a READY payment must be authenticated; null = never expires. */
  authDeadline: number | null;
  customerName: string | null;
  customerEmail: string | null;
  customerMobilePhone: string | null;
  customerKey: string | null;
  /** Where the payment window sends the buyer after approval (createPayment); null otherwise. */
  successUrl: string | null;
  /** Where the payment window sends the buyer after a failure or cancel; null otherwise. */
  failUrl: string | null;
  /** A VIRTUAL_ACCOUNT window payment: hours from confirm to the account's dueDate (null = 168). */
  validHours: number | null;
}

export interface PaymentRecord {
  payment: Payment;
  session: PaymentSession;
}

/** The Toss Billing object. */
export interface Billing {
  mId: string;
  customerKey: string;
  authenticatedAt: string;
  method: "CARD" | "TRANSFER";
  billingKey: string;
  card: {
    issuerCode: string;
    acquirerCode: string | null;
    number: string;
    cardType: CardType;
    ownerType: OwnerType;
  } | null;
  transfers: null;
  cardCompany: string | null;
  cardNumber: string | null;
}

/** Charges of a billing key that will be declined (sandbox: magic cards, setBillingFailures). */
export interface BillingFailures {
  /** How many more charges fail; null = every charge. */
  remaining: number | null;
  code: string;
}

export interface BillingRecord {
  billing: Billing;
  removed: boolean;
  failures?: BillingFailures | null;
}

/** A one-time billing authKey, as the billing-auth redirect hands it out. */
export interface BillingAuth {
  authKey: string;
  customerKey: string;
  /** The billing key this authKey turns into (fixtures fix it; otherwise generated on issue). */
  billingKey: string | null;
  card: Billing["card"];
  used: boolean;
  /** A magic card that registers but whose charges are declined with this code. */
  chargeDeclineCode?: string | null;
}

export interface Tenant {
  id: string;
  secretKey: string;
  clientKey: string;
  mId: string;
  settings: TenantSettings;
  /** How far this tenant's virtual clock runs ahead of the server's clock (sandbox), in ms. */
  clockOffsetMs: number;
}

export interface TenantSettings {
  /** "seed": CARD/VIRTUAL_ACCOUNT...; "toss": the real API's Korean labels (카드/가상계좌...); null: the server default. */
  labels: "seed" | "toss" | null;
  /** When true, confirm of an unknown paymentKey approves a new card payment instead of 404. */
  autoApproveUnknownPaymentKeys: boolean;
}

// ---------------------------------------------------------------- old rows
// Records are stored as JSON; rows written before a field existed lack it. These fill the
// defaults on read, so that every reader sees the current shape.

/** Fills session fields missing from older rows. Returns `rec` itself when nothing was missing. */
export function normalizePaymentRecord(rec: PaymentRecord): PaymentRecord {
  const s = rec.session as Partial<PaymentSession> | undefined;
  if (s && s.successUrl !== undefined && s.failUrl !== undefined && s.validHours !== undefined) return rec;
  return {
    ...rec,
    session: {
      confirmDeadline: s?.confirmDeadline ?? null,
      authDeadline: s?.authDeadline ?? null,
      customerName: s?.customerName ?? null,
      customerEmail: s?.customerEmail ?? null,
      customerMobilePhone: s?.customerMobilePhone ?? null,
      customerKey: s?.customerKey ?? null,
      successUrl: s?.successUrl ?? null,
      failUrl: s?.failUrl ?? null,
      validHours: s?.validHours ?? null,
    },
  };
}

/** Fills tenant fields missing from older rows (clockOffsetMs 0, default settings). */
export function normalizeTenant(t: Tenant): Tenant {
  const partial = t as Partial<Tenant>;
  const settings = (partial.settings ?? {}) as Partial<TenantSettings>;
  return {
    ...t,
    settings: {
      labels: settings.labels ?? null,
      autoApproveUnknownPaymentKeys: settings.autoApproveUnknownPaymentKeys ?? false,
    },
    clockOffsetMs: typeof partial.clockOffsetMs === "number" && Number.isFinite(partial.clockOffsetMs) ? partial.clockOffsetMs : 0,
  };
}

// ---------------------------------------------------------------- JSON text
// Records are never changed in place (a change makes a new object), so a payment's JSON text is
// made once per object: the stored record and the wire body (http/wire.ts) share it. An in-place
// edit after the first use would store and answer the old text.

const paymentTexts = new WeakMap<Payment, string>();

/** JSON.stringify(p), made once per payment object. */
export function paymentJson(p: Payment): string {
  let text = paymentTexts.get(p);
  if (text === undefined) paymentTexts.set(p, (text = JSON.stringify(p)));
  return text;
}

/** The same text as JSON.stringify(rec), reusing paymentJson for the payment. */
export function recordJson(rec: PaymentRecord): string {
  const keys = Object.keys(rec);
  if (keys.length !== 2 || keys[0] !== "payment" || keys[1] !== "session") return JSON.stringify(rec);
  return `{"payment":${paymentJson(rec.payment)},"session":${JSON.stringify(rec.session)}}`;
}
