// The persistence boundary. Narrow and async so that a PostgreSQL store can implement it
// later (several instances behind a load balancer). Everything is scoped by tenant.
//
// Callback contract (mutate/build): a pure, synchronous function run INSIDE the store's
// transaction. It receives a fresh copy of the stored record that it may modify; whatever it
// returns is written. If it throws, nothing is written and the error propagates unchanged.
// Returning the very object it received (unmodified) means "no change": the write is skipped.
//
// Every payment write (insert, update, billing charge) also keeps the payment's next deadline
// (domain nextDeadline) in an indexed form, so that listDuePayments never scans. Records read
// back are normalized (fields added since a row was written get their defaults).
import type { BillingAuth, BillingRecord, PaymentRecord, Tenant, TenantSettings } from "../domain/model.js";
import type {
  WebhookDeliveryQuery,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
  WebhookEventType,
} from "../webhooks/model.js";

/**
 * A payment as the API answers it, rendered by the composition root (StoreOptions) on every
 * payment write and kept beside the record, so that a look-up can answer without parsing and
 * re-serialising. `tag` names what it was rendered for (the label vocabulary).
 */
export interface PaymentRendition {
  tag: string;
  text: string;
}

export interface StoreOptions {
  /** Renders a payment at write time; without it, no rendition is stored. Pure and synchronous. */
  renderPayment?: (tenantId: string, rec: PaymentRecord) => PaymentRendition;
}

/** Toss keeps idempotent answers for 15 days from first use. */
export const IDEMPOTENCY_TTL_MS = 15 * 24 * 60 * 60 * 1000;

export interface IdempotencyRecord {
  status: number;
  contentType: string;
  /** The response body exactly as first sent, so a replay is byte-identical. */
  body: string;
  /** Epoch ms of the first use. */
  createdAt: number;
}

export type IdempotencyClaim =
  | { state: "claimed" }
  | { state: "processing" }
  | { state: "done"; record: IdempotencyRecord };

export interface IdempotencyScope {
  tenantId: string;
  key: string;
  method: string;
  path: string;
}

export interface Store {
  // ---- tenants
  upsertTenant(t: Tenant): Promise<void>;
  getTenant(id: string): Promise<Tenant | undefined>;
  getTenantBySecretKey(secretKey: string): Promise<Tenant | undefined>;
  /** For browser flows, which only know the client key. */
  getTenantByClientKey(clientKey: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  /** Atomic read-modify-write of a tenant (not its id or keys). Resolves undefined when unknown. */
  updateTenant(id: string, mutate: (t: Tenant) => Tenant): Promise<Tenant | undefined>;
  updateTenantSettings(id: string, settings: TenantSettings): Promise<Tenant | undefined>;
  /**
   * Deletes the tenant's payments, billing keys, auth keys, idempotency records, webhook
   * endpoints and webhook deliveries (not the tenant).
   */
  resetTenant(id: string): Promise<void>;

  // ---- payments
  /** Throws TossError DUPLICATED_ORDER_ID when (tenant, orderId) is taken (unique index). */
  insertPayment(tenantId: string, rec: PaymentRecord): Promise<void>;
  getPayment(tenantId: string, paymentKey: string): Promise<PaymentRecord | undefined>;
  getPaymentByOrderId(tenantId: string, orderId: string): Promise<PaymentRecord | undefined>;
  /**
   * The rendition stored with the payment's last write (StoreOptions.renderPayment), as UTF-8
   * bytes, if it was rendered for `tag` and is current at `now` (tenant clock): the payment's
   * next deadline, if any, is not passed (domain nextDeadline; the payment changes once the
   * clock is strictly past it). Otherwise undefined.
   */
  getCurrentRendition(tenantId: string, by: { paymentKey: string } | { orderId: string }, tag: string, now: number): Promise<Buffer | undefined>;
  /**
   * A window payment (one with a checkout.url, made by createPayment) across tenants: the
   * payment window is opened without a key. Keys are unique per tenant only: a READY payment
   * wins, then the newest. Other payments have no window and are not found here.
   */
  findPayment(paymentKey: string): Promise<{ tenantId: string; rec: PaymentRecord } | undefined>;
  /**
   * Keys of the tenant's payments whose deadline (domain nextDeadline, kept on every write) is
   * before `now`, earliest first, at most `limit`. Indexed: never scans the tenant's payments.
   */
  listDuePayments(tenantId: string, now: number, limit: number): Promise<string[]>;
  /** Atomic read-modify-write. Resolves undefined when the payment does not exist. */
  updatePayment(
    tenantId: string,
    paymentKey: string,
    mutate: (rec: PaymentRecord) => PaymentRecord,
  ): Promise<PaymentRecord | undefined>;

  // ---- billing
  /** Resolves false (and changes nothing) when the authKey already exists. */
  insertBillingAuth(tenantId: string, auth: BillingAuth): Promise<boolean>;
  getBillingAuth(tenantId: string, authKey: string): Promise<BillingAuth | undefined>;
  /**
   * In one transaction: `build` inspects the authKey (used or not) and returns the billing to
   * create; the authKey is marked used and the billing inserted. Resolves undefined when the
   * authKey does not exist.
   */
  consumeBillingAuthAndInsertBilling(
    tenantId: string,
    authKey: string,
    build: (auth: BillingAuth) => BillingRecord,
  ): Promise<BillingRecord | undefined>;
  /** Inserts a billing key issued without an authKey (card number). A taken key throws. */
  insertBilling(tenantId: string, rec: BillingRecord): Promise<void>;
  getBilling(tenantId: string, billingKey: string): Promise<BillingRecord | undefined>;
  updateBilling(
    tenantId: string,
    billingKey: string,
    mutate: (rec: BillingRecord) => BillingRecord,
  ): Promise<BillingRecord | undefined>;
  /**
   * In one transaction: `build` checks the billing and returns the charge payment, which is
   * inserted. Resolves undefined when the billing key does not exist; a taken orderId throws
   * TossError DUPLICATED_ORDER_ID.
   */
  chargeBilling(
    tenantId: string,
    billingKey: string,
    build: (billing: BillingRecord) => PaymentRecord,
  ): Promise<PaymentRecord | undefined>;

  // ---- idempotency
  /** The stored answer, or undefined (also when older than IDEMPOTENCY_TTL_MS relative to `now`). */
  getIdempotent(scope: IdempotencyScope, now?: number): Promise<IdempotencyRecord | undefined>;
  /**
   * Atomically claims the scope for a first request. Returns "processing" while another claim
   * younger than `staleAfterMs` is open (-> 409 IDEMPOTENT_REQUEST_PROCESSING), "done" with the
   * stored answer, or "claimed". A claim older than `staleAfterMs` (crashed request) is taken over.
   */
  claimIdempotent(scope: IdempotencyScope, now: number, staleAfterMs: number): Promise<IdempotencyClaim>;
  /** Stores the answer (completing a claim if there is one). Lazily purges expired records. */
  putIdempotent(scope: IdempotencyScope, rec: IdempotencyRecord): Promise<void>;
  /** Drops an open claim without an answer (e.g. the request was aborted before answering). */
  releaseIdempotent(scope: IdempotencyScope): Promise<void>;
  /** Deletes the tenant's records created before `cutoff` (epoch ms). Returns how many. */
  purgeIdempotent(tenantId: string, cutoff: number): Promise<number>;

  // ---- webhooks (times are epoch ms on the tenant's clock)
  insertWebhookEndpoint(tenantId: string, endpoint: WebhookEndpointRecord): Promise<void>;
  /** Oldest first. */
  listWebhookEndpoints(tenantId: string): Promise<WebhookEndpointRecord[]>;
  /**
   * In one transaction: deletes the endpoint, and rewrites with `drop` each of its deliveries
   * that still has a next attempt. Resolves the removed endpoint, or undefined when unknown.
   */
  deleteWebhookEndpoint(
    tenantId: string,
    webhookId: string,
    drop: (d: WebhookDeliveryRecord) => WebhookDeliveryRecord,
  ): Promise<WebhookEndpointRecord | undefined>;
  /**
   * In one transaction: for every endpoint of the tenant subscribed to `eventType`, `build`
   * returns its delivery, which is inserted. Resolves the deliveries created (maybe none).
   */
  enqueueWebhookDeliveries(
    tenantId: string,
    eventType: WebhookEventType,
    build: (endpoint: WebhookEndpointRecord) => WebhookDeliveryRecord,
  ): Promise<WebhookDeliveryRecord[]>;
  getWebhookDelivery(tenantId: string, deliveryId: string): Promise<WebhookDeliveryRecord | undefined>;
  /** Newest first, filtered, at most `limit`. */
  listWebhookDeliveries(tenantId: string, query: WebhookDeliveryQuery): Promise<WebhookDeliveryRecord[]>;
  /** Every tenant with a scheduled delivery (nextAttemptAt set), with its earliest nextAttemptAt. Indexed. */
  listWebhookSchedules(): Promise<Array<{ tenantId: string; nextAttemptAt: number }>>;
  /** The tenant's deliveries whose nextAttemptAt ≤ `now`, earliest first, at most `limit`. Indexed. */
  listDueWebhookDeliveries(tenantId: string, now: number, limit: number): Promise<WebhookDeliveryRecord[]>;
  /** Atomic read-modify-write. Resolves undefined when the delivery does not exist. */
  updateWebhookDelivery(
    tenantId: string,
    deliveryId: string,
    mutate: (d: WebhookDeliveryRecord) => WebhookDeliveryRecord,
  ): Promise<WebhookDeliveryRecord | undefined>;

  close(): Promise<void>;
}
