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

/** Echoed only when ASCII: Node re-encodes a response header's other bytes (as UTF-8). */
const ECHOABLE = /^[\t\x20-\x7e]+$/;

// ignoreBOM: a leading U+FEFF is a character of the key, not a marker to drop before counting.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** The header's characters: its bytes as UTF-8 when all of them are valid UTF-8, else one per byte. */
function keyText(latin1: string): string {
  if (!/[\x80-\xff]/.test(latin1)) return latin1;
  try {
    return utf8.decode(Buffer.from(latin1, "latin1"));
  } catch {
    return latin1;
  }
}

export function idempotencyHooks(store: Store, clock: Clock, maxKeyLength: number) {
  /** onRequest, after authentication: replay, refuse, or claim. */
  async function onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const raw = request.headers["idempotency-key"];
    const key = Array.isArray(raw) ? raw[0] : raw;
    // An empty value means "no key" (Toss's behaviour is unconfirmed).
    if (key === undefined || key === "" || !request.tenant) return;
    // Node reads header bytes as latin1: a UTF-8 key ("주문-1") is measured in characters, as
    // Toss's limit is stated, and the spec's maxLength sees the same text. The key is stored as
    // sent (its bytes), so a stored key matches whatever it was stored under.
    const text = keyText(key);
    if (text !== key) request.headers["idempotency-key"] = text;
    // Characters are code points (as the spec's maxLength counts them); latin1 has no surrogates.
    if ((text === key ? key.length : [...text].length) > maxKeyLength) throw new TossError("INVALID_IDEMPOTENCY_KEY");
    const scope: IdempotencyScope = {
      tenantId: request.tenant.id,
      key,
      method: request.method,
      path: request.url.split("?")[0]!,
    };
    const claim = await store.claimIdempotent(scope, clock.now(scope.tenantId), STALE_CLAIM_MS);
    if (claim.state === "processing") throw new TossError("IDEMPOTENT_REQUEST_PROCESSING");
    if (claim.state === "done") {
      if (ECHOABLE.test(key)) reply.header("idempotency-key", key);
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
    if (ECHOABLE.test(scope.key)) reply.header("idempotency-key", scope.key);
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
