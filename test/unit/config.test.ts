// Start-up configuration: the documented defaults, each env var, and the flags that mirror them
// (a flag wins over the environment).
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../src/config.js";

describe("readConfig", () => {
  it("defaults to port 4000 on 127.0.0.1, the store in .faketoss/faketoss.db, seed labels, info logs, 64 KiB bodies, any webhook destination", () => {
    expect(readConfig([], {})).toEqual({
      port: 4000,
      host: "127.0.0.1",
      db: ".faketoss/faketoss.db",
      labels: "seed",
      keys: [],
      log: "info",
      bodyLimit: 65536,
      webhookDestinations: "any",
    });
  });

  it("reads PORT, HOST, FAKETOSS_DB, FAKETOSS_LABELS, FAKETOSS_KEYS, FAKETOSS_LOG and FAKETOSS_BODY_LIMIT from the environment", () => {
    const c = readConfig([], {
      PORT: "4001",
      HOST: "0.0.0.0",
      FAKETOSS_DB: ":memory:",
      FAKETOSS_LABELS: "toss",
      FAKETOSS_KEYS: "test_sk_a:test_ck_a, test_sk_b",
      FAKETOSS_LOG: "silent",
      FAKETOSS_BODY_LIMIT: "2048",
    });
    expect(c).toMatchObject({ port: 4001, host: "0.0.0.0", db: ":memory:", labels: "toss", log: "silent", bodyLimit: 2048 });
    // A pair without a client key gets the secret key's _ck_ twin.
    expect(c.keys).toEqual([
      { secretKey: "test_sk_a", clientKey: "test_ck_a" },
      { secretKey: "test_sk_b", clientKey: "test_ck_b" },
    ]);
  });

  it("lets --port, --host, --db and --keys (spaced or with =) override the environment", () => {
    const c = readConfig(["--port", "4002", "--host=::1", "--db", "/tmp/x.db", "--keys=test_sk_c:test_ck_c"], { PORT: "4001", HOST: "0.0.0.0" });
    expect(c).toMatchObject({ port: 4002, host: "::1", db: "/tmp/x.db", keys: [{ secretKey: "test_sk_c", clientKey: "test_ck_c" }] });
  });

  it("refuses a bad port, an unknown flag, a flag without a value and a bad label setting with a clear message", () => {
    expect(() => readConfig([], { PORT: "70000" })).toThrow(/PORT must be 0-65535/);
    expect(() => readConfig(["--prot", "1"], {})).toThrow(ConfigError);
    expect(() => readConfig(["--port"], {})).toThrow(/--port needs a value/);
    expect(() => readConfig([], { FAKETOSS_LABELS: "english" })).toThrow(/FAKETOSS_LABELS/);
    expect(() => readConfig(["--help"], {})).toThrow(/^Usage: npm start/);
  });
});
