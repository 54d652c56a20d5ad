// Identifiers, all from crypto randomness (keys are guessable otherwise, and tenants share a
// process). Shapes resemble Toss's and the seed's (`pay_123`, `pay_va_123`, `pay_bill_123`).
import { randomFillSync } from "node:crypto";

export const DEFAULT_MID = "tfaketoss";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789ABCDEF";

// Random bytes are drawn 4 KB at a time: one randomFillSync per id was ~5% of a write's CPU.
const pool = Buffer.alloc(4096);
let used = pool.length;
function randomByte(): number {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]!;
}

/** n characters from the alphabet, unbiased (rejection sampling). */
function randomString(n: number, alphabet: string): string {
  const size = alphabet.length;
  const limit = 256 - (256 % size); // bytes >= limit would bias the modulo
  let out = "";
  while (out.length < n) {
    const b = randomByte();
    if (b < limit) out += alphabet[b % size];
  }
  return out;
}

export const randomAlnum = (n: number): string => randomString(n, ALNUM);
export const randomDigits = (n: number): string => randomString(n, "0123456789");

export type PaymentKeyKind = "normal" | "virtualAccount" | "billing";

export function newPaymentKey(kind: PaymentKeyKind = "normal"): string {
  const prefix = kind === "virtualAccount" ? "pay_va_" : kind === "billing" ? "pay_bill_" : "pay_";
  return prefix + randomAlnum(20);
}

/** 32 uppercase hex, like Toss's `B7103F204998813B889C77C043D09502`. */
export const newTransactionKey = (): string => randomString(32, HEX);

/** `ps_` + 27 alnum, like Toss's Payment.secret. */
export const newSecret = (): string => "ps_" + randomAlnum(27);

export const newBillingKey = (): string => "bill_" + randomAlnum(40);

export const newAuthKey = (): string => "auth_" + randomAlnum(30);

/** Toss test virtual accounts: `X` + 13 digits. */
export const newVirtualAccountNumber = (): string => "X" + randomDigits(13);

export const newApproveNo = (): string => randomDigits(8);
