// Webhook records → the spec's WebhookEndpoint / WebhookDelivery bodies (times in KST).
import type { components } from "../../generated/schema.js";
import { formatKst } from "../domain/clock.js";
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from "./model.js";

export type WireWebhookEndpoint = components["schemas"]["WebhookEndpoint"];
export type WireWebhookDelivery = components["schemas"]["WebhookDelivery"];

export function toWireWebhookEndpoint(e: WebhookEndpointRecord): WireWebhookEndpoint {
  return { id: e.id, url: e.url, events: [...e.events], createdAt: formatKst(e.createdAt) };
}

export function toWireWebhookDelivery(d: WebhookDeliveryRecord): WireWebhookDelivery {
  return {
    id: d.id,
    webhookId: d.webhookId,
    url: d.url,
    eventType: d.eventType,
    // The spec types `payload` as a bare object; it is the JSON that was sent.
    payload: JSON.parse(d.payload) as WireWebhookDelivery["payload"],
    status: d.status,
    attempts: d.attempts.map((a) => ({
      attemptedAt: formatKst(a.attemptedAt),
      retriedCount: a.retriedCount,
      statusCode: a.statusCode,
      error: a.error,
      durationMs: a.durationMs,
    })),
    nextAttemptAt: d.nextAttemptAt === null ? null : formatKst(d.nextAttemptAt),
    createdAt: formatKst(d.createdAt),
  };
}
