// One handler per operationId of openapi.yaml. Bodies and params are typed from the generated
// schema and already validated against the spec; handlers only call the domain and shape the
// answer for the wire.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { operations } from "../../generated/schema.js";
import { TossError } from "../domain/errors.js";
import type { Payment, Tenant } from "../domain/model.js";
import type { AppDeps } from "./app.js";
import { langOf } from "./errors.js";
import { createPageHandlers } from "./pages.js";
import { failRedirectUrl, successRedirectUrl } from "./redirects.js";
import { methodFromRequest, renderPayment, renditionTag, tenantLabels, toWireBilling, type Labels } from "./wire.js";
import { toWireWebhookDelivery, toWireWebhookEndpoint } from "../webhooks/wire.js";

type JsonBody<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
type FormBody<Op extends keyof operations> = operations[Op] extends {
  requestBody: { content: { "application/x-www-form-urlencoded": infer B } };
}
  ? B
  : never;
type PathParams<Op extends keyof operations> = operations[Op]["parameters"]["path"];
type QueryParams<Op extends keyof operations> = operations[Op]["parameters"]["query"];
type OkBody<Op extends keyof operations> = operations[Op]["responses"] extends { 200: { content: { "application/json": infer B } } }
  ? B
  : unknown;

export type Req<Op extends keyof operations> = FastifyRequest<{
  Body: [JsonBody<Op>] extends [never] ? FormBody<Op> : JsonBody<Op>;
  Params: PathParams<Op> extends undefined ? never : NonNullable<PathParams<Op>>;
  Querystring: QueryParams<Op> extends undefined ? never : NonNullable<QueryParams<Op>>;
}>;

export type Handler<Op extends keyof operations> = (request: Req<Op>, reply: FastifyReply) => Promise<OkBody<Op> | FastifyReply | void>;
/** Operations FakeToss serves; `send…` operations are the webhooks it sends (spec `webhooks:`). */
type ServedOps = Exclude<keyof operations, `send${string}`>;
type Handlers = { [Op in ServedOps]: Handler<Op> };

const JSON_TYPE = "application/json; charset=utf-8";
function sendRendered(reply: FastifyReply, payment: Payment, labels: Labels): FastifyReply {
  return reply.type(JSON_TYPE).send(renderPayment(payment, labels));
}
/** A window step's answer (authenticatePayment, failPayment): the rendered payment and where the buyer goes. */
function sendWindowStep(reply: FastifyReply, payment: Payment, labels: Labels, redirectUrl: string | null): FastifyReply {
  return reply.type(JSON_TYPE).send(`{"payment":${renderPayment(payment, labels)},"redirectUrl":${JSON.stringify(redirectUrl)}}`);
}

export function createHandlers(deps: AppDeps): Handlers {
  const { service, sandbox, config } = deps;
  const tenantOf = (request: FastifyRequest): Tenant => {
    // The spec's global security guarantees this; a missing tenant is a wiring bug.
    if (!request.tenant) throw new Error("request reached a handler without a tenant");
    return request.tenant;
  };
  // English responses use English labels; otherwise the tenant's choice, then the server's.
  const labelsOf = (request: FastifyRequest): Labels =>
    langOf(request) === "en" ? "seed" : tenantLabels(request.tenant, config.labels);
  /** A look-up answers the stored rendition when current (no JSON parsed or built); else the record. */
  const sendLookup = async (request: FastifyRequest, reply: FastifyReply, by: { paymentKey: string } | { orderId: string }) => {
    const tenant = tenantOf(request);
    const labels = labelsOf(request);
    const stored = await service.getPaymentRendition(tenant, by, renditionTag(labels));
    if (stored !== undefined) return reply.type(JSON_TYPE).send(stored);
    const { payment } = "paymentKey" in by ? await service.getPayment(tenant, by.paymentKey) : await service.getPaymentByOrderId(tenant, by.orderId);
    return sendRendered(reply, payment, labels);
  };
  /** Where this server is reachable from the caller's side, for checkout.url. */
  const originOf = (request: FastifyRequest): string => `${request.protocol}://${request.headers.host ?? `${config.host}:${config.port}`}`;

  return {
    ...createPageHandlers(deps),

    async confirmPayment(request, reply) {
      const { payment } = await service.confirm(tenantOf(request), request.body);
      return sendRendered(reply, payment, labelsOf(request));
    },
    async getPayment(request, reply) {
      return sendLookup(request, reply, { paymentKey: request.params.paymentKey });
    },
    async getPaymentByOrderId(request, reply) {
      return sendLookup(request, reply, { orderId: request.params.orderId });
    },
    async cancelPayment(request, reply) {
      const { payment } = await service.cancel(tenantOf(request), request.params.paymentKey, request.body);
      return sendRendered(reply, payment, labelsOf(request));
    },
    async createPayment(request, reply) {
      const method = methodFromRequest(request.body.method);
      if (method === undefined) throw new TossError("NOT_SUPPORTED_METHOD");
      const { payment } = await service.createPayment(tenantOf(request), { ...request.body, method }, originOf(request));
      return sendRendered(reply, payment, labelsOf(request));
    },
    async keyInPayment(request, reply) {
      const { payment } = await service.keyIn(tenantOf(request), request.body);
      return sendRendered(reply, payment, labelsOf(request));
    },
    async issueVirtualAccount(request, reply) {
      const { payment } = await service.issueVirtualAccount(tenantOf(request), request.body);
      return sendRendered(reply, payment, labelsOf(request));
    },
    async issueBillingKey(request) {
      const billing = await service.issueBillingKey(tenantOf(request), request.body);
      return toWireBilling(billing, labelsOf(request));
    },
    async issueBillingKeyWithCard(request) {
      const billing = await service.issueBillingKeyWithCard(tenantOf(request), request.body);
      return toWireBilling(billing, labelsOf(request));
    },
    async chargeBilling(request, reply) {
      const { payment } = await service.chargeBilling(tenantOf(request), request.params.billingKey, request.body);
      return sendRendered(reply, payment, labelsOf(request));
    },
    async deleteBillingKey(request, reply) {
      await service.deleteBillingKey(tenantOf(request), request.params.billingKey);
      // Toss answers 200 with an empty body.
      return reply.code(200).send();
    },

    // ---- sandbox controls
    async authenticatePayment(request, reply) {
      const rec = await service.authenticatePayment(tenantOf(request), request.params.paymentKey);
      return sendWindowStep(reply, rec.payment, labelsOf(request), successRedirectUrl(rec));
    },
    async failPayment(request, reply) {
      const rec = await service.failPayment(tenantOf(request), request.params.paymentKey, request.body ?? {});
      return sendWindowStep(reply, rec.payment, labelsOf(request), failRedirectUrl(rec, rec.payment.failure!));
    },
    async expirePayment(request, reply) {
      const { payment } = await service.expirePayment(tenantOf(request), request.params.paymentKey);
      return sendRendered(reply, payment, labelsOf(request));
    },
    async depositVirtualAccount(request, reply) {
      const { payment } = await service.depositVirtualAccount(tenantOf(request), request.params.paymentKey, request.body ?? {});
      return sendRendered(reply, payment, labelsOf(request));
    },
    async cancelVirtualAccountDeposit(request, reply) {
      const { payment } = await service.cancelDeposit(tenantOf(request), request.params.paymentKey);
      return sendRendered(reply, payment, labelsOf(request));
    },
    async getClock(request) {
      return sandbox.getClock(tenantOf(request));
    },
    async advanceClock(request) {
      const b = request.body;
      const ms = ((((b.days ?? 0) * 24 + (b.hours ?? 0)) * 60 + (b.minutes ?? 0)) * 60 + (b.seconds ?? 0)) * 1000;
      return sandbox.advanceClock(tenantOf(request), ms);
    },
    async resetTenant(request) {
      return sandbox.resetTenant(tenantOf(request));
    },
    async createKeyPair() {
      return sandbox.createKeyPair();
    },
    async setBillingFailures(request) {
      return service.setBillingFailures(tenantOf(request), request.params.billingKey, request.body);
    },
    async getSettings(request) {
      return tenantOf(request).settings;
    },
    async updateSettings(request) {
      const updated = await sandbox.updateSettings(tenantOf(request), request.body);
      return updated.settings;
    },

    // ---- webhooks (sandbox)
    async listWebhooks(request) {
      return (await deps.webhooks.list(tenantOf(request))).map(toWireWebhookEndpoint);
    },
    async registerWebhook(request) {
      return toWireWebhookEndpoint(await deps.webhooks.register(tenantOf(request), request.body));
    },
    async removeWebhook(request) {
      return toWireWebhookEndpoint(await deps.webhooks.remove(tenantOf(request), request.params.webhookId));
    },
    async listWebhookDeliveries(request) {
      const q = request.query ?? {};
      const deliveries = await deps.webhooks.listDeliveries(tenantOf(request), { eventType: q.eventType, status: q.status, limit: q.limit });
      return deliveries.map(toWireWebhookDelivery);
    },
    async resendWebhookDelivery(request) {
      return toWireWebhookDelivery(await deps.webhooks.resend(tenantOf(request), request.params.deliveryId));
    },
  };
}
