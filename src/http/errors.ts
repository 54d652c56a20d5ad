// Every failure leaves as a Toss error `{code, message}`: domain errors, schema validation
// failures (the code comes from the spec's `x-faketoss-error-code`), framework errors (bad JSON,
// wrong content type, oversized body) and bugs (500, never a stack).
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ERROR_CATALOGUE, TossError, type Lang } from "../domain/errors.js";

export function langOf(request: FastifyRequest): Lang {
  const header = request.headers["accept-language"];
  return typeof header === "string" && /^\s*en\b/i.test(header) ? "en" : "ko";
}

export function sendTossError(reply: FastifyReply, err: TossError, lang: Lang): FastifyReply {
  return reply
    .code(err.status)
    .header("content-type", "application/json; charset=utf-8")
    .send(JSON.stringify({ code: err.code, message: lang === "en" ? err.messageEn : err.messageKo }));
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: Record<string, unknown>;
}

/** Korean wording of an Ajv keyword failure, short and specific. */
function detailKo(e: AjvError): string {
  const p = e.params;
  switch (e.keyword) {
    case "type":
      return `${String(p.type)} 타입이어야 합니다`;
    case "maxLength":
      return `${String(p.limit)}자 이하여야 합니다`;
    case "minLength":
      return `${String(p.limit)}자 이상이어야 합니다`;
    case "pattern":
      return "형식이 올바르지 않습니다";
    case "minimum":
      return `${String(p.limit)}보다 작을 수 없습니다`;
    case "maximum":
      return `${String(p.limit)}보다 클 수 없습니다`;
    case "exclusiveMinimum":
      return `${String(p.limit)}보다 커야 합니다`;
    case "exclusiveMaximum":
      return `${String(p.limit)}보다 작아야 합니다`;
    case "multipleOf":
      return `${String(p.multipleOf)}의 배수여야 합니다`;
    case "minProperties":
      return `항목이 ${String(p.limit)}개 이상 있어야 합니다`;
    case "maxProperties":
      return `항목이 ${String(p.limit)}개 이하여야 합니다`;
    case "additionalProperties":
      return `알 수 없는 항목입니다 (${String(p.additionalProperty ?? "")})`;
    case "minItems":
      return `${String(p.limit)}개 이상이어야 합니다`;
    case "maxItems":
      return `${String(p.limit)}개 이하여야 합니다`;
    case "uniqueItems":
      return "중복된 값이 있습니다";
    case "const":
      return `${JSON.stringify(p.allowedValue)}이어야 합니다`;
    case "oneOf":
    case "anyOf":
    case "not":
    case "if":
      return "허용된 형식이 아닙니다";
    case "enum":
      return `허용된 값이 아닙니다 (${(p.allowedValues as unknown[] | undefined)?.join(", ") ?? ""})`;
    case "format":
      return `${String(p.format)} 형식이 아닙니다`;
    default:
      return "값이 올바르지 않습니다";
  }
}

function fieldName(e: AjvError, context: string | undefined): string {
  const path = e.instancePath.replace(/^\//, "").replace(/\//g, ".");
  if (path) return path;
  return context === "body" ? "body" : (context ?? "request");
}

/** Maps the first schema violation to the Toss code the spec names for that field. */
export function validationToTossError(errors: AjvError[], context: string | undefined): TossError {
  const e = errors[0];
  if (!e) return new TossError("INVALID_REQUEST");
  if (e.keyword === "required") {
    const missing = String(e.params.missingProperty ?? "");
    const base = ERROR_CATALOGUE.INVALID_REQUIRED_PARAM!;
    const where = e.instancePath ? `${fieldName(e, context)}.${missing}` : missing;
    return new TossError("INVALID_REQUIRED_PARAM", `${base.ko} (${where})`, `${base.en} (${where})`);
  }
  if (e.instancePath === "" && context === "body" && e.keyword === "type") {
    return new TossError("INVALID_REQUEST", "요청 본문은 JSON 객체여야 합니다.", "The request body must be a JSON object.");
  }
  const declared = e.parentSchema?.["x-faketoss-error-code"];
  let code = "INVALID_REQUEST";
  if (typeof declared === "string") code = declared;
  else if (declared && typeof declared === "object") {
    const byKeyword = (declared as Record<string, unknown>)[e.keyword];
    if (typeof byKeyword === "string") code = byKeyword;
  }
  if (!(code in ERROR_CATALOGUE)) code = "INVALID_REQUEST";
  const entry = ERROR_CATALOGUE[code]!;
  const field = fieldName(e, context);
  return new TossError(code, `${entry.ko} (${field}: ${detailKo(e)})`, `${entry.en} (${field}: ${e.message ?? "invalid"})`);
}

/** Framework errors that are the client's fault, by Fastify error code. */
const CLIENT_ERRORS: Record<string, [string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ["Content-Type은 application/json이어야 합니다.", "Content-Type must be application/json."],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ["Content-Length가 본문 길이와 다릅니다.", "Content-Length does not match the body."],
  FST_ERR_CTP_EMPTY_JSON_BODY: ["요청 본문이 비어 있습니다.", "The JSON request body is empty."],
  FST_ERR_CTP_INVALID_JSON_BODY: ["요청 본문이 올바른 JSON이 아닙니다.", "The request body is not valid JSON."],
  FST_ERR_CTP_BODY_TOO_LARGE: ["요청 본문이 너무 큽니다.", "The request body is too large."],
  FST_ERR_CTP_INVALID_TYPE: ["Content-Type 헤더가 올바르지 않습니다.", "The Content-Type header is invalid."],
  FST_ERR_BAD_URL: ["요청 경로가 올바르지 않습니다.", "The request path is invalid."],
  FST_ERR_ASYNC_CONSTRAINT: ["잘못된 요청입니다.", "The request is invalid."],
};

/** Turns anything thrown during a request into a TossError; `internal` marks our own bugs. */
export function toTossError(err: unknown): { error: TossError; internal: boolean } {
  if (err instanceof TossError) return { error: err, internal: false };
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string; errors?: unknown[] };
  // fastify-openapi-glue wraps security handler failures; the first one is ours.
  if (fe && fe.name === "Unauthorized" && Array.isArray(fe.errors)) {
    const inner = fe.errors.find((x) => x instanceof TossError);
    if (inner) return { error: inner as TossError, internal: false };
  }
  if (fe && Array.isArray(fe.validation)) return { error: validationToTossError(fe.validation, fe.validationContext), internal: false };
  const known = fe && typeof fe.code === "string" ? CLIENT_ERRORS[fe.code] : undefined;
  if (known) return { error: new TossError("INVALID_REQUEST", known[0], known[1]), internal: false };
  // Body-parser errors Fastify did not name (e.g. JSON.parse's SyntaxError) are still 4xx.
  if (fe && typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { error: new TossError("INVALID_REQUEST"), internal: false };
  }
  return { error: new TossError("FAILED_INTERNAL_SYSTEM_PROCESSING"), internal: true };
}
