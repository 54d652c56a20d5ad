// `npm start`: reads the environment and flags, starts FakeToss, prints where to find it.
import { ConfigError, DEFAULT_SECRET_KEY, readConfig } from "./config.js";
import { startFakeToss } from "./server.js";

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(err.message.startsWith("Usage") ? 0 : 2);
    }
    throw err;
  }

  const ft = await startFakeToss(config);
  const auth = Buffer.from(`${DEFAULT_SECRET_KEY}:`).toString("base64");
  console.log(`FakeToss is listening on ${ft.url}
  API        ${ft.url}/v1/...
  Docs       ${ft.url}/api-docs   (spec: ${ft.url}/openapi.yaml)
  Store      ${config.db === ":memory:" ? "in memory (gone on exit)" : config.db}
  Labels     ${config.labels === "toss" ? "real Toss (카드, 가상계좌, ...)" : "seed (CARD, VIRTUAL_ACCOUNT, ...)"}
  Secret key ${DEFAULT_SECRET_KEY}${config.keys.length ? ` (+${config.keys.length} from FAKETOSS_KEYS)` : ""}

  Try it:
    curl -H "Authorization: Basic ${auth}" ${ft.url}/v1/payments/pay_123
`);

  const stop = (signal: string) => {
    console.log(`${signal}: closing FakeToss`);
    ft.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === "EADDRINUSE") console.error(`FakeToss could not start: the port is in use (${e.message}). Set PORT or --port.`);
  else console.error("FakeToss could not start:", err);
  process.exit(1);
});
