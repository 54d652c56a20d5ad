// Bank and card-company codes (toss-api §6.1, §6.2). Requests may name a bank by its
// two-character code, its Korean name (full or short) or Toss's English enum; responses carry
// `bankCode` and, as the seed shows, the Korean short name (`신한`).

export interface Bank {
  code: string;
  /** Korean full name, e.g. 신한은행. */
  name: string;
  /** Korean short name, e.g. 신한 (the seed's `virtualAccount.bank`). */
  shortName: string;
  /** Toss's English enum, e.g. SHINHAN. Securities enums are unconfirmed. */
  enumName: string;
  /** Securities firms only receive refunds; they cannot issue virtual accounts. */
  securities: boolean;
  aliases: readonly string[];
}

const bank = (code: string, name: string, shortName: string, enumName: string, aliases: string[] = []): Bank => ({
  code,
  name,
  shortName,
  enumName,
  securities: false,
  aliases,
});
const sec = (code: string, name: string, enumName: string): Bank => ({
  code,
  name,
  shortName: name.replace(/증권$/, ""),
  enumName,
  securities: true,
  aliases: [],
});

export const BANKS: readonly Bank[] = [
  bank("39", "경남은행", "경남", "KYONGNAMBANK", ["BNK경남은행"]),
  bank("34", "광주은행", "광주", "GWANGJUBANK"),
  bank("12", "단위농협(지역농축협)", "단위농협", "LOCALNONGHYEOP", ["지역농축협", "지역농협", "단위농협"]),
  bank("32", "부산은행", "부산", "BUSANBANK", ["BNK부산은행"]),
  bank("45", "새마을금고", "새마을", "SAEMAUL", ["새마을금고"]),
  bank("64", "산림조합", "산림", "SANLIM", ["산림조합중앙회"]),
  bank("88", "신한은행", "신한", "SHINHAN"),
  bank("48", "신협", "신협", "SHINHYEOP", ["신협중앙회"]),
  bank("27", "씨티은행", "씨티", "CITI", ["한국씨티은행"]),
  bank("20", "우리은행", "우리", "WOORI"),
  bank("71", "우체국예금보험", "우체국", "POST", ["우체국"]),
  bank("50", "저축은행중앙회", "저축", "SAVINGBANK", ["저축은행"]),
  bank("37", "전북은행", "전북", "JEONBUKBANK"),
  bank("35", "제주은행", "제주", "JEJUBANK"),
  bank("90", "카카오뱅크", "카카오뱅크", "KAKAOBANK", ["카카오"]),
  bank("89", "케이뱅크", "케이뱅크", "KBANK", ["K뱅크"]),
  bank("92", "토스뱅크", "토스뱅크", "TOSSBANK", ["토스"]),
  bank("81", "하나은행", "하나", "HANA", ["KEB하나은행"]),
  bank("54", "홍콩상하이은행", "홍콩상하이", "HSBC", ["HSBC은행"]),
  bank("03", "IBK기업은행", "기업", "IBK", ["기업은행", "IBK"]),
  bank("06", "KB국민은행", "국민", "KOOKMIN", ["국민은행", "KB"]),
  bank("31", "DGB대구은행(iM뱅크)", "대구", "DAEGUBANK", ["대구은행", "DGB대구은행", "iM뱅크", "아이엠뱅크"]),
  bank("02", "KDB산업은행", "산업", "KDBBANK", ["산업은행"]),
  bank("11", "NH농협은행", "농협", "NONGHYEOP", ["농협은행", "NH농협"]),
  bank("23", "SC제일은행", "SC제일", "SC", ["제일은행", "제일"]),
  bank("07", "Sh수협은행", "수협", "SUHYEOP", ["수협은행"]),
  sec("S8", "교보증권", "KYOBO_SECURITIES"),
  sec("SE", "대신증권", "DAISHIN_SECURITIES"),
  sec("SK", "메리츠증권", "MERITZ_SECURITIES"),
  sec("S5", "미래에셋증권", "MIRAE_ASSET_SECURITIES"),
  sec("SM", "부국증권", "BOOKOOK_SECURITIES"),
  sec("S3", "삼성증권", "SAMSUNG_SECURITIES"),
  sec("SN", "신영증권", "SHINYOUNG_SECURITIES"),
  sec("S2", "신한금융투자", "SHINHAN_INVESTMENT"),
  sec("S0", "유안타증권", "YUANTA_SECURITIES"),
  sec("SJ", "유진투자증권", "EUGENE_INVESTMENT_AND_SECURITIES"),
  sec("SQ", "카카오페이증권", "KAKAOPAY_SECURITIES"),
  sec("SB", "키움증권", "KIWOOM"),
  sec("ST", "토스증권", "TOSS_SECURITIES"),
  sec("SR", "펀드온라인코리아", "FUND_ONLINE_KOREA"),
  sec("SH", "하나금융투자", "HANA_INVESTMENT_AND_SECURITIES"),
  sec("S9", "하이투자증권", "HI_INVESTMENT_AND_SECURITIES"),
  sec("S6", "한국투자증권", "KOREA_INVESTMENT_AND_SECURITIES"),
  sec("SG", "한화투자증권", "HANWHA_INVESTMENT_AND_SECURITIES"),
  sec("SA", "현대차증권", "HYUNDAI_MOTOR_SECURITIES"),
  sec("SI", "DB금융투자", "DB_INVESTMENT_AND_SECURITIES"),
  sec("S4", "KB증권", "KB_SECURITIES"),
  sec("SP", "KTB투자증권", "KTB_INVESTMENT_AND_SECURITIES"),
  sec("SO", "LIG투자증권", "LIG_INVESTMENT_AND_SECURITIES"),
  sec("SL", "NH투자증권", "NH_INVESTMENT_AND_SECURITIES"),
  sec("SD", "SK증권", "SK_SECURITIES"),
];

const normalize = (s: string): string => s.replace(/\s+/g, "").toUpperCase();

const BY_CODE = new Map<string, Bank>();
const BY_NAME = new Map<string, Bank>();
for (const b of BANKS) {
  BY_CODE.set(b.code, b);
  for (const n of [b.code, b.name, b.shortName, b.enumName, ...b.aliases]) {
    const key = normalize(n);
    // First entry wins, so a bank's own names are never shadowed by a later alias.
    if (!BY_NAME.has(key)) BY_NAME.set(key, b);
  }
}

export function bankByCode(code: string): Bank | undefined {
  return BY_CODE.get(code);
}

/**
 * Resolves a code (`88`), a Korean name (`신한`, `신한은행`, `KB국민은행`) or an English
 * enum (`SHINHAN`). Securities firms only when `allowSecurities` (refund accounts).
 */
export function resolveBank(input: string, opts: { allowSecurities?: boolean } = {}): Bank | undefined {
  const b = BY_NAME.get(normalize(input));
  if (!b) return undefined;
  if (b.securities && !opts.allowSecurities) return undefined;
  return b;
}

export interface CardCompany {
  code: string;
  name: string;
  enumName: string;
}

export const CARD_COMPANIES: readonly CardCompany[] = [
  { code: "3K", name: "기업비씨", enumName: "IBK_BC" },
  { code: "46", name: "광주은행", enumName: "GWANGJUBANK" },
  { code: "71", name: "롯데카드", enumName: "LOTTE" },
  { code: "30", name: "KDB산업은행", enumName: "KDBBANK" },
  { code: "31", name: "BC카드", enumName: "BC" },
  { code: "51", name: "삼성카드", enumName: "SAMSUNG" },
  { code: "38", name: "새마을금고", enumName: "SAEMAUL" },
  { code: "41", name: "신한카드", enumName: "SHINHAN" },
  { code: "62", name: "신협", enumName: "SHINHYEOP" },
  { code: "36", name: "씨티카드", enumName: "CITI" },
  { code: "33", name: "우리BC카드", enumName: "WOORI" },
  { code: "W1", name: "우리카드", enumName: "WOORI" },
  { code: "37", name: "우체국", enumName: "POST" },
  { code: "39", name: "저축은행", enumName: "SAVINGBANK" },
  { code: "35", name: "전북은행", enumName: "JEONBUKBANK" },
  { code: "42", name: "제주은행", enumName: "JEJUBANK" },
  { code: "15", name: "카카오뱅크", enumName: "KAKAOBANK" },
  { code: "3A", name: "케이뱅크", enumName: "KBANK" },
  { code: "24", name: "토스뱅크", enumName: "TOSSBANK" },
  { code: "21", name: "하나카드", enumName: "HANA" },
  { code: "61", name: "현대카드", enumName: "HYUNDAI" },
  { code: "11", name: "KB국민카드", enumName: "KOOKMIN" },
  { code: "91", name: "NH농협카드", enumName: "NONGHYEOP" },
  { code: "34", name: "Sh수협", enumName: "SUHYEOP" },
  { code: "6D", name: "다이너스", enumName: "DINERS" },
  { code: "4M", name: "마스터", enumName: "MASTER" },
  { code: "3C", name: "유니온페이", enumName: "UNIONPAY" },
  { code: "7A", name: "아멕스", enumName: "AMEX" },
  { code: "4J", name: "JCB", enumName: "JCB" },
  { code: "4V", name: "VISA", enumName: "VISA" },
];

const CARD_BY_CODE = new Map(CARD_COMPANIES.map((c) => [c.code, c]));

export function cardCompanyByCode(code: string): CardCompany | undefined {
  return CARD_BY_CODE.get(code);
}

// ---------------------------------------------------------------- card BINs
// Which card company a card number belongs to, for key-in payments and card billing keys.
// Toss publishes no BIN table and test mode takes real card numbers, so this is FakeToss's
// own small table, NOT a real BIN assignment, except 9410: Toss's test mode registered
// `9410001234567890` as 하나카드 (issuerCode 21), 신용, 개인 (toss-api §4.3, §9).
// The longest matching prefix wins. Otherwise the first digits name an international brand;
// anything else falls back to FALLBACK_CARD_BIN (신한카드, as FakeToss's default card).
//
//   9410 하나 (21) 신용   9411 하나 (21) 체크    9420 신한 (41) 신용   9421 신한 (41) 체크
//   9430 KB국민 (11) 신용 9431 KB국민 (11) 체크  9440 삼성 (51) 신용   9450 현대 (61) 신용
//   9460 롯데 (71) 신용   9470 BC (31) 신용      9480 NH농협 (91) 체크 9490 우리 (W1) 신용
//   4… VISA (4V)  51–55… 마스터 (4M)  34/37… 아멕스 (7A)  35… JCB (4J)  36/38… 다이너스 (6D)
//   62… 유니온페이 (3C); international brands are acquired by 하나카드 (21), as in a Toss example.

export interface CardBin {
  prefix: string;
  issuerCode: string;
  acquirerCode: string;
  cardType: "CREDIT" | "CHECK";
}

const bin = (prefix: string, issuerCode: string, cardType: CardBin["cardType"] = "CREDIT", acquirerCode = issuerCode): CardBin => ({
  prefix,
  issuerCode,
  acquirerCode,
  cardType,
});

export const CARD_BINS: readonly CardBin[] = [
  bin("9410", "21"),
  bin("9411", "21", "CHECK"),
  bin("9420", "41"),
  bin("9421", "41", "CHECK"),
  bin("9430", "11"),
  bin("9431", "11", "CHECK"),
  bin("9440", "51"),
  bin("9450", "61"),
  bin("9460", "71"),
  bin("9470", "31"),
  bin("9480", "91", "CHECK"),
  bin("9490", "W1"),
  bin("4", "4V", "CREDIT", "21"),
  bin("51", "4M", "CREDIT", "21"),
  bin("52", "4M", "CREDIT", "21"),
  bin("53", "4M", "CREDIT", "21"),
  bin("54", "4M", "CREDIT", "21"),
  bin("55", "4M", "CREDIT", "21"),
  bin("34", "7A", "CREDIT", "21"),
  bin("37", "7A", "CREDIT", "21"),
  bin("35", "4J", "CREDIT", "21"),
  bin("36", "6D", "CREDIT", "21"),
  bin("38", "6D", "CREDIT", "21"),
  bin("62", "3C", "CREDIT", "21"),
];

export const FALLBACK_CARD_BIN: CardBin = bin("", "41");

/** The BIN entry of a card number (digits only): longest prefix, else the fallback. */
export function cardBinOf(digits: string): CardBin {
  let best: CardBin | undefined;
  for (const b of CARD_BINS) {
    if (digits.startsWith(b.prefix) && (best === undefined || b.prefix.length > best.prefix.length)) best = b;
  }
  return best ?? FALLBACK_CARD_BIN;
}
