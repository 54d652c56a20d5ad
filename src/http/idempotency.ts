// Idempotency-Key as Toss does it: identity = (key, tenant, path, method), body not included;
// the first answer is replayed byte for byte (errors too) for 15 days; a repeat that arrives
// while the first is running gets 409 IDEMPOTENT_REQUEST_PROCESSING.
import type { FastifyReply, FastifyRequest } from "fastify";
import { TossError } from "../domain/errors.js";
import type { Clock } from "../domain/clock.js";
import type { IdempotencyScope, Store } from "../store/store.js";

/** A claim left open this long belongs to a crashed request and may be taken over. */
const STALE_CLAIM_MS = 30_000;

declare module "fastify" {
  interface FastifyRequest {
    idempotency?: IdempotencyScope;
  }
}

export function idempotencyHooks(store: Store, clock: Clock, maxKeyLength: number) {
  /** onRequest, after authentication: replay, refuse, or claim. */
  async function onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const raw = request.headers["idempotency-key"];
    const key = Array.isArray(raw) ? raw[0] : raw;
    // An empty value means "no key" (Toss's behaviour is unconfirmed).
    if (key === undefined || key === "" || !request.tenant) return;
    if (key.length > maxKeyLength) throw new TossError("INVALID_IDEMPOTENCY_KEY");
    const scope: IdempotencyScope = {
      tenantId: request.tenant.id,
      key,
      method: request.method,
      path: request.url.split("?")[0]!,
    };
    const claim = await store.claimIdempotent(scope, clock.now(scope.tenantId), STALE_CLAIM_MS);
    if (claim.state === "processing") throw new TossError("IDEMPOTENT_REQUEST_PROCESSING");
    if (claim.state === "done") {
      reply.header("idempotency-key", key);
      reply.code(claim.record.status).header("content-type", claim.record.contentType).send(claim.record.body);
      return reply as unknown as undefined;
    }
    request.idempotency = scope;
  }

  /** onSend: keep the first answer (not a 5xx, which the client should be free to retry). */
  async function onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const scope = request.idempotency;
    if (!scope) return payload;
    request.idempotency = undefined;
    reply.header("idempotency-key", scope.key);
    // A request cut off mid-body never ran: the client must be free to retry it with the key.
    const cutOff = request.raw.aborted || !request.raw.complete;
    if (reply.statusCode >= 500 || typeof payload !== "string" || cutOff) {
      await store.releaseIdempotent(scope);
      return payload;
    }
    await store.putIdempotent(scope, {
      status: reply.statusCode,
      contentType: String(reply.getHeader("content-type") ?? "application/json; charset=utf-8"),
      body: payload,
      createdAt: clock.now(scope.tenantId),
    });
    return payload;
  }

  return { onRequest, onSend };
}
