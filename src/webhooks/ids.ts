// Webhook identifiers, from crypto randomness like every other key.
import { randomBytes } from "node:crypto";

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** n characters of [a-z0-9], unbiased (rejection sampling). */
export function randomLowerAlnum(n: number): string {
  const size = LOWER_ALNUM.length;
  const limit = 256 - (256 % size);
  let out = "";
  while (out.length < n) {
    const buf = randomBytes((n - out.length) * 2);
    for (let i = 0; i < buf.length && out.length < n; i++) {
      const b = buf[i]!;
      if (b < limit) out += LOWER_ALNUM[b % size];
    }
  }
  return out;
}

/** `wh_1a2b3c4d5e6f7g8h` */
export const newWebhookId = (): string => "wh_" + randomLowerAlnum(16);

/** `whtrans_` + 26 lowercase alnum: the delivery id, sent as `tosspayments-webhook-transmission-id`. */
export const newDeliveryId = (): string => "whtrans_" + randomLowerAlnum(26);
