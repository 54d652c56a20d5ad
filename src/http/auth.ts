// HTTP Basic with the secret key as user name: `Authorization: Basic base64(secretKey + ":")`.
import { TossError } from "../domain/errors.js";
import type { Tenant } from "../domain/model.js";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A missing header or an unknown key → 401 UNAUTHORIZED_KEY. A value that is not a Basic
 * credential at all (other scheme, bad base64, no ':') → INCORRECT_BASIC_AUTH_FORMAT, the
 * code Toss uses for a malformed header (403 in its per-endpoint tables).
 */
export function authenticate(header: string | undefined, lookup: (secretKey: string) => Tenant | undefined): Tenant {
  if (header === undefined || header.trim() === "") throw new TossError("UNAUTHORIZED_KEY");
  const match = /^\s*basic\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new TossError("INCORRECT_BASIC_AUTH_FORMAT");
  const encoded = match[1]!;
  if (!BASE64.test(encoded)) throw new TossError("INCORRECT_BASIC_AUTH_FORMAT");
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new TossError("INCORRECT_BASIC_AUTH_FORMAT");
  // A UTF-8 BOM before the key is a classic mistake (Toss's docs warn of it): strip it.
  const secretKey = decoded.slice(0, colon).replace(/^\uFEFF/, "");
  const tenant = secretKey ? lookup(secretKey) : undefined;
  if (!tenant) throw new TossError("UNAUTHORIZED_KEY");
  return tenant;
}
