// Where webhooks may go. Every URL must be http(s). The server's policy `any` (default) allows any
// host, localhost included (the point of a sandbox); `public` (FAKETOSS_WEBHOOK_DESTINATIONS=public,
// for shared deployments) forbids loopback, private, link-local, unspecified and other
// non-public addresses: literally at registration, and after DNS resolution at delivery time
// (every address the name resolves to; the connection then goes to a checked address only, so a
// second, different resolution cannot slip through).
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP, isIPv4 } from "node:net";
import { TossError } from "../domain/errors.js";

export type DestinationPolicy = "any" | "public";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address (dns.lookup semantics: /etc/hosts, then DNS). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

// [CIDR, what it is]. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) match the IPv4 rules
// (BlockList does that); NAT64 addresses are checked by the IPv4 address they embed.
const RULES: ReadonlyArray<[string, number, "ipv4" | "ipv6", string]> = [
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["100.64.0.0", 10, "ipv4", "shared (CGNAT)"],
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["169.254.0.0", 16, "ipv4", "link-local"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.0.0.0", 24, "ipv4", "reserved"],
  ["192.0.2.0", 24, "ipv4", "documentation"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["198.18.0.0", 15, "ipv4", "benchmarking"],
  ["198.51.100.0", 24, "ipv4", "documentation"],
  ["203.0.113.0", 24, "ipv4", "documentation"],
  ["224.0.0.0", 4, "ipv4", "multicast"],
  ["240.0.0.0", 4, "ipv4", "reserved"],
  ["::", 128, "ipv6", "unspecified"],
  ["::1", 128, "ipv6", "loopback"],
  ["::", 96, "ipv6", "reserved"], // IPv4-compatible (deprecated)
  ["100::", 64, "ipv6", "discard"],
  ["2001:db8::", 32, "ipv6", "documentation"],
  ["fc00::", 7, "ipv6", "private (unique local)"],
  ["fe80::", 10, "ipv6", "link-local"],
  ["fec0::", 10, "ipv6", "site-local"],
  ["ff00::", 8, "ipv6", "multicast"],
];

const LISTS: ReadonlyArray<[BlockList, string]> = RULES.map(([net, prefix, type, what]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return [list, what];
});

const NAT64 = new BlockList();
NAT64.addSubnet("64:ff9b::", 96, "ipv6");

/** Why `address` (an IP literal) is not a public destination, or null when it is one. */
export function forbiddenReason(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return "not an IP address";
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const [list, what] of LISTS) if (list.check(address, type)) return what;
  if (family === 6 && NAT64.check(address, "ipv6")) {
    const v4 = embeddedIPv4(address);
    if (v4 !== undefined) return forbiddenReason(v4);
  }
  return null;
}

/** The IPv4 address in the last 32 bits of an IPv6 address (NAT64). */
function embeddedIPv4(address: string): string | undefined {
  const tail = address.slice(address.lastIndexOf(":") + 1);
  if (isIPv4(tail)) return tail;
  const m = /([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!m) return undefined;
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The URL's host as an address or name: brackets of an IPv6 literal and a trailing dot removed, lower case. */
export function hostOf(url: URL): string {
  let host = url.hostname.toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  while (host.endsWith(".")) host = host.slice(0, -1);
  return host;
}

/** `localhost` and `*.localhost` always mean this machine (RFC 6761). */
const isLocalhostName = (host: string): boolean => host === "localhost" || host.endsWith(".localhost");

/** Why a host is forbidden without resolving it (a literal or `localhost`), or null. */
export function literalForbiddenReason(host: string): string | null {
  if (isLocalhostName(host)) return "loopback";
  if (isIP(host) !== 0) return forbiddenReason(host);
  return null;
}

const MAX_URL_LENGTH = 2000;

/**
 * Checks a URL a tenant registers: an absolute http(s) URL with a host, at most 2000 characters,
 * and under the `public` policy not a literal non-public address. Else 400 INVALID_URL.
 */
export function checkWebhookUrl(input: unknown, policy: DestinationPolicy): URL {
  if (typeof input !== "string" || input.length === 0 || input.length > MAX_URL_LENGTH || /\s/.test(input))
    throw new TossError("INVALID_URL");
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new TossError("INVALID_URL");
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || hostOf(url) === "")
    throw new TossError("INVALID_URL", "웹훅 URL은 http 또는 https URL이어야 합니다.", "A webhook URL must be an http or https URL.");
  if (policy === "public") {
    const reason = literalForbiddenReason(hostOf(url));
    if (reason !== null)
      throw new TossError(
        "INVALID_URL",
        `이 서버는 공개 주소로만 웹훅을 보냅니다 (${hostOf(url)}: ${reason}).`,
        `This server sends webhooks to public addresses only (${hostOf(url)} is ${reason}).`,
      );
  }
  return url;
}
