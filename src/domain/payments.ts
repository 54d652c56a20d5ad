// The payment domain: Toss's state machine and arithmetic over the store. Every read-modify-write
// runs inside store.updatePayment's transaction, so concurrent requests never see or write a
// stale payment (20 parallel partial cancels cannot overdraw the balance).
import { cardBinOf, cardCompanyByCode, resolveBank } from "./banks.js";
import { formatKst, KST_OFFSET_MS, parseKstLocal, type Clock } from "./clock.js";
import { nextDeadline } from "./deadlines.js";
import { ERROR_CATALOGUE, TEST_CODES, TossError } from "./errors.js";
import { magicCard } from "./magic.js";
import {
  newApproveNo,
  newAuthKey,
  newBillingKey,
  newPaymentKey,
  newSecret,
  newTransactionKey,
  newVirtualAccountNumber,
} from "./ids.js";
import type {
  Billing,
  BillingAuth,
  BillingRecord,
  Cancel,
  Card,
  CardType,
  OwnerType,
  Payment,
  PaymentMethod,
  PaymentRecord,
  PaymentSession,
  PaymentStatus,
  PaymentType,
  Tenant,
} from "./model.js";
import { splitVat } from "./money.js";
import type { Store } from "../store/store.js";

export { nextDeadline };

export const API_VERSION = "2022-11-16";
/** Confirm must follow buyer authentication within 10 minutes (toss-api §3.1). */
export const CONFIRM_WINDOW_MS = 10 * 60 * 1000;
/** The payment window is valid for 30 minutes. */
export const AUTH_WINDOW_MS = 30 * 60 * 1000;
export const VA_DEFAULT_VALID_HOURS = 168;
export const VA_MAX_VALID_HOURS = 2160;
export const VA_MAX_DUE_MS = 90 * 24 * 60 * 60 * 1000;
export const VA_DEFAULT_BANK = "88";
export const CARD_MIN_AMOUNT = 100;
export const ACCOUNT_MIN_AMOUNT = 200;
const HOUR_MS = 60 * 60 * 1000;
const RECEIPT_HOST = "https://dashboard-sandbox.tosspayments.com";

export const EXPIRED_FAILURE = { code: "EXPIRED_PAYMENT", message: "결제가 만료되었습니다. 다시 시도해주세요." } as const;
/** failPayment's message for a code FakeToss has no message for. */
export const GENERIC_FAILURE_MESSAGE = "결제에 실패했습니다.";
/** The billing-auth window's card when the buyer types none (Toss test mode's working card, toss-api §9). */
export const DEFAULT_TEST_CARD_NUMBER = "9410001234567890";
export const INSTALLMENT_MIN_AMOUNT = 50_000;

/** The card an authenticated session or billing key carries. */
export interface CardInfo {
  number: string;
  issuerCode: string;
  acquirerCode: string | null;
  cardType: CardType;
  ownerType: OwnerType;
}

export const DEFAULT_CARD: CardInfo = {
  number: "1234-****-****-5678",
  issuerCode: "41",
  acquirerCode: "41",
  cardType: "CREDIT",
  ownerType: "PERSONAL",
};

export interface ConfirmInput {
  paymentKey: string;
  orderId: string;
  amount: number;
}

export interface RefundReceiveAccountInput {
  bank: string;
  accountNumber: string;
  holderName: string;
}

export interface CancelInput {
  cancelReason: string;
  cancelAmount?: number;
  taxFreeAmount?: number;
  taxExemptionAmount?: number;
  refundReceiveAccount?: RefundReceiveAccountInput | null;
  refundableAmount?: number;
  currency?: string;
}

export interface VirtualAccountInput {
  amount: number;
  orderId: string;
  orderName: string;
  customerName: string;
  bank?: string;
  validHours?: number;
  dueDate?: string;
  customerEmail?: string;
  customerMobilePhone?: string;
  taxFreeAmount?: number;
  useEscrow?: boolean;
  /** Accepted; FakeToss issues no cash receipts yet (Payment.cashReceipt stays null). */
  cashReceipt?: { type: string; registrationNumber?: string } | null;
}

export interface BillingIssueInput {
  authKey: string;
  customerKey: string;
}

export interface BillingChargeInput {
  customerKey: string;
  orderId: string;
  orderName: string;
  amount: number;
  customerEmail?: string;
  customerName?: string;
  customerIp?: string;
  taxFreeAmount?: number;
  taxExemptionAmount?: number;
  cardInstallmentPlan?: number;
}

export interface CardSessionInput {
  paymentKey?: string;
  orderId: string;
  orderName: string;
  amount: number;
  /** READY = window opened, IN_PROGRESS = buyer authenticated, waiting for confirm. */
  status?: "READY" | "IN_PROGRESS";
  taxFreeAmount?: number;
  card?: Partial<CardInfo>;
  customerKey?: string | null;
  customerName?: string | null;
  customerEmail?: string | null;
  customerMobilePhone?: string | null;
  /** Epoch ms; null = never. Default: now + 30 min for READY. */
  authDeadline?: number | null;
  /** Epoch ms; null = never. Default: now + 10 min for IN_PROGRESS. */
  confirmDeadline?: number | null;
  metadata?: Record<string, string> | null;
}

export interface CreatePaymentInput {
  method: PaymentMethod;
  amount: number;
  orderId: string;
  orderName: string;
  successUrl: string;
  failUrl: string;
  currency?: string;
  customerName?: string;
  customerEmail?: string;
  customerMobilePhone?: string;
  taxFreeAmount?: number;
  /** VIRTUAL_ACCOUNT only: hours from confirm to the account's dueDate (default 168). */
  validHours?: number;
  metadata?: Record<string, string>;
}

/** What identifies a card when it is typed in (key-in payment, card billing key). */
export interface CardEntry {
  cardNumber: string;
  cardExpirationYear: string;
  cardExpirationMonth: string;
  /** Birth date YYMMDD (a person) or a 10-digit business number (a company). */
  customerIdentityNumber: string;
  /** The first two digits of the card's password. */
  cardPassword?: string;
}

export interface KeyInInput extends CardEntry {
  amount: number;
  orderId: string;
  orderName: string;
  cardInstallmentPlan?: number;
  useFreeInstallmentPlan?: boolean;
  useCardPoint?: boolean;
  taxFreeAmount?: number;
  customerEmail?: string;
  customerName?: string;
  customerIp?: string;
}

export interface BillingCardInput extends CardEntry {
  customerKey: string;
  customerName?: string;
  customerEmail?: string;
}

export interface DepositInput {
  /** Default: the payment's balance. */
  amount?: number;
  /** Default: the virtual account's customerName. */
  depositorName?: string;
}

export interface FailInput {
  code?: string;
  message?: string;
}

/**
 * Transition events, for the webhooks. `paymentChanged` runs after every COMMITTED change of a
 * payment's status, of its cancels, or of `virtualAccount.expired` (deposits and deposit
 * cancels change the status); `before` is undefined for a payment just created. Expiry is
 * reported whoever finds it: a request, a lazy read, the sweeper. Never called for a refused
 * change. A listener must not throw (what it throws is logged and swallowed) and must not block:
 * it runs before the API call answers.
 */
export interface PaymentEvents {
  paymentChanged(tenant: Tenant, before: PaymentRecord | undefined, after: PaymentRecord): void;
  /** After a billing key was deleted (Toss's BILLING_DELETED webhook). */
  billingDeleted?(tenant: Tenant, billing: Billing): void;
}

/** Whether before → after is a change PaymentEvents reports. */
export function isReportedChange(before: PaymentRecord, after: PaymentRecord): boolean {
  const a = before.payment;
  const b = after.payment;
  return (
    a.status !== b.status ||
    (a.cancels?.length ?? 0) !== (b.cancels?.length ?? 0) ||
    (a.virtualAccount?.expired ?? null) !== (b.virtualAccount?.expired ?? null)
  );
}

// ---------------------------------------------------------------- validation helpers

const isInt = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkAmount(amount: unknown, min: number): number {
  if (amount === undefined || amount === null) throw new TossError("INVALID_REQUIRED_PARAM", "결제 금액(amount)은 필수입니다.", "amount is required.");
  if (!isInt(amount)) throw new TossError("INVALID_REQUEST", "결제 금액은 정수여야 합니다.", "The amount must be an integer.");
  if (amount <= 0) throw new TossError("BELOW_ZERO_AMOUNT");
  if (amount < min) throw new TossError("BELOW_MINIMUM_AMOUNT");
  return amount;
}

function checkTaxFree(taxFree: unknown, amount: number, what = "taxFreeAmount"): number {
  if (taxFree === undefined || taxFree === null) return 0;
  if (!isInt(taxFree) || taxFree < 0)
    throw new TossError("INVALID_REQUEST", `${what}는 0 이상의 정수여야 합니다.`, `${what} must be a non-negative integer.`);
  if (taxFree > amount)
    throw new TossError("INVALID_REQUEST", `${what}는 결제 금액보다 클 수 없습니다.`, `${what} cannot exceed the amount.`);
  return taxFree;
}

// Toss's core API rule (toss-api §3): 6–64 of letters, digits, `-`, `_`. Other sources also allow
// `=` or `.`; FakeToss follows the core API text, as openapi.yaml's OrderId does.
export const ORDER_ID_RE = /^[A-Za-z0-9_-]{6,64}$/;

export function checkOrderId(orderId: unknown): string {
  if (typeof orderId !== "string" || orderId === "") throw new TossError("INVALID_REQUIRED_PARAM", "orderId는 필수입니다.", "orderId is required.");
  if (!ORDER_ID_RE.test(orderId)) throw new TossError("INVALID_ORDER_ID");
  return orderId;
}

export function checkOrderName(orderName: unknown): string {
  if (typeof orderName !== "string" || orderName === "") throw new TossError("INVALID_REQUIRED_PARAM", "orderName은 필수입니다.", "orderName is required.");
  if ([...orderName].length > 100) throw new TossError("INVALID_ORDER_NAME");
  return orderName;
}

function checkRequiredString(value: unknown, field: string, max: number): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new TossError("INVALID_REQUIRED_PARAM", `${field}는 필수입니다.`, `${field} is required.`);
  if ([...value].length > max)
    throw new TossError("INVALID_REQUEST", `${field}는 ${max}자 이하여야 합니다.`, `${field} must be ${max} characters or fewer.`);
  return value;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkEmail(email: unknown): string | null {
  if (email === undefined || email === null || email === "") return null;
  if (typeof email !== "string" || email.length > 100 || !EMAIL_RE.test(email)) throw new TossError("INVALID_EMAIL");
  return email;
}

function checkMobilePhone(phone: unknown): string | null {
  if (phone === undefined || phone === null || phone === "") return null;
  const digits = typeof phone === "string" ? phone.replace(/-/g, "") : "";
  if (!/^\d{8,15}$/.test(digits))
    throw new TossError("INVALID_REQUEST", "휴대폰 번호는 8자 이상 15자 이하의 숫자여야 합니다.", "customerMobilePhone must be 8 to 15 digits.");
  return digits;
}

// Toss: 2–300 characters of letters, digits, `-`, `_`, `=`, `.`, `@` (toss-api §3).
const CUSTOMER_KEY_RE = /^[A-Za-z0-9\-_=.@]{2,300}$/;

function checkCustomerKey(value: unknown): string {
  if (typeof value !== "string" || value === "")
    throw new TossError("INVALID_REQUIRED_PARAM", "customerKey는 필수입니다.", "customerKey is required.");
  if (!CUSTOMER_KEY_RE.test(value)) throw new TossError("INVALID_CUSTOMER_KEY");
  return value;
}

/** An absolute http(s) URL, as the window redirects to it. */
function checkRedirectUrl(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "")
    throw new TossError("INVALID_REQUIRED_PARAM", `${field}는 필수입니다.`, `${field} is required.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TossError("INVALID_URL");
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || value.length > 2000 || /\s/.test(value))
    throw new TossError("INVALID_URL");
  return value;
}

/** Toss: at most 5 pairs, keys ≤ 40 characters without `[` `]`, values ≤ 2000 characters. */
function checkMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  const bad = (): TossError =>
    new TossError("INVALID_REQUEST", "metadata는 최대 5개의 문자열 키-값 쌍이어야 합니다.", "metadata must be at most 5 string key-value pairs.");
  if (typeof value !== "object" || Array.isArray(value)) throw bad();
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 5) throw bad();
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > 40 || /[[\]]/.test(k) || typeof v !== "string" || v.length > 2000) throw bad();
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** 0 (lump sum) or 2–12 months, and installments only from 50,000 KRW. */
function checkInstallmentPlan(value: unknown, amount: number): number {
  const plan = value ?? 0;
  if (!isInt(plan) || plan < 0 || plan === 1) throw new TossError("INVALID_CARD_INSTALLMENT_PLAN");
  if (plan > 12) throw new TossError("EXCEED_MAX_CARD_INSTALLMENT_PLAN");
  if (plan > 0 && amount < INSTALLMENT_MIN_AMOUNT)
    throw new TossError("INVALID_CARD_INSTALLMENT_PLAN", "할부는 50,000원 이상부터 가능합니다.", "Installments need an amount of at least 50,000 KRW.");
  return plan;
}

function checkOptionalName(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string" || [...value].length > 100)
    throw new TossError("INVALID_REQUEST", `${field}는 100자 이하여야 합니다.`, `${field} must be 100 characters or fewer.`);
  return value;
}

// ---------------------------------------------------------------- typed-in cards

/**
 * Toss's masking: the first 8 digits, `****`, then the rest with the last digit masked
 * (`9410001234567890` → `94100012****789*`).
 */
export function maskCardNumber(digits: string): string {
  return digits.slice(0, 8) + "****" + digits.slice(12, -1) + "*";
}

/** A card from its number alone: 14–19 digits (no Luhn check), company from the BIN table. */
export function cardFromNumber(cardNumber: unknown): CardInfo {
  const digits = typeof cardNumber === "string" ? cardNumber.replace(/[\s-]/g, "") : "";
  if (!/^\d{14,19}$/.test(digits)) throw new TossError("INVALID_CARD_NUMBER");
  const bin = cardBinOf(digits);
  return {
    number: maskCardNumber(digits),
    issuerCode: bin.issuerCode,
    acquirerCode: bin.acquirerCode,
    cardType: bin.cardType,
    ownerType: "PERSONAL",
  };
}

/**
 * Checks a typed-in card (key-in payment, card billing key) and describes it. `now` is the
 * tenant's clock: a card is valid through the last day of its expiry month (KST).
 * Errors: INVALID_CARD_NUMBER, INVALID_CARD_EXPIRATION (past, month 00/13, not digits),
 * INVALID_CARD_IDENTITY (not 6 or 10 digits), INVALID_CARD_PASSWORD (not 2 digits).
 * A 10-digit identity is a business number: the card is CORPORATE.
 */
export function parseCardEntry(input: CardEntry, now: number): CardInfo {
  const card = cardFromNumber(input.cardNumber);

  const yy = input.cardExpirationYear;
  const mm = input.cardExpirationMonth;
  if (typeof yy !== "string" || !/^(\d{2}|\d{4})$/.test(yy) || typeof mm !== "string" || !/^\d{1,2}$/.test(mm))
    throw new TossError("INVALID_CARD_EXPIRATION");
  const year = yy.length === 2 ? 2000 + Number(yy) : Number(yy);
  const month = Number(mm);
  if (month < 1 || month > 12) throw new TossError("INVALID_CARD_EXPIRATION");
  const today = new Date(now + KST_OFFSET_MS);
  const thisYear = today.getUTCFullYear();
  const thisMonth = today.getUTCMonth() + 1;
  if (year < thisYear || (year === thisYear && month < thisMonth)) throw new TossError("INVALID_CARD_EXPIRATION");

  const identity = input.customerIdentityNumber;
  if (typeof identity !== "string" || !/^(\d{6}|\d{10})$/.test(identity)) throw new TossError("INVALID_CARD_IDENTITY");

  const password = input.cardPassword;
  if (password !== undefined && password !== null && (typeof password !== "string" || !/^\d{2}$/.test(password)))
    throw new TossError("INVALID_CARD_PASSWORD");

  return { ...card, ownerType: identity.length === 10 ? "CORPORATE" : "PERSONAL" };
}

/** Toss test mode registers some cards as 미확인 (UNKNOWN), then refuses to charge them. */
const unknownCard = (card: NonNullable<Billing["card"]>): NonNullable<Billing["card"]> => ({
  ...card,
  cardType: "UNKNOWN",
  ownerType: "UNKNOWN",
});

const billingCard = (info: CardInfo): NonNullable<Billing["card"]> => ({
  issuerCode: info.issuerCode,
  acquirerCode: info.acquirerCode,
  number: info.number,
  cardType: info.cardType,
  ownerType: info.ownerType,
});

// ---------------------------------------------------------------- record builders

const cardReceiptUrl = (paymentKey: string): string =>
  `${RECEIPT_HOST}/receipt/redirection?transactionId=${encodeURIComponent(paymentKey)}&ref=PX`;
const transferReceiptUrl = (paymentKey: string): string =>
  `${RECEIPT_HOST}/receipt/payment-detail/bank-transfer?transactionId=${encodeURIComponent(paymentKey)}&ref=PX`;

interface BaseFields {
  paymentKey: string;
  type: PaymentType;
  orderId: string;
  orderName: string;
  amount: number;
  taxFreeAmount: number;
  taxExemptionAmount: number;
  method: PaymentMethod | null;
  status: PaymentStatus;
  requestedAt: string;
}

function basePayment(tenant: Tenant, f: BaseFields): Payment {
  return {
    version: API_VERSION,
    paymentKey: f.paymentKey,
    type: f.type,
    orderId: f.orderId,
    orderName: f.orderName,
    mId: tenant.mId,
    currency: "KRW",
    method: f.method,
    totalAmount: f.amount,
    balanceAmount: f.amount,
    status: f.status,
    requestedAt: f.requestedAt,
    approvedAt: null,
    useEscrow: false,
    lastTransactionKey: null,
    ...splitVat(f.amount, f.taxFreeAmount),
    cultureExpense: false,
    taxFreeAmount: f.taxFreeAmount,
    taxExemptionAmount: f.taxExemptionAmount,
    cancels: null,
    // Toss refuses partial cancels of card payments that carry a taxExemptionAmount.
    isPartialCancelable: f.taxExemptionAmount === 0,
    card: null,
    virtualAccount: null,
    secret: newSecret(),
    mobilePhone: null,
    giftCertificate: null,
    transfer: null,
    metadata: null,
    receipt: null,
    checkout: null,
    easyPay: null,
    country: "KR",
    failure: null,
    cashReceipt: null,
    cashReceipts: null,
    discount: null,
  };
}

function emptySession(): PaymentSession {
  return {
    confirmDeadline: null,
    authDeadline: null,
    customerName: null,
    customerEmail: null,
    customerMobilePhone: null,
    customerKey: null,
    successUrl: null,
    failUrl: null,
    validHours: null,
  };
}

function makeCard(info: CardInfo, amount: number, approveNo: string, installmentPlanMonths = 0): Card {
  return {
    amount,
    issuerCode: info.issuerCode,
    acquirerCode: info.acquirerCode,
    number: info.number,
    installmentPlanMonths,
    approveNo,
    useCardPoint: false,
    cardType: info.cardType,
    ownerType: info.ownerType,
    acquireStatus: "READY",
    isInterestFree: false,
    interestPayer: null,
  };
}

/** Builds (does not store) a card payment in READY or IN_PROGRESS. */
export function buildCardPaymentSession(tenant: Tenant, now: number, input: CardSessionInput): PaymentRecord {
  const amount = checkAmount(input.amount, CARD_MIN_AMOUNT);
  const taxFreeAmount = checkTaxFree(input.taxFreeAmount, amount);
  const status = input.status ?? "IN_PROGRESS";
  const payment = basePayment(tenant, {
    paymentKey: input.paymentKey ?? newPaymentKey(),
    type: "NORMAL",
    orderId: checkOrderId(input.orderId),
    orderName: checkOrderName(input.orderName),
    amount,
    taxFreeAmount,
    taxExemptionAmount: 0,
    method: "CARD",
    status,
    requestedAt: formatKst(now),
  });
  payment.metadata = input.metadata ?? null;
  payment.receipt = { url: cardReceiptUrl(payment.paymentKey) };
  // The card is known once the buyer has authenticated; approveNo comes with the approval.
  if (status === "IN_PROGRESS") payment.card = makeCard({ ...DEFAULT_CARD, ...input.card }, amount, "00000000");
  const session: PaymentSession = {
    ...emptySession(),
    authDeadline: status === "READY" ? (input.authDeadline === undefined ? now + AUTH_WINDOW_MS : input.authDeadline) : null,
    confirmDeadline:
      status === "IN_PROGRESS" ? (input.confirmDeadline === undefined ? now + CONFIRM_WINDOW_MS : input.confirmDeadline) : null,
    customerKey: input.customerKey ?? null,
    customerName: input.customerName ?? null,
    customerEmail: input.customerEmail ?? null,
    customerMobilePhone: input.customerMobilePhone ?? null,
  };
  return { payment, session };
}

function expire(rec: PaymentRecord): PaymentRecord {
  return { ...rec, payment: { ...rec.payment, status: "EXPIRED", failure: { ...EXPIRED_FAILURE } } };
}

/**
 * Applies the deadline (nextDeadline) once `now` is past it: a READY payment past authDeadline
 * or an IN_PROGRESS one past confirmDeadline becomes EXPIRED; a waiting virtual account past its
 * dueDate gets `expired: true` (status stays WAITING_FOR_DEPOSIT, as in Toss).
 * Pure: returns `rec` itself when nothing changed, a new record otherwise.
 */
export function applyDeadlines(rec: PaymentRecord, now: number): PaymentRecord {
  const deadline = nextDeadline(rec);
  if (deadline === null || !(now > deadline)) return rec;
  const p = rec.payment;
  if (p.status === "READY" || p.status === "IN_PROGRESS") return expire(rec);
  const va = p.virtualAccount;
  if (p.status === "WAITING_FOR_DEPOSIT" && va !== null) return { ...rec, payment: { ...p, virtualAccount: { ...va, expired: true } } };
  return rec;
}

// ---------------------------------------------------------------- the service

export class PaymentService {
  /**
   * `events` hears every committed transition (PaymentEvents). `tenantById` finds the tenant of
   * a payment found by key alone (the payment window); by default the store's copy.
   */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events?: PaymentEvents,
    private readonly tenantById?: (id: string) => Tenant | undefined,
  ) {}

  // ---- transition events

  private emit(tenant: Tenant, before: PaymentRecord | undefined, after: PaymentRecord): void {
    const events = this.events;
    if (events === undefined) return;
    if (before !== undefined && !isReportedChange(before, after)) return;
    try {
      const ret: unknown = events.paymentChanged(tenant, before, after);
      // A listener declared void may still be async: never let its rejection go unhandled.
      if (ret instanceof Promise) ret.catch((err: unknown) => logListenerError(err));
    } catch (err) {
      logListenerError(err);
    }
  }

  /** insertPayment, then the creation event. */
  private async insert(tenant: Tenant, rec: PaymentRecord): Promise<PaymentRecord> {
    await this.store.insertPayment(tenant.id, rec);
    this.emit(tenant, undefined, rec);
    return rec;
  }

  /**
   * Atomic read-modify-write with deadlines applied first (and again to what `fn` returns, so
   * that a write never leaves a passed deadline pending). `fn` gets the record with deadlines
   * applied, `now`, and the record as stored. When `fn` refuses with a TossError but the
   * deadlines changed the record (e.g. the session just expired), the expiry is still persisted
   * (and reported) and the error thrown after the commit. `fn` must validate before it builds.
   */
  private async mutate(
    tenant: Tenant,
    paymentKey: string,
    notFoundCode: string,
    fn: (rec: PaymentRecord, now: number, stored: PaymentRecord) => PaymentRecord,
  ): Promise<PaymentRecord> {
    const now = this.clock.now(tenant.id);
    let deferred: TossError | undefined;
    let before: PaymentRecord | undefined;
    const out = await this.store.updatePayment(tenant.id, paymentKey, (stored) => {
      before = stored;
      const fresh = applyDeadlines(stored, now);
      try {
        const next = fn(fresh, now, stored);
        return next === fresh ? fresh : applyDeadlines(next, now);
      } catch (err) {
        if (fresh !== stored && err instanceof TossError) {
          deferred = err;
          return fresh;
        }
        throw err;
      }
    });
    if (out !== undefined && before !== undefined && out !== before) this.emit(tenant, before, out);
    if (deferred) throw deferred;
    if (out === undefined) throw new TossError(notFoundCode);
    return out;
  }

  /**
   * Applies and persists whatever deadline of this payment has passed on the tenant's clock.
   * The one path for lazy reads and for the sweeper. Resolves undefined for an unknown key.
   */
  async applyDueDeadline(tenant: Tenant, paymentKey: string): Promise<PaymentRecord | undefined> {
    const now = this.clock.now(tenant.id);
    let before: PaymentRecord | undefined;
    const out = await this.store.updatePayment(tenant.id, paymentKey, (stored) => {
      before = stored;
      return applyDeadlines(stored, now);
    });
    if (out !== undefined && before !== undefined && out !== before) this.emit(tenant, before, out);
    return out;
  }

  /** Persists deadline effects observed on a read. */
  private async refresh(tenant: Tenant, rec: PaymentRecord): Promise<PaymentRecord> {
    if (applyDeadlines(rec, this.clock.now(tenant.id)) === rec) return rec;
    return (await this.applyDueDeadline(tenant, rec.payment.paymentKey)) ?? rec;
  }

  async getPayment(tenant: Tenant, paymentKey: string): Promise<PaymentRecord> {
    const rec = await this.store.getPayment(tenant.id, paymentKey);
    if (rec === undefined) throw new TossError("NOT_FOUND_PAYMENT");
    return this.refresh(tenant, rec);
  }

  async getPaymentByOrderId(tenant: Tenant, orderId: string): Promise<PaymentRecord> {
    const rec = await this.store.getPaymentByOrderId(tenant.id, orderId);
    if (rec === undefined) throw new TossError("NOT_FOUND_PAYMENT");
    return this.refresh(tenant, rec);
  }

  /**
   * The payment's stored rendition (the API answer rendered at its last write) when it was
   * rendered for `tag` and is still current: no deadline has passed since. Otherwise undefined,
   * and the caller reads the record (getPayment), which also applies a passed deadline.
   */
  async getPaymentRendition(tenant: Tenant, by: { paymentKey: string } | { orderId: string }, tag: string): Promise<Buffer | undefined> {
    return this.store.getCurrentRendition(tenant.id, by, tag, this.clock.now(tenant.id));
  }

  /**
   * The payment window is opened without a key: finds a payment by paymentKey across tenants,
   * with its deadlines applied on its tenant's clock (and persisted, as getPayment does).
   */
  async findPaymentForCheckout(paymentKey: string): Promise<{ tenantId: string; rec: PaymentRecord } | undefined> {
    const found = await this.store.findPayment(paymentKey);
    if (found === undefined) return undefined;
    const tenant = this.tenantById?.(found.tenantId) ?? (await this.store.getTenant(found.tenantId));
    if (tenant === undefined) return found;
    return { tenantId: found.tenantId, rec: await this.refresh(tenant, found.rec) };
  }

  /** Builds and stores a card session (fixtures, tests, sandbox controls). */
  async createCardPaymentSession(tenant: Tenant, input: CardSessionInput): Promise<PaymentRecord> {
    return this.insert(tenant, buildCardPaymentSession(tenant, this.clock.now(tenant.id), input));
  }

  /**
   * Toss's "create a payment window" API: a READY payment of `method` (CARD or VIRTUAL_ACCOUNT)
   * with `checkout.url` = `${origin}/v1/payments/{paymentKey}/checkout`, to be authenticated
   * within 30 minutes. A virtual account is issued at confirm (validHours from then on).
   */
  async createPayment(tenant: Tenant, input: CreatePaymentInput, origin: string): Promise<PaymentRecord> {
    const method = input.method;
    if (method !== "CARD" && method !== "VIRTUAL_ACCOUNT") throw new TossError("NOT_SUPPORTED_METHOD");
    const isAccount = method === "VIRTUAL_ACCOUNT";
    const amount = checkAmount(input.amount, isAccount ? ACCOUNT_MIN_AMOUNT : CARD_MIN_AMOUNT);
    const orderId = checkOrderId(input.orderId);
    const orderName = checkOrderName(input.orderName);
    const successUrl = checkRedirectUrl(input.successUrl, "successUrl");
    const failUrl = checkRedirectUrl(input.failUrl, "failUrl");
    if (input.currency !== undefined && input.currency !== null && input.currency !== "KRW") throw new TossError("INVALID_CURRENCY");
    const taxFreeAmount = checkTaxFree(input.taxFreeAmount, amount);
    const customerName = checkOptionalName(input.customerName, "customerName");
    const customerEmail = checkEmail(input.customerEmail);
    const customerMobilePhone = checkMobilePhone(input.customerMobilePhone);
    const metadata = checkMetadata(input.metadata);
    let validHours: number | null = null;
    if (isAccount && input.validHours !== undefined && input.validHours !== null) {
      validHours = input.validHours;
      if (!isInt(validHours) || validHours < 1)
        throw new TossError("INVALID_REQUEST", "validHours는 1 이상의 정수여야 합니다.", "validHours must be a positive integer.");
      if (validHours > VA_MAX_VALID_HOURS) throw new TossError("EXCEED_MAX_VALID_HOURS");
    }

    const now = this.clock.now(tenant.id);
    const payment = basePayment(tenant, {
      paymentKey: newPaymentKey(isAccount ? "virtualAccount" : "normal"),
      type: "NORMAL",
      orderId,
      orderName,
      amount,
      taxFreeAmount,
      taxExemptionAmount: 0,
      method,
      status: "READY",
      requestedAt: formatKst(now),
    });
    payment.metadata = metadata;
    payment.checkout = { url: `${origin.replace(/\/+$/, "")}/v1/payments/${encodeURIComponent(payment.paymentKey)}/checkout` };
    const session: PaymentSession = {
      ...emptySession(),
      authDeadline: now + AUTH_WINDOW_MS,
      customerName,
      customerEmail,
      customerMobilePhone,
      successUrl,
      failUrl,
      validHours,
    };
    return this.insert(tenant, { payment, session });
  }

  /**
   * Buyer authentication: READY -> IN_PROGRESS, opening the 10-minute confirm window. A card
   * payment gets its card now (`card`, default FakeToss's test card); a virtual account none.
   * IN_PROGRESS again is a no-op; EXPIRED → 404 NOT_FOUND_PAYMENT_SESSION; any other status →
   * 400 INVALID_PAYMENT_STATUS (FakeToss's).
   */
  async authenticatePayment(tenant: Tenant, paymentKey: string, card?: Partial<CardInfo>): Promise<PaymentRecord> {
    return this.mutate(tenant, paymentKey, "NOT_FOUND_PAYMENT", (rec, now) => {
      const p = rec.payment;
      if (p.status === "IN_PROGRESS") return rec;
      if (p.status === "EXPIRED") throw new TossError("NOT_FOUND_PAYMENT_SESSION");
      if (p.status !== "READY") throw new TossError("INVALID_PAYMENT_STATUS");
      const method = p.method ?? "CARD";
      return {
        payment: {
          ...p,
          status: "IN_PROGRESS",
          method,
          card: method === "VIRTUAL_ACCOUNT" ? null : (p.card ?? makeCard({ ...DEFAULT_CARD, ...card }, p.totalAmount, "00000000")),
        },
        session: { ...rec.session, authDeadline: null, confirmDeadline: now + CONFIRM_WINDOW_MS },
      };
    });
  }

  /**
   * The window's "실패": READY or IN_PROGRESS → ABORTED with `failure` = {code, message}
   * (default PAY_PROCESS_ABORTED, message from the catalogue). Else 400 INVALID_PAYMENT_STATUS.
   */
  async failPayment(tenant: Tenant, paymentKey: string, input: FailInput = {}): Promise<PaymentRecord> {
    const code = input.code ?? "PAY_PROCESS_ABORTED";
    if (typeof code !== "string" || !/^[A-Z][A-Z0-9_]{1,63}$/.test(code))
      throw new TossError("INVALID_REQUEST", "code는 영문 대문자, 숫자, _ 로 이루어진 코드여야 합니다.", "code must be an upper-case error code.");
    const message = input.message ?? ERROR_CATALOGUE[code]?.ko ?? GENERIC_FAILURE_MESSAGE;
    if (typeof message !== "string" || [...message].length > 510)
      throw new TossError("INVALID_REQUEST", "message는 510자 이하여야 합니다.", "message must be 510 characters or fewer.");
    return this.mutate(tenant, paymentKey, "NOT_FOUND_PAYMENT", (rec) => {
      const p = rec.payment;
      if (p.status !== "READY" && p.status !== "IN_PROGRESS") throw new TossError("INVALID_PAYMENT_STATUS");
      return { ...rec, payment: { ...p, status: "ABORTED", failure: { code, message } } };
    });
  }

  /**
   * Makes the deadline pass now: READY/IN_PROGRESS → EXPIRED (failure EXPIRED_PAYMENT); a
   * virtual account waiting for deposit → `expired: true` with dueDate = now, status unchanged.
   * A payment whose deadline had already passed (just applied, or an account already expired)
   * is answered as it is. Else 400 INVALID_PAYMENT_STATUS.
   */
  async expirePayment(tenant: Tenant, paymentKey: string): Promise<PaymentRecord> {
    return this.mutate(tenant, paymentKey, "NOT_FOUND_PAYMENT", (rec, now, stored) => {
      const p = rec.payment;
      if (p.status === "READY" || p.status === "IN_PROGRESS") return expire(rec);
      if (p.status === "EXPIRED" && stored.payment.status !== "EXPIRED") return rec; // its deadline passed just now
      const va = p.virtualAccount;
      if (p.status === "WAITING_FOR_DEPOSIT" && va !== null) {
        if (va.expired) return rec;
        return { ...rec, payment: { ...p, virtualAccount: { ...va, expired: true, dueDate: formatKst(now) } } };
      }
      throw new TossError("INVALID_PAYMENT_STATUS");
    });
  }

  async confirm(tenant: Tenant, input: ConfirmInput): Promise<PaymentRecord> {
    if (typeof input.paymentKey !== "string" || input.paymentKey === "")
      throw new TossError("INVALID_REQUIRED_PARAM", "paymentKey는 필수입니다.", "paymentKey is required.");
    if (!isInt(input.amount)) throw new TossError("INVALID_REQUEST", "결제 금액은 정수여야 합니다.", "The amount must be an integer.");
    // A key with a lone UTF-16 surrogate was never issued, and with autoApproveUnknownPaymentKeys
    // it would reach encodeURIComponent (the receipt URL), which throws URIError → 500.
    if (LONE_SURROGATE.test(input.paymentKey))
      throw new TossError("INVALID_REQUEST", "paymentKey가 올바른 문자열이 아닙니다.", "paymentKey is not a well-formed string.");
    try {
      return await this.mutate(tenant, input.paymentKey, "NOT_FOUND_PAYMENT_SESSION", (rec, now) => {
        const p = rec.payment;
        if (p.status === "READY" || p.status === "EXPIRED") throw new TossError("NOT_FOUND_PAYMENT_SESSION");
        if (p.status !== "IN_PROGRESS") throw new TossError("ALREADY_PROCESSED_PAYMENT");
        if (p.orderId !== input.orderId) throw new TossError("NOT_FOUND_PAYMENT_SESSION");
        // Toss blocks a differing amount, but its exact code is unconfirmed (toss-api §3.1).
        if (p.totalAmount !== input.amount)
          throw new TossError(
            "INVALID_REQUEST",
            `결제 금액이 일치하지 않습니다. 인증된 결제 금액은 ${p.totalAmount}원입니다.`,
            `The amount does not match the authenticated payment amount (${p.totalAmount}).`,
          );
        const txKey = newTransactionKey();
        // A virtual account chosen in the window is issued, not approved (toss-api §3.1).
        if (p.method === "VIRTUAL_ACCOUNT") {
          const hours = rec.session.validHours ?? VA_DEFAULT_VALID_HOURS;
          return {
            ...rec,
            payment: {
              ...p,
              status: "WAITING_FOR_DEPOSIT",
              approvedAt: null,
              lastTransactionKey: txKey,
              secret: p.secret ?? newSecret(),
              card: null,
              receipt: p.receipt ?? { url: transferReceiptUrl(p.paymentKey) },
              failure: null,
              virtualAccount: p.virtualAccount ?? {
                accountType: "NORMAL",
                accountNumber: newVirtualAccountNumber(),
                bankCode: VA_DEFAULT_BANK,
                customerName: rec.session.customerName ?? "고객",
                depositorName: null,
                dueDate: formatKst(now + hours * HOUR_MS),
                refundStatus: "NONE",
                expired: false,
                settlementStatus: "INCOMPLETED",
                refundReceiveAccount: null,
              },
            },
          };
        }
        const card = p.card ?? makeCard(DEFAULT_CARD, p.totalAmount, "");
        return {
          ...rec,
          payment: {
            ...p,
            status: "DONE",
            method: p.method ?? "CARD",
            approvedAt: formatKst(now),
            lastTransactionKey: txKey,
            balanceAmount: p.totalAmount,
            ...splitVat(p.totalAmount, p.taxFreeAmount),
            card: { ...card, amount: p.totalAmount, approveNo: newApproveNo(), acquireStatus: "READY" },
            receipt: p.receipt ?? { url: cardReceiptUrl(p.paymentKey) },
            failure: null,
          },
        };
      });
    } catch (err) {
      if (err instanceof TossError && err.code === "NOT_FOUND_PAYMENT_SESSION" && tenant.settings.autoApproveUnknownPaymentKeys) {
        const known = await this.store.getPayment(tenant.id, input.paymentKey);
        if (known === undefined) return this.autoApprove(tenant, input);
      }
      throw err;
    }
  }

  /** Tenant setting autoApproveUnknownPaymentKeys: an unknown paymentKey approves a new card payment. */
  private async autoApprove(tenant: Tenant, input: ConfirmInput): Promise<PaymentRecord> {
    const now = this.clock.now(tenant.id);
    const rec = buildCardPaymentSession(tenant, now, {
      paymentKey: input.paymentKey,
      orderId: input.orderId,
      orderName: "FakeToss 결제",
      amount: input.amount,
      status: "IN_PROGRESS",
      confirmDeadline: null,
    });
    const p = rec.payment;
    const done: PaymentRecord = {
      ...rec,
      payment: {
        ...p,
        status: "DONE",
        approvedAt: formatKst(now),
        lastTransactionKey: newTransactionKey(),
        card: { ...p.card!, approveNo: newApproveNo() },
      },
    };
    try {
      await this.insert(tenant, done);
    } catch (err) {
      // A concurrent confirm of the same key won the insert: answer as for a repeat.
      if (!(err instanceof TossError) && (await this.store.getPayment(tenant.id, input.paymentKey)) !== undefined)
        throw new TossError("ALREADY_PROCESSED_PAYMENT");
      throw err;
    }
    return done;
  }

  async cancel(tenant: Tenant, paymentKey: string, input: CancelInput): Promise<PaymentRecord> {
    const reason = checkRequiredString(input.cancelReason, "cancelReason", 200);
    const { cancelAmount, taxFreeAmount: explicitTaxFree, refundableAmount } = input;
    if (cancelAmount !== undefined && cancelAmount !== null) {
      if (!isInt(cancelAmount)) throw new TossError("INVALID_REQUEST", "취소 금액은 정수여야 합니다.", "cancelAmount must be an integer.");
      if (cancelAmount <= 0) throw new TossError("BELOW_ZERO_AMOUNT");
    }
    if (explicitTaxFree !== undefined && explicitTaxFree !== null && (!isInt(explicitTaxFree) || explicitTaxFree < 0))
      throw new TossError("INVALID_REQUEST", "면세 금액은 0 이상의 정수여야 합니다.", "taxFreeAmount must be a non-negative integer.");
    const taxExemption = input.taxExemptionAmount ?? 0;
    if (!isInt(taxExemption) || taxExemption < 0)
      throw new TossError("INVALID_REQUEST", "과세 제외 금액은 0 이상의 정수여야 합니다.", "taxExemptionAmount must be a non-negative integer.");
    if (refundableAmount !== undefined && refundableAmount !== null && !isInt(refundableAmount))
      throw new TossError("INVALID_REQUEST", "refundableAmount는 정수여야 합니다.", "refundableAmount must be an integer.");

    return this.mutate(tenant, paymentKey, "NOT_FOUND_PAYMENT", (rec, now) => {
      const p = rec.payment;
      switch (p.status) {
        case "CANCELED":
          throw new TossError("ALREADY_CANCELED_PAYMENT");
        case "DONE":
        case "PARTIAL_CANCELED":
        case "WAITING_FOR_DEPOSIT":
          break;
        default: // READY, IN_PROGRESS, EXPIRED, ABORTED
          throw new TossError("NOT_CANCELABLE_PAYMENT");
      }
      if (input.currency !== undefined && input.currency !== null && input.currency !== p.currency)
        throw new TossError("INVALID_CURRENCY");
      const balance = p.balanceAmount;
      if (refundableAmount !== undefined && refundableAmount !== null && refundableAmount !== balance)
        throw new TossError("NOT_MATCHES_REFUNDABLE_AMOUNT");
      const amount = cancelAmount ?? balance;
      // Also covers a PARTIAL_CANCELED payment already at balance 0 (Toss measured: 403).
      if (balance === 0 || amount > balance) throw new TossError("NOT_CANCELABLE_AMOUNT");
      const partial = amount < balance;
      if (p.status === "WAITING_FOR_DEPOSIT" && partial) throw new TossError("NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT");
      if (partial && (!p.isPartialCancelable || p.useEscrow)) throw new TossError("NOT_ALLOWED_PARTIAL_REFUND");
      if (taxExemption > amount)
        throw new TossError("INVALID_REQUEST", "과세 제외 금액은 취소 금액보다 클 수 없습니다.", "taxExemptionAmount cannot exceed cancelAmount.");

      // Tax-free share: by default the smallest that keeps remaining tax-free <= remaining balance.
      const remainingBalance = balance - amount;
      let cancelTaxFree: number;
      if (explicitTaxFree === undefined || explicitTaxFree === null) {
        cancelTaxFree = Math.max(0, p.taxFreeAmount - remainingBalance);
      } else {
        cancelTaxFree = explicitTaxFree;
        if (cancelTaxFree > amount)
          throw new TossError("INVALID_REQUEST", "면세 취소 금액은 취소 금액보다 클 수 없습니다.", "taxFreeAmount cannot exceed cancelAmount.");
        if (cancelTaxFree > p.taxFreeAmount)
          throw new TossError(
            "INVALID_REQUEST",
            `면세 취소 금액은 남은 면세 금액(${p.taxFreeAmount}원)보다 클 수 없습니다.`,
            `taxFreeAmount cannot exceed the remaining tax-free amount (${p.taxFreeAmount}).`,
          );
        if (p.taxFreeAmount - cancelTaxFree > remainingBalance)
          throw new TossError(
            "INVALID_REQUEST",
            "취소 후 남는 면세 금액이 남은 결제 금액보다 클 수 없습니다.",
            "After this cancel the remaining tax-free amount would exceed the remaining balance.",
          );
      }

      // A deposited virtual account refunds to an account the merchant must name.
      let virtualAccount = p.virtualAccount;
      if (p.method === "VIRTUAL_ACCOUNT" && virtualAccount !== null && p.status !== "WAITING_FOR_DEPOSIT") {
        const acc = input.refundReceiveAccount;
        if (acc === undefined || acc === null)
          throw new TossError(
            "INVALID_REFUND_ACCOUNT_INFO",
            "입금이 완료된 가상계좌 결제를 취소하려면 환불 받을 계좌 정보(refundReceiveAccount)가 필요합니다.",
            "Canceling a deposited virtual account payment requires refundReceiveAccount.",
          );
        const bank = typeof acc.bank === "string" ? resolveBank(acc.bank, { allowSecurities: true }) : undefined;
        if (bank === undefined) throw new TossError("INVALID_BANK");
        if (typeof acc.accountNumber !== "string" || !/^\d{1,20}$/.test(acc.accountNumber))
          throw new TossError("INVALID_REFUND_ACCOUNT_NUMBER");
        if (typeof acc.holderName !== "string" || acc.holderName.trim() === "" || [...acc.holderName].length > 60)
          throw new TossError(
            "INVALID_REFUND_ACCOUNT_INFO",
            "예금주명은 1자 이상 60자 이하여야 합니다.",
            "holderName must be 1 to 60 characters.",
          );
        virtualAccount = {
          ...virtualAccount,
          refundStatus: "COMPLETED",
          refundReceiveAccount: { bankCode: bank.code, accountNumber: acc.accountNumber, holderName: acc.holderName },
        };
      }

      // ---- every check passed: build the new state
      const txKey = newTransactionKey();
      const entry: Cancel = {
        cancelAmount: amount,
        cancelReason: reason,
        taxFreeAmount: cancelTaxFree,
        taxExemptionAmount: taxExemption,
        refundableAmount: remainingBalance,
        cardDiscountAmount: 0,
        transferDiscountAmount: 0,
        easyPayDiscountAmount: 0,
        canceledAt: formatKst(now),
        transactionKey: txKey,
        receiptKey: null,
        cancelStatus: "DONE",
        cancelRequestId: null,
      };
      const neverPartiallyCanceled = p.status !== "PARTIAL_CANCELED";
      const status: PaymentStatus = !partial && neverPartiallyCanceled ? "CANCELED" : "PARTIAL_CANCELED";
      const taxFreeLeft = p.taxFreeAmount - cancelTaxFree;
      return {
        ...rec,
        payment: {
          ...p,
          status,
          balanceAmount: remainingBalance,
          taxFreeAmount: taxFreeLeft,
          ...splitVat(remainingBalance, taxFreeLeft),
          cancels: [...(p.cancels ?? []), entry],
          lastTransactionKey: txKey,
          virtualAccount,
        },
      };
    });
  }

  async issueVirtualAccount(tenant: Tenant, input: VirtualAccountInput): Promise<PaymentRecord> {
    const now = this.clock.now(tenant.id);
    const amount = checkAmount(input.amount, ACCOUNT_MIN_AMOUNT);
    const orderId = checkOrderId(input.orderId);
    const orderName = checkOrderName(input.orderName);
    const customerName = checkRequiredString(input.customerName, "customerName", 100);
    const customerEmail = checkEmail(input.customerEmail);
    const customerMobilePhone = checkMobilePhone(input.customerMobilePhone);
    const taxFreeAmount = checkTaxFree(input.taxFreeAmount, amount);

    let bankCode = VA_DEFAULT_BANK;
    if (input.bank !== undefined && input.bank !== null) {
      const bank = typeof input.bank === "string" ? resolveBank(input.bank) : undefined;
      if (bank === undefined) throw new TossError("INVALID_BANK");
      bankCode = bank.code;
    }

    const hasHours = input.validHours !== undefined && input.validHours !== null;
    const hasDue = input.dueDate !== undefined && input.dueDate !== null;
    if (hasHours && hasDue) throw new TossError("INVALID_VALID_HOURS_WITH_DUE_DATE_AND_SINGLE");
    let dueMs: number;
    if (hasDue) {
      const parsed = typeof input.dueDate === "string" ? parseKstLocal(input.dueDate) : undefined;
      if (parsed === undefined || parsed <= now) throw new TossError("INVALID_DATE");
      if (parsed - now > VA_MAX_DUE_MS) throw new TossError("EXCEED_MAX_DUE_DATE");
      dueMs = parsed;
    } else {
      const hours = hasHours ? input.validHours : VA_DEFAULT_VALID_HOURS;
      if (!isInt(hours) || hours < 1)
        throw new TossError("INVALID_REQUEST", "validHours는 1 이상의 정수여야 합니다.", "validHours must be a positive integer.");
      if (hours > VA_MAX_VALID_HOURS) throw new TossError("EXCEED_MAX_VALID_HOURS");
      dueMs = now + hours * HOUR_MS;
    }

    const useEscrow = input.useEscrow === true;
    const payment = basePayment(tenant, {
      paymentKey: newPaymentKey("virtualAccount"),
      type: "NORMAL",
      orderId,
      orderName,
      amount,
      taxFreeAmount,
      taxExemptionAmount: 0,
      method: "VIRTUAL_ACCOUNT",
      status: "WAITING_FOR_DEPOSIT",
      requestedAt: formatKst(now),
    });
    payment.useEscrow = useEscrow;
    payment.isPartialCancelable = !useEscrow;
    payment.receipt = { url: transferReceiptUrl(payment.paymentKey) };
    payment.virtualAccount = {
      accountType: "NORMAL",
      accountNumber: newVirtualAccountNumber(),
      bankCode,
      customerName,
      depositorName: null,
      dueDate: formatKst(dueMs),
      refundStatus: "NONE",
      expired: false,
      settlementStatus: "INCOMPLETED",
      refundReceiveAccount: null,
    };
    const rec: PaymentRecord = {
      payment,
      session: { ...emptySession(), customerName, customerEmail, customerMobilePhone },
    };
    return this.insert(tenant, rec);
  }

  /**
   * Simulates the buyer's deposit: WAITING_FOR_DEPOSIT -> DONE, `approvedAt` now, a new
   * transaction key, `depositorName` = input.depositorName or the account's customerName.
   * Codes are FakeToss's own (no Toss API does this): not a virtual account waiting for a
   * deposit → 400 INVALID_PAYMENT_STATUS; past its due date → 400 EXPIRED_VIRTUAL_ACCOUNT; an
   * amount other than the balance → 400 INVALID_DEPOSIT_AMOUNT (banks refuse it).
   */
  async depositVirtualAccount(tenant: Tenant, paymentKey: string, input: DepositInput = {}): Promise<PaymentRecord> {
    const { amount, depositorName } = input;
    const depositor = checkOptionalName(depositorName, "depositorName");
    return this.mutate(tenant, paymentKey, "NOT_FOUND_PAYMENT", (rec, now) => {
      const p = rec.payment;
      const va = p.virtualAccount;
      if (p.method !== "VIRTUAL_ACCOUNT" || va === null || p.status !== "WAITING_FOR_DEPOSIT")
        throw new TossError("INVALID_PAYMENT_STATUS");
      if (va.expired) throw new TossError("EXPIRED_VIRTUAL_ACCOUNT");
      if (amount !== undefined && amount !== null && amount !== p.balanceAmount) throw new TossError("INVALID_DEPOSIT_AMOUNT");
      return {
        ...rec,
        payment: {
          ...p,
          status: "DONE",
          approvedAt: formatKst(now),
          lastTransactionKey: newTransactionKey(),
          virtualAccount: { ...va, depositorName: depositor ?? va.customerName },
        },
      };
    });
  }

  /**
   * Reverses a deposit (a bank-side deposit error), as Toss does from API version 1.5: a
   * deposited virtual account without cancels goes back to WAITING_FOR_DEPOSIT, `approvedAt`
   * and `depositorName` null. Else 400 INVALID_PAYMENT_STATUS. A dueDate that passed meanwhile
   * takes effect at once (`expired: true`).
   */
  async cancelDeposit(tenant: Tenant, paymentKey: string): Promise<PaymentRecord> {
    return this.mutate(tenant, paymentKey, "NOT_FOUND_PAYMENT", (rec) => {
      const p = rec.payment;
      const va = p.virtualAccount;
      if (p.method !== "VIRTUAL_ACCOUNT" || va === null || p.status !== "DONE" || (p.cancels?.length ?? 0) > 0)
        throw new TossError("INVALID_PAYMENT_STATUS");
      return {
        ...rec,
        payment: {
          ...p,
          status: "WAITING_FOR_DEPOSIT",
          approvedAt: null,
          lastTransactionKey: newTransactionKey(),
          virtualAccount: { ...va, depositorName: null },
        },
      };
    });
  }

  /**
   * Key-in (card number) payment: approved at once, DONE, `card` from the typed-in card
   * (parseCardEntry: masked number, company from the BIN, CORPORATE for a business number).
   */
  async keyIn(tenant: Tenant, input: KeyInInput): Promise<PaymentRecord> {
    const amount = checkAmount(input.amount, CARD_MIN_AMOUNT);
    const orderId = checkOrderId(input.orderId);
    const orderName = checkOrderName(input.orderName);
    const now = this.clock.now(tenant.id);
    const info = parseCardEntry(input, now);
    // A magic card is declined like a card company would, and nothing is stored.
    const magic = magicCard(input.cardNumber);
    if (magic) throw new TossError(magic.code);
    const plan = checkInstallmentPlan(input.cardInstallmentPlan, amount);
    const taxFreeAmount = checkTaxFree(input.taxFreeAmount, amount);
    const customerEmail = checkEmail(input.customerEmail);
    const customerName = checkOptionalName(input.customerName, "customerName");

    const payment = basePayment(tenant, {
      paymentKey: newPaymentKey(),
      type: "NORMAL",
      orderId,
      orderName,
      amount,
      taxFreeAmount,
      taxExemptionAmount: 0,
      method: "CARD",
      status: "DONE",
      requestedAt: formatKst(now),
    });
    const card = makeCard(info, amount, newApproveNo(), plan);
    card.useCardPoint = input.useCardPoint === true;
    if (plan > 0) {
      card.isInterestFree = input.useFreeInstallmentPlan === true;
      card.interestPayer = card.isInterestFree ? "MERCHANT" : "BUYER";
    }
    payment.card = card;
    payment.approvedAt = formatKst(now);
    payment.lastTransactionKey = newTransactionKey();
    payment.receipt = { url: cardReceiptUrl(payment.paymentKey) };
    return this.insert(tenant, { payment, session: { ...emptySession(), customerName, customerEmail } });
  }

  async issueBillingKey(tenant: Tenant, input: BillingIssueInput): Promise<Billing> {
    const authKey = checkRequiredString(input.authKey, "authKey", 300);
    const customerKey = checkRequiredString(input.customerKey, "customerKey", 300);
    const now = this.clock.now(tenant.id);
    // Unknown or already used authKey: INVALID_BILLING_AUTH is the closest code in Toss's list;
    // the exact code Toss answers with is unconfirmed.
    const rec = await this.store.consumeBillingAuthAndInsertBilling(tenant.id, authKey, (auth: BillingAuth) => {
      if (auth.used) throw new TossError("INVALID_BILLING_AUTH", "이미 사용된 빌링 인증 키입니다.", "The authKey has already been used.");
      if (auth.customerKey !== customerKey) throw new TossError("NOT_MATCHES_CUSTOMER_KEY");
      const card = auth.card ?? { ...DEFAULT_CARD };
      const billing: Billing = {
        mId: tenant.mId,
        customerKey,
        authenticatedAt: formatKst(now),
        method: "CARD",
        billingKey: auth.billingKey ?? newBillingKey(),
        card,
        transfers: null,
        cardCompany: card === null ? null : (cardCompanyByCode(card.issuerCode)?.name ?? null),
        cardNumber: card === null ? null : card.number,
      };
      const failures = auth.chargeDeclineCode ? { remaining: null, code: auth.chargeDeclineCode } : null;
      return { billing, removed: false, failures };
    });
    if (rec === undefined) throw new TossError("INVALID_BILLING_AUTH");
    return rec.billing;
  }

  async chargeBilling(tenant: Tenant, billingKey: string, input: BillingChargeInput): Promise<PaymentRecord> {
    const customerKey = checkRequiredString(input.customerKey, "customerKey", 300);
    const amount = checkAmount(input.amount, CARD_MIN_AMOUNT);
    const orderId = checkOrderId(input.orderId);
    const orderName = checkOrderName(input.orderName);
    const taxFreeAmount = checkTaxFree(input.taxFreeAmount, amount);
    const taxExemptionAmount = checkTaxFree(input.taxExemptionAmount, amount, "taxExemptionAmount");
    const customerEmail = checkEmail(input.customerEmail);
    const customerName = checkOptionalName(input.customerName, "customerName");
    const plan = checkInstallmentPlan(input.cardInstallmentPlan, amount);
    const now = this.clock.now(tenant.id);

    // A scheduled decline (magic card, setBillingFailures) is used up atomically, then refused;
    // the charge itself never happens, so its orderId stays free.
    let declineCode: string | undefined;
    const checked = await this.store.updateBilling(tenant.id, billingKey, (b) => {
      if (b.removed) throw new TossError("ALREADY_REMOVED_BILLING_KEY");
      if (b.billing.customerKey !== customerKey) throw new TossError("NOT_MATCHES_CUSTOMER_KEY");
      const f = b.failures;
      if (!f || f.remaining === 0) return b;
      declineCode = f.code;
      return f.remaining === null ? b : { ...b, failures: { ...f, remaining: f.remaining - 1 } };
    });
    if (checked === undefined) throw new TossError("NOT_FOUND_BILLING");
    if (declineCode !== undefined) throw new TossError(declineCode);

    const rec = await this.store.chargeBilling(tenant.id, billingKey, (b) => {
      if (b.removed) throw new TossError("ALREADY_REMOVED_BILLING_KEY");
      if (b.billing.customerKey !== customerKey) throw new TossError("NOT_MATCHES_CUSTOMER_KEY");
      const payment = basePayment(tenant, {
        paymentKey: newPaymentKey("billing"),
        type: "BILLING",
        orderId,
        orderName,
        amount,
        taxFreeAmount,
        taxExemptionAmount,
        method: "CARD",
        status: "DONE",
        requestedAt: formatKst(now),
      });
      const info: CardInfo = b.billing.card ?? DEFAULT_CARD;
      payment.approvedAt = formatKst(now);
      payment.lastTransactionKey = newTransactionKey();
      payment.card = makeCard(info, amount, newApproveNo(), plan);
      payment.receipt = { url: cardReceiptUrl(payment.paymentKey) };
      const session: PaymentSession = { ...emptySession(), customerKey, customerName, customerEmail };
      return { payment, session };
    });
    if (rec === undefined) throw new TossError("NOT_FOUND_BILLING");
    this.emit(tenant, undefined, rec);
    return rec;
  }

  /** A billing key from a typed-in card (no browser): stored at once, usable by chargeBilling. */
  async issueBillingKeyWithCard(tenant: Tenant, input: BillingCardInput): Promise<Billing> {
    const customerKey = checkCustomerKey(input.customerKey);
    const now = this.clock.now(tenant.id);
    const magic = magicCard(input.cardNumber);
    if (magic?.when === "always") throw new TossError(magic.code);
    const card = magic ? unknownCard(billingCard(parseCardEntry(input, now))) : billingCard(parseCardEntry(input, now));
    checkOptionalName(input.customerName, "customerName");
    checkEmail(input.customerEmail);
    const billing: Billing = {
      mId: tenant.mId,
      customerKey,
      authenticatedAt: formatKst(now),
      method: "CARD",
      billingKey: newBillingKey(),
      card,
      transfers: null,
      cardCompany: cardCompanyByCode(card.issuerCode)?.name ?? null,
      cardNumber: card.number,
    };
    const failures = magic ? { remaining: null, code: magic.code } : null;
    await this.store.insertBilling(tenant.id, { billing, removed: false, failures });
    return billing;
  }

  /**
   * Sandbox: the next `count` charges of this billing key fail with `code` (a Test-Code of the
   * catalogue, default REJECT_CARD_PAYMENT); count 0 clears any scheduled decline. A removed
   * key → 400 ALREADY_REMOVED_BILLING_KEY.
   */
  async setBillingFailures(
    tenant: Tenant,
    billingKey: string,
    input: { count: number; code?: string },
  ): Promise<{ billingKey: string; remaining: number; code: string | null }> {
    const code = input.code ?? "REJECT_CARD_PAYMENT";
    if (!TEST_CODES.includes(code)) throw new TossError("INVALID_TEST_CODE");
    if (!Number.isSafeInteger(input.count) || input.count < 0) throw new TossError("INVALID_REQUEST");
    const rec = await this.store.updateBilling(tenant.id, billingKey, (b) => {
      // A removed key is never charged again: scheduling its declines would only mislead.
      if (b.removed) throw new TossError("ALREADY_REMOVED_BILLING_KEY");
      return { ...b, failures: input.count === 0 ? null : { remaining: input.count, code } };
    });
    if (rec === undefined) throw new TossError("NOT_FOUND_BILLING");
    return { billingKey, remaining: input.count, code: input.count === 0 ? null : code };
  }

  /** Removes a billing key: unknown → 404 NOT_FOUND_BILLING, removed → 400 ALREADY_REMOVED_BILLING_KEY. */
  async deleteBillingKey(tenant: Tenant, billingKey: string): Promise<void> {
    const rec = await this.store.updateBilling(tenant.id, billingKey, (b) => {
      if (b.removed) throw new TossError("ALREADY_REMOVED_BILLING_KEY");
      return { ...b, removed: true };
    });
    if (rec === undefined) throw new TossError("NOT_FOUND_BILLING");
    const events = this.events;
    if (events?.billingDeleted === undefined) return;
    try {
      events.billingDeleted(tenant, rec.billing);
    } catch (err) {
      logListenerError(err);
    }
  }

  /**
   * What the billing-auth window hands out: a fresh single-use authKey for `customerKey`, whose
   * card is `cardNumber` (cardFromNumber) or Toss test mode's working card 9410001234567890.
   */
  async issueBillingAuth(tenant: Tenant, input: { customerKey: string; cardNumber?: string }): Promise<BillingAuth> {
    const customerKey = checkCustomerKey(input.customerKey);
    const number = input.cardNumber === undefined || input.cardNumber === "" ? DEFAULT_TEST_CARD_NUMBER : input.cardNumber;
    const magic = magicCard(number);
    if (magic?.when === "always") throw new TossError(magic.code);
    const card = magic ? unknownCard(billingCard(cardFromNumber(number))) : billingCard(cardFromNumber(number));
    for (;;) {
      const auth: BillingAuth = { authKey: newAuthKey(), customerKey, billingKey: null, card, used: false, chargeDeclineCode: magic?.code ?? null };
      if (await this.store.insertBillingAuth(tenant.id, auth)) return auth;
      // 30 random characters collided: draw again.
    }
  }
}

function logListenerError(err: unknown): void {
  console.error("[faketoss] a payment event listener failed:", err);
}
