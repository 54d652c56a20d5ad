// Toss error codes FakeToss can answer with. Statuses and Korean messages come from
// shared/reference/toss-api.md §3 and §5 (Toss's own wording where known). Where the
// reference only says "format errors" the Korean text is ours, written in Toss's style.
// English messages are ours: Toss's English wording is unconfirmed.

export interface ErrorEntry {
  status: number;
  ko: string;
  en: string;
}

const e = (status: number, ko: string, en: string): ErrorEntry => ({ status, ko, en });

export const ERROR_CATALOGUE: Record<string, ErrorEntry> = {
  // ---- 400: request and business rules
  INVALID_REQUEST: e(400, "잘못된 요청입니다.", "The request is invalid."),
  INVALID_REQUIRED_PARAM: e(400, "필수 파라미터가 누락되었습니다.", "A required parameter is missing."),
  INVALID_PARAMETER: e(400, "잘못된 파라미터입니다.", "A parameter is invalid."),
  INVALID_PAYMENT_KEY: e(400, "잘못된 결제 키 입니다.", "The payment key is invalid."),
  INVALID_ORDER_ID: e(
    400,
    "orderId는 영문 대소문자, 숫자, 특수문자 -, _ 로 이루어진 6자 이상 64자 이하의 문자열이어야 합니다.",
    "orderId must be 6 to 64 characters of letters, digits, '-' or '_'.",
  ),
  INVALID_ORDER_NAME: e(400, "주문 이름은 100자 이하여야 합니다.", "orderName must be 100 characters or fewer."),
  INVALID_CUSTOMER_KEY: e(
    400,
    "customerKey는 영문 대소문자, 숫자, 특수문자 -, _, =, ., @ 로 이루어진 2자 이상 300자 이하의 문자열이어야 합니다.",
    "customerKey must be 2 to 300 characters of letters, digits, '-', '_', '=', '.' or '@'.",
  ),
  INVALID_EMAIL: e(400, "유효하지 않은 이메일 주소 형식입니다.", "The email address is not valid."),
  INVALID_DATE: e(400, "날짜 데이터가 잘못 되었습니다.", "The date is invalid."),
  INVALID_ISO_DATE_FORMAT: e(400, "ISO 8601 형식의 날짜가 아닙니다.", "The date is not in ISO 8601 format."),
  INVALID_CURRENCY: e(400, "잘못된 통화 값입니다.", "The currency is invalid."),
  INVALID_URL: e(400, "잘못된 URL 형식입니다.", "The URL is not valid."),
  INVALID_API_KEY: e(400, "잘못된 시크릿키 연동 정보 입니다.", "The secret key integration information is invalid."),
  INVALID_CLIENT_KEY: e(400, "잘못된 클라이언트 연동 정보 입니다.", "The client key integration information is invalid."),
  INVALID_IDEMPOTENCY_KEY: e(400, "멱등키는 300자 이하여야 합니다.", "The idempotency key must be 300 characters or fewer."),
  INVALID_TEST_CODE: e(400, "유효하지 않은 테스트 코드입니다.", "The test code is not valid."),
  DUPLICATED_ORDER_ID: e(
    400,
    "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요.",
    "This orderId has already been used for an approval or cancellation. Use a different orderId.",
  ),
  ALREADY_PROCESSED_PAYMENT: e(400, "이미 처리된 결제 입니다.", "The payment has already been processed."),
  ALREADY_CANCELED_PAYMENT: e(400, "이미 취소된 결제 입니다.", "The payment has already been canceled."),
  ALREADY_COMPLETED_PAYMENT: e(400, "이미 완료된 결제 입니다.", "The payment has already been completed."),
  ALREADY_REFUND_PAYMENT: e(400, "이미 환불된 결제입니다.", "The payment has already been refunded."),
  BELOW_MINIMUM_AMOUNT: e(
    400,
    "신용카드는 결제금액이 100원 이상, 계좌는 200원 이상부터 결제가 가능합니다.",
    "Card payments must be at least 100 KRW and account payments at least 200 KRW.",
  ),
  BELOW_ZERO_AMOUNT: e(400, "금액은 0보다 커야 합니다.", "The amount must be greater than zero."),
  REQUIRED_AMOUNT: e(400, "결제 금액은 필수입니다.", "The amount is required."),
  EXCEED_MAX_AMOUNT: e(400, "거래금액 한도를 초과했습니다.", "The transaction amount limit has been exceeded."),
  EXCEED_MAX_PAYMENT_AMOUNT: e(400, "하루 결제 가능 금액을 초과했습니다.", "The daily payment amount limit has been exceeded."),
  EXCEED_MAX_MONTHLY_PAYMENT_AMOUNT: e(
    400,
    "당월 결제 가능금액인 1,000,000원을 초과 하셨습니다.",
    "The monthly payment limit of 1,000,000 KRW has been exceeded.",
  ),
  EXCEED_MAX_DAILY_PAYMENT_COUNT: e(400, "하루 결제 가능 횟수를 초과했습니다.", "The daily payment count limit has been exceeded."),
  EXCEEDS_TRANSFER_AMOUNT_MAXIMUM: e(
    400,
    "계좌이체 1회 최대 금액(10,000,000원)을 초과했습니다.",
    "A single bank transfer cannot exceed 10,000,000 KRW.",
  ),
  EXCEED_MAX_ONE_DAY_WITHDRAW_AMOUNT: e(400, "1일 출금 한도를 초과했습니다.", "The daily withdrawal limit has been exceeded."),
  EXCEED_MAX_ONE_TIME_WITHDRAW_AMOUNT: e(400, "1회 출금 한도를 초과했습니다.", "The single withdrawal limit has been exceeded."),
  INVALID_CARD_COMPANY: e(400, "유효하지 않은 카드사입니다.", "The card company is not valid."),
  INVALID_BANK: e(400, "유효하지 않은 은행입니다.", "The bank is not valid."),
  INVALID_REFUND_ACCOUNT_INFO: e(
    400,
    "환불 계좌번호와 예금주명이 일치하지 않습니다.",
    "The refund account number and holder name do not match.",
  ),
  INVALID_REFUND_ACCOUNT_NUMBER: e(400, "잘못된 환불 계좌번호입니다.", "The refund account number is invalid."),
  INVALID_REFUND_AMOUNT: e(400, "잘못된 환불 금액입니다.", "The refund amount is invalid."),
  NOT_MATCHES_REFUNDABLE_AMOUNT: e(400, "잔액 결과가 일치하지 않습니다.", "The refundable amount does not match the remaining balance."),
  EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT: e(
    400,
    "즉시할인금액보다 적은 금액은 부분취소가 불가능합니다.",
    "A partial cancel below the instant discount amount is not possible.",
  ),
  REFUND_REJECTED: e(400, "환불이 거절됐습니다. 결제사에 문의 부탁드립니다.", "The refund was rejected. Please contact the payment provider."),
  FORBIDDEN_BANK_REFUND_REQUEST: e(400, "고객 계좌가 입금이 되지 않는 상태입니다.", "The customer's account cannot receive deposits."),
  NOT_MATCHES_CUSTOMER_KEY: e(
    400,
    "빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다.",
    "The customerKey does not match the one used for billing authentication.",
  ),
  // INVALID_BILLING_AUTH / INVALID_BILL_KEY_REQUEST: listed by Toss, wording unconfirmed.
  INVALID_BILLING_AUTH: e(400, "유효하지 않은 빌링 인증 정보입니다.", "The billing authentication is not valid."),
  INVALID_BILL_KEY_REQUEST: e(400, "빌링키 요청 정보가 유효하지 않습니다.", "The billing key request is not valid."),
  ALREADY_REMOVED_BILLING_KEY: e(400, "이미 삭제된 빌링키입니다.", "The billing key has already been removed."),
  NOT_SUPPORTED_METHOD: e(400, "지원되지 않는 결제수단입니다.", "The payment method is not supported."),
  NOT_SUPPORTED_CARD_TYPE: e(400, "지원되지 않는 카드 종류입니다.", "The card type is not supported."),
  PAY_PROCESS_CANCELED: e(400, "사용자에 의해 결제가 취소되었습니다.", "The payment was canceled by the user."),
  PAY_PROCESS_ABORTED: e(
    400,
    "결제 진행 중 승인에 실패하여 결제가 중단되었습니다.",
    "The payment was aborted because approval failed while processing.",
  ),
  EXCEED_MAX_VALID_HOURS: e(
    400,
    "가상계좌의 최대 유효시간(2160시간)을 초과했습니다.",
    "validHours exceeds the virtual account maximum (2160 hours).",
  ),
  EXCEED_MAX_DUE_DATE: e(
    400,
    "가상계좌의 최대 유효만료 기간(90일)을 초과했습니다.",
    "dueDate exceeds the virtual account maximum (90 days).",
  ),
  INVALID_VALID_HOURS_WITH_DUE_DATE_AND_SINGLE: e(
    400,
    "validHours와 dueDate는 둘 중 하나만 사용할 수 있습니다.",
    "Use either validHours or dueDate, not both.",
  ),
  INVALID_VIRTUAL_ACCOUNT_TYPE: e(400, "유효하지 않은 가상계좌 타입입니다.", "The virtual account type is not valid."),
  REQUIRED_ACCOUNT_KEY: e(400, "고정 가상계좌는 accountKey가 필요합니다.", "A fixed virtual account requires accountKey."),
  PROVIDER_ERROR: e(400, "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.", "A temporary error occurred. Please try again shortly."),
  EXCEED_MAX_CARD_INSTALLMENT_PLAN: e(
    400,
    "설정 가능한 최대 할부 개월 수를 초과했습니다.",
    "The installment plan exceeds the maximum number of months.",
  ),
  INVALID_CARD_INSTALLMENT_PLAN: e(400, "할부 개월 정보가 잘못되었습니다.", "The installment plan is invalid."),
  NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT: e(
    400,
    "할부가 지원되지 않는 카드 또는 가맹점 입니다.",
    "Installments are not supported for this card or merchant.",
  ),
  NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN: e(400, "할부가 지원되지 않는 카드입니다.", "This card does not support installments."),
  NOT_ALLOWED_POINT_USE: e(
    400,
    "포인트 사용이 불가한 카드로 카드 포인트 결제에 실패했습니다.",
    "The card does not allow point use, so the card point payment failed.",
  ),
  INVALID_REJECT_CARD: e(400, "카드 사용이 거절되었습니다. 카드사 문의가 필요합니다.", "The card was rejected. Please contact the card company."),
  INVALID_CARD_EXPIRATION: e(400, "카드 정보를 다시 확인해주세요. (유효기간)", "Please check the card details (expiry date)."),
  INVALID_STOPPED_CARD: e(400, "정지된 카드 입니다.", "The card has been suspended."),
  INVALID_CARD_LOST_OR_STOLEN: e(400, "분실 혹은 도난 카드입니다.", "The card has been reported lost or stolen."),
  INVALID_CARD_NUMBER: e(400, "카드번호를 다시 확인해주세요.", "Please check the card number."),
  INVALID_CARD_PASSWORD: e(400, "카드 정보를 다시 확인해주세요. (비밀번호)", "Please check the card details (password)."),
  INVALID_CARD_IDENTITY: e(
    400,
    "입력하신 주민번호/사업자번호가 카드 소유주 정보와 일치하지 않습니다.",
    "The identity number does not match the card owner.",
  ),
  INVALID_BIRTH_DAY_FORMAT: e(
    400,
    "생년월일 정보는 6자리의 yyMMdd 형식이어야 합니다. 사업자등록번호는 10자리의 숫자여야 합니다.",
    "A birth date must be 6 digits (yyMMdd); a business number must be 10 digits.",
  ),
  NOT_FOUND_TERMINAL_ID: e(400, "단말기번호(Terminal Id)가 없습니다. 토스페이먼츠로 문의 바랍니다.", "No terminal ID is registered. Please contact Toss Payments."),
  INVALID_AUTHORIZE_AUTH: e(400, "유효하지 않은 인증 방식입니다.", "The authentication method is not valid."),
  RESTRICTED_TRANSFER_ACCOUNT: e(
    400,
    "계좌는 등록 후 12시간 뒤부터 결제할 수 있습니다. 관련 정책은 해당 은행으로 문의해주세요.",
    "An account can be used for payment 12 hours after registration. Please contact the bank.",
  ),
  INVALID_UNREGISTERED_SUBMALL: e(400, "등록되지 않은 서브몰입니다.", "The sub-mall is not registered."),
  NOT_REGISTERED_BUSINESS: e(400, "등록되지 않은 사업자 번호입니다.", "The business registration number is not registered."),
  CARD_PROCESSING_ERROR: e(400, "카드사에서 오류가 발생했습니다.", "The card company reported an error."),
  INVALID_ACCOUNT_INFO_RE_REGISTER: e(
    400,
    "유효하지 않은 계좌입니다. 계좌 재등록 후 시도해주세요.",
    "The account is not valid. Please register the account again.",
  ),
  NOT_AVAILABLE_PAYMENT: e(400, "결제가 불가능한 시간대입니다.", "Payments are not available at this time."),
  UNAPPROVED_ORDER_ID: e(400, "아직 승인되지 않은 주문번호입니다.", "The orderId has not been approved yet."),
  DUPLICATED_CASH_RECEIPT: e(400, "이미 발급된 현금영수증이 존재합니다.", "A cash receipt has already been issued."),
  INVALID_CASH_RECEIPT_INFO: e(400, "현금영수증 발급 정보가 유효하지 않습니다.", "The cash receipt information is not valid."),
  // ---- FakeToss's own codes, NOT Toss's: answers of the /sandbox controls, which have no Toss
  // equivalent (Toss simulates deposits from its developer center, not through an API).
  INVALID_DEPOSIT_AMOUNT: e(400, "입금 금액이 결제 금액과 일치하지 않습니다.", "The deposit amount does not match the payment amount."),
  EXPIRED_VIRTUAL_ACCOUNT: e(400, "입금 기한이 지난 가상계좌입니다.", "The virtual account is past its due date."),
  INVALID_PAYMENT_STATUS: e(
    400,
    "현재 결제 상태에서는 처리할 수 없는 요청입니다.",
    "This request cannot be processed in the payment's current status.",
  ),

  // Failure code kept on Payment.failure of an expired payment; never an HTTP answer by itself.
  EXPIRED_PAYMENT: e(400, "결제가 만료되었습니다. 다시 시도해주세요.", "The payment has expired. Please try again."),

  // ---- 401
  UNAUTHORIZED_KEY: e(401, "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.", "This is an unauthenticated secret key or client key."),

  // ---- 403
  // Status of INCORRECT_BASIC_AUTH_FORMAT is unconfirmed; 403 has the most support (toss-api §1).
  INCORRECT_BASIC_AUTH_FORMAT: e(
    403,
    "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요.",
    "Invalid request. Encode the credentials including the ':' separator.",
  ),
  FORBIDDEN_REQUEST: e(403, "허용되지 않은 요청입니다.", "The request is not allowed."),
  FORBIDDEN_CONSECUTIVE_REQUEST: e(
    403,
    "반복적인 요청은 허용되지 않습니다. 잠시 후 다시 시도해주세요.",
    "Repeated requests are not allowed. Please try again shortly.",
  ),
  REJECT_CARD_COMPANY: e(403, "결제 승인이 거절되었습니다.", "The payment approval was rejected."),
  REJECT_CARD_PAYMENT: e(
    403,
    "한도초과 혹은 잔액부족으로 결제에 실패했습니다.",
    "The payment failed because of an exceeded limit or insufficient balance.",
  ),
  REJECT_ACCOUNT_PAYMENT: e(403, "잔액부족으로 결제에 실패했습니다.", "The payment failed because of an insufficient balance."),
  REJECT_TOSSPAY_INVALID_ACCOUNT: e(
    403,
    "선택하신 출금 계좌가 출금이체 등록이 되어 있지 않아요. 계좌를 다시 등록해 주세요.",
    "The selected withdrawal account is not registered for transfers. Please register it again.",
  ),
  EXCEED_MAX_AUTH_COUNT: e(403, "최대 인증 횟수를 초과했습니다. 카드사로 문의해주세요.", "The maximum number of authentication attempts was exceeded. Please contact the card company."),
  EXCEED_MAX_ONE_DAY_AMOUNT: e(403, "일일 한도를 초과했습니다.", "The daily limit has been exceeded."),
  NOT_AVAILABLE_BANK: e(403, "은행 서비스 시간이 아닙니다.", "The bank service is not available at this time."),
  INVALID_PASSWORD: e(403, "결제 비밀번호가 일치하지 않습니다.", "The payment password does not match."),
  FDS_ERROR: e(
    403,
    "[토스페이먼츠] 위험거래가 감지되어 결제가 제한됩니다. 발송된 문자에 포함된 링크를 통해 본인인증 후 결제가 가능합니다.(고객센터: 1644-8051)",
    "[Toss Payments] A risky transaction was detected and the payment is restricted. Verify your identity through the link in the text message to continue.",
  ),
  NOT_CANCELABLE_AMOUNT: e(403, "취소 할 수 없는 금액 입니다.", "This amount cannot be canceled."),
  NOT_CANCELABLE_PAYMENT: e(403, "취소 할 수 없는 결제 입니다.", "This payment cannot be canceled."),
  NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER: e(403, "휴면 처리된 회원의 결제는 취소할 수 없습니다.", "Payments of dormant users cannot be canceled."),
  NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT: e(
    403,
    "입금 대기중인 결제는 부분 환불이 불가합니다.",
    "A payment waiting for deposit cannot be partially refunded.",
  ),
  NOT_ALLOWED_PARTIAL_REFUND: e(
    403,
    "에스크로 주문, 현금 카드 결제일 때는 부분 환불을 할 수 없습니다.",
    "Partial refunds are not allowed for escrow orders or cash card payments.",
  ),
  EXCEED_MAX_REFUND_DUE: e(403, "환불 가능한 기간이 초과했습니다.", "The refund period has passed."),
  EXCEED_CANCEL_LIMIT: e(403, "취소 가능 한도를 초과했습니다.", "The cancel limit has been exceeded."),

  // ---- 404
  NOT_FOUND_PAYMENT: e(404, "존재하지 않는 결제 정보 입니다.", "The payment does not exist."),
  NOT_FOUND_PAYMENT_SESSION: e(
    404,
    "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.",
    "The payment session has expired and its data no longer exists.",
  ),
  NOT_FOUND_BILLING: e(404, "존재하지 않는 빌링 결제 인증 정보 입니다.", "The billing authentication does not exist."),
  NOT_FOUND: e(404, "존재하지 않는 정보 입니다.", "The requested resource does not exist."),
  NOT_FOUND_MERCHANT: e(404, "존재하지 않는 가맹점 정보 입니다.", "The merchant does not exist."),
  NOT_FOUND_METHOD: e(404, "존재하지 않는 결제수단 입니다.", "The payment method does not exist."),
  // Toss lists it at 404, not 405.
  NOT_FOUND_HTTP_METHOD: e(404, "지원하지 않는 HTTP 메서드입니다.", "The HTTP method is not supported for this path."),

  // ---- 409
  IDEMPOTENT_REQUEST_PROCESSING: e(409, "이전 멱등 요청이 처리중입니다.", "A previous request with this idempotency key is still being processed."),

  // ---- 500
  FAILED_INTERNAL_SYSTEM_PROCESSING: e(
    500,
    "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.",
    "Internal system processing failed. Please try again shortly.",
  ),
  FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING: e(500, "결제가 완료되지 않았어요. 다시 시도해주세요.", "The payment was not completed. Please try again."),
  UNKNOWN_PAYMENT_ERROR: e(
    500,
    "결제에 실패했어요. 같은 문제가 반복된다면 은행이나 카드사로 문의해주세요.",
    "The payment failed. If this keeps happening, please contact your bank or card company.",
  ),
  COMMON_ERROR: e(500, "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.", "A temporary error occurred. Please try again shortly."),
  UNKNOWN_ERROR: e(500, "알 수 없는 에러가 발생했습니다.", "An unknown error occurred."),
  FAILED_DB_PROCESSING: e(500, "잘못된 요청 값으로 처리 중 DB 에러가 발생했습니다.", "A database error occurred while processing the request."),
  FAILED_REFUND_PROCESS: e(
    500,
    "은행 응답시간 지연이나 일시적인 오류로 환불요청에 실패했습니다.",
    "The refund failed because of a bank delay or a temporary error.",
  ),
  FAILED_METHOD_HANDLING_CANCEL: e(
    500,
    "취소 중 결제 시 사용한 결제 수단 처리과정에서 일시적인 에러가 발생했습니다.",
    "A temporary error occurred while the payment method processed the cancel.",
  ),
  FAILED_PARTIAL_REFUND: e(500, "은행 점검, 해약 계좌 등의 사유로 부분 환불이 실패했습니다.", "The partial refund failed (bank maintenance, closed account, ...)."),
  FAILED_CARD_COMPANY_RESPONSE: e(500, "카드사에서 에러가 발생했습니다. 잠시 후 다시 시도해 주세요.", "The card company returned an error. Please try again shortly."),
  FAILED_BILL_KEY_AUTH_CREATION: e(500, "빌링키 인증 생성에 실패했습니다. 잠시 후 다시 시도해주세요.", "Creating the billing key authentication failed. Please try again shortly."),
  FAILED_BILLING_AUTO_CANCEL: e(500, "빌링 결제 자동 취소에 실패했습니다.", "The automatic cancel of the billing payment failed."),
};

/** The catalogue's codes that are FakeToss's own, not Toss's (sandbox controls only). */
export const FAKETOSS_ONLY_CODES: readonly string[] = ["INVALID_DEPOSIT_AMOUNT", "EXPIRED_VIRTUAL_ACCOUNT", "INVALID_PAYMENT_STATUS"];

/**
 * Codes `TossPayments-Test-Code` may force: every Toss code of the catalogue, in its order,
 * except EXPIRED_PAYMENT (only ever a Payment.failure) and INVALID_TEST_CODE (the refusal itself).
 */
export const TEST_CODES: readonly string[] = Object.keys(ERROR_CATALOGUE).filter(
  (code) => !FAKETOSS_ONLY_CODES.includes(code) && code !== "EXPIRED_PAYMENT" && code !== "INVALID_TEST_CODE",
);

export type Lang = "ko" | "en";

export function isKnownErrorCode(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, code);
}

export class TossError extends Error {
  readonly code: string;
  readonly status: number;
  readonly messageKo: string;
  readonly messageEn: string;

  /** An unknown code throws a plain Error: that is a programming bug, not a client error. */
  constructor(code: string, overrideMessageKo?: string, overrideMessageEn?: string) {
    if (!isKnownErrorCode(code)) throw new Error(`unknown Toss error code: ${code}`);
    const entry = ERROR_CATALOGUE[code]!;
    const ko = overrideMessageKo ?? entry.ko;
    super(ko);
    this.name = "TossError";
    this.code = code;
    this.status = entry.status;
    this.messageKo = ko;
    // A Korean override without an English one keeps the catalogue's generic English text.
    this.messageEn = overrideMessageEn ?? entry.en;
  }
}

export function tossErrorBody(err: TossError, lang: Lang): { code: string; message: string } {
  return { code: err.code, message: lang === "en" ? err.messageEn : err.messageKo };
}
