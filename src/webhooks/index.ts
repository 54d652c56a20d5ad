// Webhooks: endpoints per tenant, a persisted delivery queue and log, and a dispatcher that sends
// with Toss's headers and retry schedule on the tenant's virtual clock.
import type { Clock } from "../domain/clock.js";
import type { Tenant } from "../domain/model.js";
import type { Labels } from "../http/wire.js";
import type { Store } from "../store/store.js";
import type { DestinationPolicy } from "./destinations.js";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "./dispatcher.js";
import { WebhookService } from "./service.js";

export { WebhookDispatcher, type WebhookDispatcherOptions } from "./dispatcher.js";
export { WebhookService } from "./service.js";
export type { DestinationPolicy, Resolver, ResolvedAddress } from "./destinations.js";
export * from "./model.js";
export { toWireWebhookDelivery, toWireWebhookEndpoint } from "./wire.js";

export interface Webhooks {
  service: WebhookService;
  dispatcher: WebhookDispatcher;
}

export function createWebhooks(deps: {
  store: Store;
  clock: Clock;
  policy: DestinationPolicy;
  labelsOf: (tenant: Tenant) => Labels;
  options?: WebhookDispatcherOptions;
}): Webhooks {
  const dispatcher = new WebhookDispatcher(deps.store, deps.clock, deps.policy, deps.options);
  const service = new WebhookService({ store: deps.store, clock: deps.clock, dispatcher, policy: deps.policy, labelsOf: deps.labelsOf });
  return { service, dispatcher };
}
