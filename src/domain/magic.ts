// Magic card numbers: typed into key-in, card billing registration or the billing-auth window,
// they are declined with a given Toss code, so a shop can test its failure paths. Any other
// 14–19 digit number is approved. One list, also rendered into openapi.yaml's descriptions.

export interface MagicCard {
  number: string;
  code: string;
  /**
   * "always": key-in and billing registration are declined.
   * "charge": billing registration works (the card is 미확인/UNKNOWN), every charge is declined,
   * as Toss's test mode does with 4330121234567890 and 5520221234567890.
   */
  when: "always" | "charge";
  what: string;
}

export const MAGIC_CARDS: readonly MagicCard[] = [
  { number: "4000000000000002", code: "REJECT_CARD_COMPANY", when: "always", what: "카드사 승인 거절" },
  { number: "4000000000009995", code: "REJECT_CARD_PAYMENT", when: "always", what: "한도초과 혹은 잔액부족" },
  { number: "4000000000000069", code: "INVALID_CARD_EXPIRATION", when: "always", what: "유효기간 오류" },
  { number: "4000000000000119", code: "EXCEED_MAX_DAILY_PAYMENT_COUNT", when: "always", what: "하루 결제 가능 횟수 초과" },
  { number: "4000000000000036", code: "INVALID_STOPPED_CARD", when: "always", what: "정지된 카드" },
  { number: "4000000000000044", code: "INVALID_CARD_LOST_OR_STOLEN", when: "always", what: "분실·도난 카드" },
  { number: "4330121234567890", code: "NOT_SUPPORTED_CARD_TYPE", when: "charge", what: "등록은 되지만 결제는 거절 (미확인 카드)" },
  { number: "5520221234567890", code: "NOT_SUPPORTED_CARD_TYPE", when: "charge", what: "등록은 되지만 결제는 거절 (미확인 카드)" },
];

const BY_NUMBER = new Map(MAGIC_CARDS.map((c) => [c.number, c]));

/** The magic card a typed-in number is, if any (spaces and dashes ignored). */
export function magicCard(cardNumber: unknown): MagicCard | undefined {
  if (typeof cardNumber !== "string") return undefined;
  return BY_NUMBER.get(cardNumber.replace(/[\s-]/g, ""));
}

/** The markdown table of magic cards for the spec. */
export function renderMagicCardTable(indent: string): string {
  const rows = MAGIC_CARDS.map((c) => `${indent}| \`${c.number}\` | \`${c.code}\` | ${c.when === "always" ? "declined" : "registers; every charge declined"} | ${c.what} |`);
  return [`${indent}| card number | code | effect | 설명 |`, `${indent}|---|---|---|---|`, ...rows].join("\n");
}
