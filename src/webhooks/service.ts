// The tenant-facing side of webhooks: endpoints (register, list, remove), the delivery log and
// manual resends, and the PaymentEvents listener that turns committed payment changes into
// stored deliveries. Knows nothing of HTTP routing; errors are TossErrors.
import type { Clock } from "../domain/clock.js";
import { TossError } from "../domain/errors.js";
import type { Billing, PaymentRecord, Tenant } from "../domain/model.js";
import type { PaymentEvents } from "../domain/payments.js";
import type { Labels } from "../http/wire.js";
import type { Store } from "../store/store.js";
import { checkWebhookUrl, type DestinationPolicy } from "./destinations.js";
import type { WebhookDispatcher } from "./dispatcher.js";
import { billingDeletedEvent, paymentWebhookEvents, type WebhookEvent } from "./events.js";
import { newDeliveryId, newWebhookId } from "./ids.js";
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type WebhookDeliveryQuery,
  type WebhookDeliveryRecord,
  type WebhookDeliveryStatus,
  type WebhookEndpointRecord,
  type WebhookEventType,
} from "./model.js";

/** Endpoints per tenant: each event is sent once per endpoint, so this bounds the fan-out. */
export const MAX_ENDPOINTS_PER_TENANT = 20;
export const DEFAULT_DELIVERY_LIMIT = 100;
export const MAX_DELIVERY_LIMIT = 1000;

export interface WebhookServiceDeps {
  store: Store;
  clock: Clock;
  dispatcher: WebhookDispatcher;
  policy: DestinationPolicy;
  /** The labels the tenant's API answers use (webhook `data` is that same Payment). */
  labelsOf(tenant: Tenant): Labels;
}

export interface RegisterInput {
  url?: unknown;
  events?: unknown;
}

export interface DeliveryFilter {
  eventType?: unknown;
  status?: unknown;
  limit?: unknown;
}

const invalid = (ko: string, en: string): TossError => new TossError("INVALID_REQUEST", ko, en);

export class WebhookService {
  /** Hand this to PaymentService: every committed reported change becomes deliveries. */
  readonly events: PaymentEvents;

  constructor(private readonly deps: WebhookServiceDeps) {
    this.events = {
      paymentChanged: (tenant: Tenant, before: PaymentRecord | undefined, after: PaymentRecord) => {
        const now = this.deps.clock.now(tenant.id);
        this.enqueue(tenant, paymentWebhookEvents(before?.payment, after.payment, now, this.deps.labelsOf(tenant)));
      },
      billingDeleted: (tenant: Tenant, billing: Billing) => {
        this.enqueue(tenant, [billingDeletedEvent(billing, this.deps.clock.now(tenant.id))]);
      },
    };
  }

  /**
   * Stores one delivery per subscribed endpoint, then wakes the dispatcher. Never throws and
   * never waits for a send: it runs inside the API call that caused the event. (The SQLite store
   * writes synchronously; the promise only reports the outcome.)
   */
  enqueue(tenant: Tenant, events: WebhookEvent[]): void {
    for (const event of events) {
      const now = this.deps.clock.now(tenant.id);
      let pending: Promise<WebhookDeliveryRecord[]>;
      try {
        pending = this.deps.store.enqueueWebhookDeliveries(tenant.id, event.eventType, (endpoint) => ({
          id: newDeliveryId(),
          webhookId: endpoint.id,
          url: endpoint.url,
          eventType: event.eventType,
          payload: event.payload,
          status: "PENDING",
          attempts: [],
          nextAttemptAt: now,
          retries: 0,
          createdAt: now,
        }));
      } catch (err) {
        console.error(`[faketoss] could not queue a ${event.eventType} webhook:`, err);
        continue;
      }
      pending.then(
        (created) => {
          if (created.length > 0) this.deps.dispatcher.kick();
        },
        (err: unknown) => console.error(`[faketoss] could not queue a ${event.eventType} webhook:`, err),
      );
    }
  }

  async register(tenant: Tenant, input: RegisterInput): Promise<WebhookEndpointRecord> {
    checkWebhookUrl(input.url, this.deps.policy);
    const events = checkEvents(input.events);
    const existing = await this.deps.store.listWebhookEndpoints(tenant.id);
    if (existing.length >= MAX_ENDPOINTS_PER_TENANT)
      throw invalid(
        `웹훅 엔드포인트는 ${MAX_ENDPOINTS_PER_TENANT}개까지 등록할 수 있습니다.`,
        `A tenant can register at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints.`,
      );
    const endpoint: WebhookEndpointRecord = {
      id: newWebhookId(),
      url: input.url as string,
      events,
      createdAt: this.deps.clock.now(tenant.id),
    };
    await this.deps.store.insertWebhookEndpoint(tenant.id, endpoint);
    return endpoint;
  }

  list(tenant: Tenant): Promise<WebhookEndpointRecord[]> {
    return this.deps.store.listWebhookEndpoints(tenant.id);
  }

  /** Removes the endpoint; its deliveries stay in the log, those still waiting become FAILED. Unknown → 404 NOT_FOUND. */
  async remove(tenant: Tenant, webhookId: string): Promise<WebhookEndpointRecord> {
    const removed = await this.deps.store.deleteWebhookEndpoint(tenant.id, webhookId, (d) => ({
      ...d,
      status: "FAILED",
      nextAttemptAt: null,
    }));
    if (removed === undefined) throw new TossError("NOT_FOUND");
    return removed;
  }

  /** Newest first. `limit` may be the query string's text. */
  listDeliveries(tenant: Tenant, filter: DeliveryFilter = {}): Promise<WebhookDeliveryRecord[]> {
    return this.deps.store.listWebhookDeliveries(tenant.id, checkFilter(filter));
  }

  /** One fresh attempt now, answered after it. Unknown → 404 NOT_FOUND. */
  async resend(tenant: Tenant, deliveryId: string): Promise<WebhookDeliveryRecord> {
    const out = await this.deps.dispatcher.resend(tenant.id, deliveryId);
    if (out === undefined) throw new TossError("NOT_FOUND");
    return out;
  }
}

function checkEvents(input: unknown): WebhookEventType[] {
  if (input === undefined || input === null) return [...WEBHOOK_EVENT_TYPES];
  if (!Array.isArray(input) || input.length === 0)
    throw invalid("events는 웹훅 이벤트 목록이어야 합니다.", "events must be a non-empty list of webhook events.");
  for (const e of input) {
    if (!(WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(e))
      throw invalid(`알 수 없는 웹훅 이벤트입니다: ${String(e)}`, `Unknown webhook event: ${String(e)}`);
  }
  if (new Set(input).size !== input.length) throw invalid("events에 중복된 이벤트가 있습니다.", "events lists an event twice.");
  return WEBHOOK_EVENT_TYPES.filter((e) => input.includes(e));
}

function checkFilter(filter: DeliveryFilter): WebhookDeliveryQuery {
  const query: WebhookDeliveryQuery = { limit: DEFAULT_DELIVERY_LIMIT };
  if (filter.eventType !== undefined) {
    if (!(WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(filter.eventType))
      throw invalid("eventType이 올바르지 않습니다.", "eventType is not a webhook event.");
    query.eventType = filter.eventType as WebhookEventType;
  }
  if (filter.status !== undefined) {
    if (!(WEBHOOK_DELIVERY_STATUSES as readonly unknown[]).includes(filter.status))
      throw invalid("status가 올바르지 않습니다.", "status is not a delivery status.");
    query.status = filter.status as WebhookDeliveryStatus;
  }
  if (filter.limit !== undefined) {
    const text = String(filter.limit);
    const n = /^[1-9][0-9]{0,5}$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(n)) throw invalid("limit은 1 이상의 정수여야 합니다.", "limit must be a positive integer.");
    query.limit = Math.min(n, MAX_DELIVERY_LIMIT);
  }
  return query;
}
