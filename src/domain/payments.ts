// The payment domain: Toss's state machine and arithmetic over the store. Every read-modify-write
// runs inside store.updatePayment's transaction, so concurrent requests never see or write a
// stale payment (20 parallel partial cancels cannot overdraw the balance).
import { cardCompanyByCode, resolveBank } from "./banks.js";
import { formatKst, parseKstLocal, type Clock } from "./clock.js";
import { TossError } from "./errors.js";
import {
  newApproveNo,
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

// ---------------------------------------------------------------- validation helpers

const isInt = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n);

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

// Toss's documented rule; its server is looser in places (toss-api §3), FakeToss follows the docs.
const ORDER_ID_RE = /^[A-Za-z0-9_\-=.]{6,64}$/;

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

function checkOptionalName(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string" || [...value].length > 100)
    throw new TossError("INVALID_REQUEST", `${field}는 100자 이하여야 합니다.`, `${field} must be 100 characters or fewer.`);
  return value;
}

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
 * Applies the deadlines that have passed at `now`, lazily: a READY payment past authDeadline or
 * an IN_PROGRESS one past confirmDeadline becomes EXPIRED; a waiting virtual account past its
 * dueDate gets `expired: true` (status stays WAITING_FOR_DEPOSIT, as in Toss).
 * Pure: returns `rec` itself when nothing changed, a new record otherwise.
 */
export function applyDeadlines(rec: PaymentRecord, now: number): PaymentRecord {
  const p = rec.payment;
  const s = rec.session;
  if (p.status === "READY" && s.authDeadline !== null && now > s.authDeadline) return expire(rec);
  if (p.status === "IN_PROGRESS" && s.confirmDeadline !== null && now > s.confirmDeadline) return expire(rec);
  const va = p.virtualAccount;
  if (p.status === "WAITING_FOR_DEPOSIT" && va !== null && !va.expired) {
    const due = parseKstLocal(va.dueDate);
    if (due !== undefined && now > due) return { ...rec, payment: { ...p, virtualAccount: { ...va, expired: true } } };
  }
  return rec;
}

// ---------------------------------------------------------------- the service

export class PaymentService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Atomic read-modify-write with deadlines applied first. When `fn` refuses with a TossError
   * but the deadlines changed the record (e.g. the session just expired), the expiry is still
   * persisted and the error thrown after the commit. `fn` must validate before it builds.
   */
  private async mutate(
    tenant: Tenant,
    paymentKey: string,
    notFoundCode: string,
    fn: (rec: PaymentRecord, now: number) => PaymentRecord,
  ): Promise<PaymentRecord> {
    const now = this.clock.now(tenant.id);
    let deferred: TossError | undefined;
    const out = await this.store.updatePayment(tenant.id, paymentKey, (stored) => {
      const fresh = applyDeadlines(stored, now);
      try {
        return fn(fresh, now);
      } catch (err) {
        if (fresh !== stored && err instanceof TossError) {
          deferred = err;
          return fresh;
        }
        throw err;
      }
    });
    if (deferred) throw deferred;
    if (out === undefined) throw new TossError(notFoundCode);
    return out;
  }

  /** Persists deadline effects observed on a read. */
  private async refresh(tenant: Tenant, rec: PaymentRecord): Promise<PaymentRecord> {
    const now = this.clock.now(tenant.id);
    if (applyDeadlines(rec, now) === rec) return rec;
    const out = await this.store.updatePayment(tenant.id, rec.payment.paymentKey, (r) => applyDeadlines(r, now));
    return out ?? rec;
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

  /** Builds and stores a card session (fixtures, the payment window, sandbox controls). */
  async createCardPaymentSession(tenant: Tenant, input: CardSessionInput): Promise<PaymentRecord> {
    const rec = buildCardPaymentSession(tenant, this.clock.now(tenant.id), input);
    await this.store.insertPayment(tenant.id, rec);
    return rec;
  }

  /** Buyer authentication: READY -> IN_PROGRESS, opening the 10-minute confirm window. */
  async authenticatePayment(tenant: Tenant, paymentKey: string, card?: Partial<CardInfo>): Promise<PaymentRecord> {
    return this.mutate(tenant, paymentKey, "NOT_FOUND_PAYMENT", (rec, now) => {
      const p = rec.payment;
      if (p.status === "IN_PROGRESS") return rec;
      if (p.status === "EXPIRED") throw new TossError("NOT_FOUND_PAYMENT_SESSION");
      if (p.status !== "READY") throw new TossError("ALREADY_PROCESSED_PAYMENT");
      return {
        payment: {
          ...p,
          status: "IN_PROGRESS",
          method: p.method ?? "CARD",
          card: p.card ?? makeCard({ ...DEFAULT_CARD, ...card }, p.totalAmount, "00000000"),
        },
        session: { ...rec.session, authDeadline: null, confirmDeadline: now + CONFIRM_WINDOW_MS },
      };
    });
  }

  async confirm(tenant: Tenant, input: ConfirmInput): Promise<PaymentRecord> {
    if (typeof input.paymentKey !== "string" || input.paymentKey === "")
      throw new TossError("INVALID_REQUIRED_PARAM", "paymentKey는 필수입니다.", "paymentKey is required.");
    if (!isInt(input.amount)) throw new TossError("INVALID_REQUEST", "결제 금액은 정수여야 합니다.", "The amount must be an integer.");
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
        if (p.method === "VIRTUAL_ACCOUNT" && p.virtualAccount !== null) {
          return { ...rec, payment: { ...p, status: "WAITING_FOR_DEPOSIT", approvedAt: null, lastTransactionKey: txKey } };
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
      await this.store.insertPayment(tenant.id, done);
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
    await this.store.insertPayment(tenant.id, rec);
    return rec;
  }

  /**
   * Simulates the buyer's deposit: WAITING_FOR_DEPOSIT -> DONE. `amount` defaults to the amount
   * due, `depositorName` to the customer's name. Codes are FakeToss's choice (no Toss API does
   * this): a different amount -> 400 INVALID_REQUEST; a past-due account -> 403 FORBIDDEN_REQUEST.
   */
  async depositVirtualAccount(
    tenant: Tenant,
    paymentKey: string,
    opts: number | { amount?: number; depositorName?: string } = {},
  ): Promise<PaymentRecord> {
    const { amount, depositorName } = typeof opts === "number" ? { amount: opts, depositorName: undefined } : opts;
    const depositor = checkOptionalName(depositorName, "depositorName");
    return this.mutate(tenant, paymentKey, "NOT_FOUND_PAYMENT", (rec, now) => {
      const p = rec.payment;
      const va = p.virtualAccount;
      if (p.method !== "VIRTUAL_ACCOUNT" || va === null)
        throw new TossError("INVALID_REQUEST", "가상계좌 결제가 아닙니다.", "This is not a virtual account payment.");
      if (p.status === "DONE" || p.status === "PARTIAL_CANCELED") throw new TossError("ALREADY_COMPLETED_PAYMENT");
      if (p.status === "CANCELED") throw new TossError("ALREADY_CANCELED_PAYMENT");
      if (p.status !== "WAITING_FOR_DEPOSIT") throw new TossError("FORBIDDEN_REQUEST");
      if (va.expired)
        throw new TossError("FORBIDDEN_REQUEST", "입금 기한이 지난 가상계좌입니다.", "The virtual account is past its due date.");
      if (amount !== undefined && amount !== p.totalAmount)
        throw new TossError(
          "INVALID_REQUEST",
          "입금 금액이 결제 금액과 일치하지 않습니다.",
          "The deposit amount does not match the payment amount.",
        );
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
      return { billing, removed: false };
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
    const plan = input.cardInstallmentPlan ?? 0;
    if (!isInt(plan) || plan < 0 || plan === 1) throw new TossError("INVALID_CARD_INSTALLMENT_PLAN");
    if (plan > 12) throw new TossError("EXCEED_MAX_CARD_INSTALLMENT_PLAN");
    if (plan > 0 && amount < 50_000)
      throw new TossError("INVALID_CARD_INSTALLMENT_PLAN", "할부는 50,000원 이상부터 가능합니다.", "Installments need an amount of at least 50,000 KRW.");
    const now = this.clock.now(tenant.id);

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
    return rec;
  }
}
