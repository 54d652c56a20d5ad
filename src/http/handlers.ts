// One handler per operationId of openapi.yaml. Bodies and params are typed from the generated
// schema and already validated against the spec; handlers only call the domain and shape the
// answer for the wire.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { operations } from "../../generated/schema.js";
import type { Tenant } from "../domain/model.js";
import type { AppDeps } from "./app.js";
import { langOf } from "./errors.js";
import { toWireBilling, toWirePayment, type Labels } from "./wire.js";

type JsonBody<Op extends keyof operations> = operations[Op] extends {
  requestBody: { content: { "application/json": infer B } };
}
  ? B
  : never;
type PathParams<Op extends keyof operations> = operations[Op]["parameters"]["path"];
type OkBody<Op extends keyof operations> = operations[Op]["responses"][200]["content"]["application/json"];

type Req<Op extends keyof operations> = FastifyRequest<{
  Body: JsonBody<Op>;
  Params: PathParams<Op> extends undefined ? never : NonNullable<PathParams<Op>>;
}>;

type Handlers = { [Op in keyof operations]: (request: Req<Op>, reply: FastifyReply) => Promise<OkBody<Op>> };

export function createHandlers({ service, config }: AppDeps): Handlers {
  const tenantOf = (request: FastifyRequest): Tenant => {
    // The spec's global security guarantees this; a missing tenant is a wiring bug.
    if (!request.tenant) throw new Error("request reached a handler without a tenant");
    return request.tenant;
  };
  // English responses use English labels; otherwise the tenant's choice, then the server's.
  const labelsOf = (request: FastifyRequest): Labels =>
    langOf(request) === "en" ? "seed" : (request.tenant?.settings.labels ?? config.labels);

  return {
    async confirmPayment(request) {
      const { payment } = await service.confirm(tenantOf(request), request.body);
      return toWirePayment(payment, labelsOf(request));
    },
    async getPayment(request) {
      const { payment } = await service.getPayment(tenantOf(request), request.params.paymentKey);
      return toWirePayment(payment, labelsOf(request));
    },
    async getPaymentByOrderId(request) {
      const { payment } = await service.getPaymentByOrderId(tenantOf(request), request.params.orderId);
      return toWirePayment(payment, labelsOf(request));
    },
    async cancelPayment(request) {
      const { payment } = await service.cancel(tenantOf(request), request.params.paymentKey, request.body);
      return toWirePayment(payment, labelsOf(request));
    },
    async issueVirtualAccount(request) {
      const { payment } = await service.issueVirtualAccount(tenantOf(request), request.body);
      return toWirePayment(payment, labelsOf(request));
    },
    async issueBillingKey(request) {
      const billing = await service.issueBillingKey(tenantOf(request), request.body);
      return toWireBilling(billing, labelsOf(request));
    },
    async chargeBilling(request) {
      const { payment } = await service.chargeBilling(tenantOf(request), request.params.billingKey, request.body);
      return toWirePayment(payment, labelsOf(request));
    },
  };
}
