// The browser pages: FakeToss's payment window (checkout.url) and billing-auth window. Light,
// offline, server-rendered HTML in Korean; every value from a request or a shop is escaped.
import type { FastifyReply } from "fastify";
import { ERROR_CATALOGUE, TossError } from "../domain/errors.js";
import type { PaymentRecord, Tenant } from "../domain/model.js";
import type { AppDeps } from "./app.js";
import type { Handler } from "./handlers.js";
import { failRedirectUrl, isHttpUrl, successRedirectUrl, withQuery } from "./redirects.js";

/** Failure codes the window offers under "실패", as a card company or the buyer would cause them. */
export const WINDOW_FAILURE_CODES = [
  "REJECT_CARD_COMPANY",
  "REJECT_CARD_PAYMENT",
  "EXCEED_MAX_DAILY_PAYMENT_COUNT",
  "INVALID_CARD_EXPIRATION",
  "INVALID_STOPPED_CARD",
  "INVALID_CARD_LOST_OR_STOLEN",
  "PAY_PROCESS_ABORTED",
] as const;

const CANCELED = { code: "PAY_PROCESS_CANCELED", message: "사용자에 의해 결제가 취소되었습니다." };

const METHOD_LABEL: Record<string, string> = { CARD: "카드", VIRTUAL_ACCOUNT: "가상계좌" };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const won = (n: number): string => `${n.toLocaleString("ko-KR")}원`;

const STYLE = `
  body{margin:0;background:#f2f4f6;font-family:-apple-system,"Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;color:#191f28}
  main{max-width:420px;margin:48px auto;background:#fff;border-radius:16px;padding:28px;box-shadow:0 2px 12px rgba(0,0,0,.06)}
  h1{font-size:20px;margin:0 0 4px}.sub{color:#6b7684;font-size:13px;margin:0 0 20px}
  dl{display:grid;grid-template-columns:auto 1fr;gap:8px 16px;margin:0 0 24px}dt{color:#6b7684}dd{margin:0;text-align:right;font-weight:600}
  .amount{font-size:24px;color:#3182f6}
  button{width:100%;padding:14px;border:0;border-radius:10px;font-size:16px;font-weight:600;cursor:pointer;margin-top:8px}
  .approve{background:#3182f6;color:#fff}.fail{background:#fee;color:#d22}.cancel{background:#f2f4f6;color:#4e5968}
  select,input{width:100%;padding:10px;border:1px solid #d1d6db;border-radius:8px;font-size:14px;box-sizing:border-box;margin-top:12px}
  .error{color:#d22}.note{color:#8b95a1;font-size:12px;margin-top:20px}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · FakeToss</title><style>${STYLE}</style></head>
<body><main>${body}<p class="note">FakeToss 샌드박스 · 실제 결제가 일어나지 않습니다.</p></main></body>
</html>`;
}

export function errorPage(reply: FastifyReply, status: number, title: string, detail: string): FastifyReply {
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .send(page(title, `<h1 class="error">${escapeHtml(title)}</h1><p id="error-detail">${escapeHtml(detail)}</p>`));
}

function windowPage(rec: PaymentRecord): string {
  const p = rec.payment;
  const options = WINDOW_FAILURE_CODES.map(
    (code) => `<option value="${code}">${code} — ${escapeHtml(ERROR_CATALOGUE[code]?.ko ?? code)}</option>`,
  ).join("");
  const action = `/v1/payments/${encodeURIComponent(p.paymentKey)}/checkout`;
  return page(
    "결제하기",
    `<h1>결제하기</h1><p class="sub">토스페이먼츠 결제창 (FakeToss)</p>
<dl>
  <dt>주문명</dt><dd id="order-name">${escapeHtml(p.orderName)}</dd>
  <dt>주문번호</dt><dd id="order-id">${escapeHtml(p.orderId)}</dd>
  <dt>결제수단</dt><dd id="method">${escapeHtml(METHOD_LABEL[p.method ?? ""] ?? p.method ?? "-")}</dd>
  <dt>결제금액</dt><dd class="amount" id="amount">${won(p.totalAmount)}</dd>
</dl>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="action" value="approve">
  <button class="approve" id="approve" type="submit">${won(p.totalAmount)} 결제 승인</button></form>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="action" value="fail">
  <select name="code" id="fail-code" aria-label="실패 코드">${options}</select>
  <button class="fail" id="fail" type="submit">결제 실패 처리</button></form>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="action" value="cancel">
  <button class="cancel" id="cancel" type="submit">취소</button></form>`,
  );
}

function billingAuthPage(q: { clientKey: string; customerKey: string; successUrl: string; failUrl: string }): string {
  const hidden = (["clientKey", "customerKey", "successUrl", "failUrl"] as const)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q[k])}">`)
    .join("");
  return page(
    "카드 등록",
    `<h1>자동결제 카드 등록</h1><p class="sub">토스페이먼츠 빌링 인증 (FakeToss)</p>
<dl><dt>고객키</dt><dd id="customer-key">${escapeHtml(q.customerKey)}</dd></dl>
<form method="post" action="/sandbox/billing-auth">${hidden}<input type="hidden" name="action" value="approve">
  <input name="cardNumber" id="card-number" inputmode="numeric" placeholder="카드번호 (비워두면 테스트 카드)" aria-label="카드번호">
  <button class="approve" id="approve" type="submit">카드 등록</button></form>
<form method="post" action="/sandbox/billing-auth">${hidden}<input type="hidden" name="action" value="fail">
  <button class="cancel" id="cancel" type="submit">취소</button></form>`,
  );
}

/** A TossError met by a page becomes an HTML page with the same status. */
function tossErrorPage(reply: FastifyReply, err: unknown): FastifyReply {
  if (!(err instanceof TossError)) throw err;
  if (err.code === "NOT_FOUND_PAYMENT") return errorPage(reply, 404, "존재하지 않는 결제입니다", err.messageKo);
  if (err.code === "NOT_FOUND_PAYMENT_SESSION") return errorPage(reply, 410, "결제 시간이 만료되었습니다", err.messageKo);
  return errorPage(reply, err.status, "결제를 진행할 수 없습니다", `${err.code}: ${err.messageKo}`);
}

type PageOps = "getPaymentWindow" | "submitPaymentWindow" | "getBillingAuthWindow" | "submitBillingAuthWindow";

export function createPageHandlers({ service, tenants }: AppDeps): { [Op in PageOps]: Handler<Op> } {
  /** The window is opened without a key: find the payment, and its tenant, by paymentKey alone. */
  async function windowPayment(paymentKey: string): Promise<{ tenant: Tenant; rec: PaymentRecord }> {
    const found = await service.findPaymentForCheckout(paymentKey);
    const tenant = found && tenants.lookupId(found.tenantId);
    if (!found || !tenant) throw new TossError("NOT_FOUND_PAYMENT");
    return { tenant, rec: found.rec };
  }

  /** Why this payment's window cannot be used, or undefined when it can. */
  function refusal(rec: PaymentRecord): [number, string, string] | undefined {
    const p = rec.payment;
    if (p.status === "EXPIRED") return [410, "결제 시간이 만료되었습니다", "결제창은 30분 안에 완료해야 합니다. 새 결제를 만들어 주세요."];
    if (p.status !== "READY") return [410, "이미 처리된 결제입니다", `이 결제는 ${p.status} 상태입니다.`];
    if (!isHttpUrl(rec.session.successUrl) || !isHttpUrl(rec.session.failUrl))
      return [400, "잘못된 결제 요청입니다", "successUrl과 failUrl은 http(s) 주소여야 합니다."];
    return undefined;
  }

  return {
    async getPaymentWindow(request, reply) {
      try {
        const { rec } = await windowPayment(request.params.paymentKey);
        const refused = refusal(rec);
        if (refused) return errorPage(reply, ...refused);
        return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(windowPage(rec));
      } catch (err) {
        return tossErrorPage(reply, err);
      }
    },

    async submitPaymentWindow(request, reply) {
      try {
        const { tenant, rec } = await windowPayment(request.params.paymentKey);
        const refused = refusal(rec);
        if (refused) return errorPage(reply, ...refused);
        const form = request.body;
        if (form.action === "approve") {
          const done = await service.authenticatePayment(tenant, rec.payment.paymentKey);
          return reply.redirect(successRedirectUrl(done)!, 303);
        }
        if (form.action === "fail") {
          const code = form.code ?? "PAY_PROCESS_ABORTED";
          const message = ERROR_CATALOGUE[code]?.ko ?? "결제에 실패했습니다.";
          const failed = await service.failPayment(tenant, rec.payment.paymentKey, { code, message });
          return reply.redirect(failRedirectUrl(failed, failed.payment.failure ?? { code, message })!, 303);
        }
        // The buyer closed the window: nothing changes (the payment expires later), as in Toss.
        return reply.redirect(failRedirectUrl(rec, CANCELED)!, 303);
      } catch (err) {
        return tossErrorPage(reply, err);
      }
    },

    async getBillingAuthWindow(request, reply) {
      const q = request.query;
      if (!tenants.lookupClientKey(q.clientKey)) return errorPage(reply, 400, "잘못된 요청입니다", "등록되지 않은 클라이언트 키입니다.");
      if (!isHttpUrl(q.successUrl) || !isHttpUrl(q.failUrl))
        return errorPage(reply, 400, "잘못된 요청입니다", "successUrl과 failUrl은 http(s) 주소여야 합니다.");
      return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(billingAuthPage(q));
    },

    async submitBillingAuthWindow(request, reply) {
      const form = request.body;
      const tenant = tenants.lookupClientKey(form.clientKey);
      if (!tenant) return errorPage(reply, 400, "잘못된 요청입니다", "등록되지 않은 클라이언트 키입니다.");
      if (!isHttpUrl(form.successUrl) || !isHttpUrl(form.failUrl))
        return errorPage(reply, 400, "잘못된 요청입니다", "successUrl과 failUrl은 http(s) 주소여야 합니다.");
      if (form.action === "fail") {
        const code = form.code ?? CANCELED.code;
        const message = ERROR_CATALOGUE[code]?.ko ?? CANCELED.message;
        return reply.redirect(withQuery(form.failUrl, { code, message }), 303);
      }
      try {
        const auth = await service.issueBillingAuth(tenant, { customerKey: form.customerKey, cardNumber: form.cardNumber || undefined });
        return reply.redirect(withQuery(form.successUrl, { customerKey: form.customerKey, authKey: auth.authKey }), 303);
      } catch (err) {
        if (err instanceof TossError) return errorPage(reply, err.status, "카드를 등록할 수 없습니다", `${err.code}: ${err.messageKo}`);
        throw err;
      }
    },
  };
}
