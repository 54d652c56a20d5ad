// Webhook records as the store keeps them. Times are epoch ms on the tenant's virtual clock; the
// wire (webhooks/wire.ts) formats them. The payload is kept as the exact text sent, so that every
// retry sends the same bytes.

export const WEBHOOK_EVENT_TYPES = ["PAYMENT_STATUS_CHANGED", "DEPOSIT_CALLBACK", "BILLING_DELETED"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_DELIVERY_STATUSES = ["PENDING", "DELIVERED", "FAILED", "REFUSED"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** Toss's retry schedule: minutes after the previous attempt, 7 retries (≈ 3 days 19 h in all). */
export const RETRY_SCHEDULE_MINUTES: readonly number[] = [1, 4, 16, 64, 256, 1024, 4096];
export const MAX_RETRIES = RETRY_SCHEDULE_MINUTES.length;

/** Attempts kept per delivery (manual resends could otherwise grow one without bound). */
export const MAX_ATTEMPTS_KEPT = 100;

export interface WebhookEndpointRecord {
  /** `wh_` + 16 lowercase alnum. */
  id: string;
  /** As registered. */
  url: string;
  /** The events it receives, in the catalogue's order. */
  events: WebhookEventType[];
  createdAt: number;
}

export interface WebhookAttemptRecord {
  attemptedAt: number;
  /** The `tosspayments-webhook-transmission-retried-count` sent. */
  retriedCount: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDeliveryRecord {
  /** `whtrans_` + 26 lowercase alnum; also the transmission id, the same on every retry. */
  id: string;
  webhookId: string;
  /** The endpoint's URL when the event happened. */
  url: string;
  eventType: WebhookEventType;
  /** The JSON body, exactly as sent. */
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: WebhookAttemptRecord[];
  /** When the next scheduled attempt is due (PENDING only); null otherwise. */
  nextAttemptAt: number | null;
  /** The retried-count of the next scheduled attempt: 0 before the first send, then 1..7. */
  retries: number;
  createdAt: number;
}

export interface WebhookDeliveryQuery {
  eventType?: WebhookEventType;
  status?: WebhookDeliveryStatus;
  /** 1..1000. */
  limit: number;
}

export type AttemptKind = "scheduled" | "resend";

/**
 * The delivery after an attempt (pure). A 2xx → DELIVERED. A refused destination → REFUSED (no
 * retries). A failed scheduled attempt of a PENDING delivery schedules the next retry
 * (RETRY_SCHEDULE_MINUTES after this attempt) or, after the 7th retry, FAILED. A failed manual
 * resend changes no status and no schedule.
 */
export function applyAttempt(
  d: WebhookDeliveryRecord,
  attempt: WebhookAttemptRecord,
  outcome: { ok: boolean; refused: boolean },
  kind: AttemptKind,
): WebhookDeliveryRecord {
  const attempts = [...d.attempts, attempt].slice(-MAX_ATTEMPTS_KEPT);
  if (outcome.ok) return { ...d, attempts, status: "DELIVERED", nextAttemptAt: null };
  if (outcome.refused) return { ...d, attempts, status: d.status === "DELIVERED" ? "DELIVERED" : "REFUSED", nextAttemptAt: null };
  if (kind === "resend" || d.status !== "PENDING") return { ...d, attempts };
  const retried = Math.max(d.retries, attempt.retriedCount);
  if (retried >= MAX_RETRIES) return { ...d, attempts, status: "FAILED", nextAttemptAt: null, retries: retried + 1 };
  return {
    ...d,
    attempts,
    nextAttemptAt: attempt.attemptedAt + RETRY_SCHEDULE_MINUTES[retried]! * 60_000,
    retries: retried + 1,
  };
}
