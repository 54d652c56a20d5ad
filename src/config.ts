// Server configuration: environment variables, mirrored by CLI flags (a flag wins).

export interface KeyPair {
  secretKey: string;
  clientKey: string;
}

export interface Config {
  port: number;
  host: string;
  /** SQLite file path, or ":memory:" for a throw-away store. */
  db: string;
  /** Server-wide label default: the seed's (CARD...) or real Toss's Korean labels (카드...). */
  labels: "seed" | "toss";
  /** Extra tenants besides the default key pair. */
  keys: KeyPair[];
  /** "info" prints one line per request; "silent" prints only the banner and errors. */
  log: "info" | "silent";
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /**
   * Where webhooks may go: "any" (default: any http(s) URL, localhost included) or "public"
   * (loopback, private, link-local and other non-public addresses refused, for shared deployments).
   */
  webhookDestinations: "any" | "public";
}

export const DEFAULT_SECRET_KEY = "test_sk_yjroot_faketoss_default";
export const DEFAULT_CLIENT_KEY = "test_ck_yjroot_faketoss_default";

const FLAGS: Record<string, string> = {
  "--port": "PORT",
  "--host": "HOST",
  "--db": "FAKETOSS_DB",
  "--labels": "FAKETOSS_LABELS",
  "--keys": "FAKETOSS_KEYS",
  "--log": "FAKETOSS_LOG",
  "--body-limit": "FAKETOSS_BODY_LIMIT",
  "--webhook-destinations": "FAKETOSS_WEBHOOK_DESTINATIONS",
};

export class ConfigError extends Error {}

/** `--port 4001` or `--port=4001` become `PORT=4001`, layered over the environment. */
export function readConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const vars: Record<string, string | undefined> = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") throw new ConfigError(usage());
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const name = FLAGS[flag];
    if (!name) throw new ConfigError(`unknown option ${flag}\n\n${usage()}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    vars[name] = value;
  }

  const port = Number(vars.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be 0-65535, got ${vars.PORT}`);
  const labels = vars.FAKETOSS_LABELS ?? "seed";
  if (labels !== "seed" && labels !== "toss") throw new ConfigError(`FAKETOSS_LABELS must be "seed" or "toss", got ${labels}`);
  const log = vars.FAKETOSS_LOG ?? "info";
  if (log !== "info" && log !== "silent") throw new ConfigError(`FAKETOSS_LOG must be "info" or "silent", got ${log}`);
  const bodyLimit = Number(vars.FAKETOSS_BODY_LIMIT ?? 64 * 1024);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) throw new ConfigError(`FAKETOSS_BODY_LIMIT must be an integer ≥ 1024`);
  const webhookDestinations = vars.FAKETOSS_WEBHOOK_DESTINATIONS ?? "any";
  if (webhookDestinations !== "any" && webhookDestinations !== "public")
    throw new ConfigError(`FAKETOSS_WEBHOOK_DESTINATIONS must be "any" or "public", got ${webhookDestinations}`);

  return {
    port,
    host: vars.HOST ?? "127.0.0.1",
    db: vars.FAKETOSS_DB ?? ".faketoss/faketoss.db",
    labels,
    keys: parseKeys(vars.FAKETOSS_KEYS ?? ""),
    log,
    bodyLimit,
    webhookDestinations,
  };
}

/** `FAKETOSS_KEYS="test_sk_a:test_ck_a,test_sk_b:test_ck_b"`; the client key is optional. */
export function parseKeys(text: string): KeyPair[] {
  const pairs: KeyPair[] = [];
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [secretKey, clientKey] = item.split(":").map((s) => s.trim());
    if (!secretKey || !/^[\x21-\x7e]+$/.test(secretKey) || secretKey.includes(":")) {
      throw new ConfigError(`FAKETOSS_KEYS: bad secret key in "${item}"`);
    }
    pairs.push({ secretKey, clientKey: clientKey || secretKey.replace(/_sk_/, "_ck_") });
  }
  return pairs;
}

export function usage(): string {
  return `Usage: npm start -- [options]

  --port N          PORT               port to listen on (default 4000; 0 = any free port)
  --host H          HOST               address to bind (default 127.0.0.1)
  --db PATH         FAKETOSS_DB        SQLite file (default .faketoss/faketoss.db; :memory: = throw-away)
  --labels L        FAKETOSS_LABELS    seed (CARD, VIRTUAL_ACCOUNT...) or toss (카드, 가상계좌...)
  --keys LIST       FAKETOSS_KEYS      extra tenants: "test_sk_a:test_ck_a,test_sk_b:test_ck_b"
  --log L           FAKETOSS_LOG       info (a line per request) or silent
  --body-limit N    FAKETOSS_BODY_LIMIT  largest request body in bytes (default 65536)
  --webhook-destinations D  FAKETOSS_WEBHOOK_DESTINATIONS
                    any (default: any http(s) URL, localhost included) or public
                    (refuse loopback, private and link-local destinations)`;
}
