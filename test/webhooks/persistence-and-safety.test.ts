// Pending deliveries survive a restart (file store), the store migrates from schema 2, and the
// `public` destination policy refuses private destinations at registration and at delivery.
// No traffic ever leaves 127.0.0.1: names are resolved by an injected resolver.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeTossClient } from "../../generated/client.js";
import { readConfig } from "../../src/config.js";
import { createFakeToss } from "../../src/server.js";
import { openSqliteStore, SCHEMA_VERSION } from "../../src/store/sqlite.js";
import type { Resolver } from "../../src/webhooks/destinations.js";
import { newOrderId } from "../helpers/payments.js";
import { newTenant } from "../helpers/sandbox.js";
import { DEFAULT_KEY } from "../helpers/server.js";
import { expectMatchesSpec } from "../helpers/spec.js";
import {
  advance,
  listDeliveries,
  registerHook,
  startHookReceiver,
  startWebhookServer,
  waitForDelivery,
  type WebhookDelivery,
} from "./helpers.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "faketoss-webhooks-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "ft.db");
}

async function issue(client: FakeTossClient): Promise<WebhookDelivery> {
  const { error } = await client.POST("/v1/virtual-accounts", { body: { orderId: newOrderId("whp"), orderName: "재시작", amount: 1000, customerName: "홍길동" } });
  expect(error).toBeUndefined();
  return (await listDeliveries(client))[0]!;
}

describe("restart", () => {
  it("a delivery waiting for a retry is still sent after a restart, with the same id and bytes", async () => {
    const db = tempDb();
    const rx = await startHookReceiver();
    cleanups.push(() => rx.close());
    rx.answer(500);

    const first = await startWebhookServer({ db });
    const c1 = first.client();
    await registerHook(c1, rx.url("/restart"));
    const d = await issue(c1);
    const failed = await waitForDelivery(c1, d.id, (x) => x.attempts.length === 1);
    expect(failed.status).toBe("PENDING");
    await first.close();

    rx.answer(200);
    const second = await startWebhookServer({ db });
    cleanups.push(() => second.close());
    const c2 = second.client();
    expect((await waitForDelivery(c2, d.id, () => true)).status).toBe("PENDING"); // not due yet
    await advance(c2, { minutes: 1 });
    const done = await waitForDelivery(c2, d.id, (x) => x.status === "DELIVERED");
    expect(done.attempts.map((a) => [a.retriedCount, a.statusCode])).toEqual([[0, 500], [1, 200]]);
    const hits = rx.hits.filter((h) => h.headers["tosspayments-webhook-transmission-id"] === d.id);
    expect(hits.map((h) => h.headers["tosspayments-webhook-transmission-retried-count"])).toEqual(["0", "1"]);
    expect(hits[0]!.body).toBe(hits[1]!.body);
  });

  it("events queued while not sending (created, not started) go out once a server starts on the store", async () => {
    const db = tempDb();
    const rx = await startHookReceiver();
    cleanups.push(() => rx.close());
    const config = readConfig([], { FAKETOSS_DB: db, PORT: "0", FAKETOSS_LOG: "silent" });
    const idle = await createFakeToss(config);
    const tenant = idle.tenants.lookupSecretKey(DEFAULT_KEY)!;
    await idle.webhooks.service.register(tenant, { url: rx.url("/later") });
    await idle.service.issueVirtualAccount(tenant, { orderId: newOrderId("whq"), orderName: "대기", amount: 1000, customerName: "홍길동" });
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.hits).toHaveLength(0);
    await idle.close();

    const server = await startWebhookServer({ db });
    cleanups.push(() => server.close());
    const hit = await rx.waitFor((h) => h.path === "/later");
    expect(hit.json.data.status).toBe("WAITING_FOR_DEPOSIT");
  });

  it("an attempt cut short by shutdown is not recorded: the delivery is sent again after the restart", async () => {
    const db = tempDb();
    const rx = await startHookReceiver();
    cleanups.push(() => rx.close());
    rx.hang();
    const first = await startWebhookServer({ db });
    await registerHook(first.client(), rx.url("/cut"));
    const d = await issue(first.client());
    await rx.waitFor((h) => h.path === "/cut");
    await first.close();

    const store = openSqliteStore(db);
    const tenantId = (await store.getTenantBySecretKey(DEFAULT_KEY))!.id;
    expect(await store.getWebhookDelivery(tenantId, d.id)).toMatchObject({ status: "PENDING", attempts: [] });
    await store.close();

    rx.answer(200);
    const second = await startWebhookServer({ db });
    cleanups.push(() => second.close());
    const done = await waitForDelivery(second.client(), d.id, (x) => x.status === "DELIVERED");
    expect(done.attempts).toEqual([expect.objectContaining({ retriedCount: 0, statusCode: 200 })]);
  });
});

describe("schema migration 2 → 3 (and on)", () => {
  it("adds the webhook tables and indexes to a schema-2 file and keeps its data", async () => {
    const db = tempDb();
    // A schema-2 file: what this release writes, minus the webhook tables.
    const fresh = openSqliteStore(db);
    await fresh.close();
    const raw = new Database(db);
    raw.exec(`DROP TABLE webhook_deliveries; DROP TABLE webhook_endpoints;`);
    raw.pragma("user_version = 2");
    raw.close();

    const store = openSqliteStore(db);
    expect(await store.listWebhookSchedules()).toEqual([]);
    await store.close();

    const check = new Database(db, { readonly: true });
    expect(check.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    const tables = check.prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all();
    expect(tables).toEqual(expect.arrayContaining(["webhook_endpoints", "webhook_deliveries"]));
    const due = check
      .prepare(`EXPLAIN QUERY PLAN SELECT data FROM webhook_deliveries WHERE tenant_id = ? AND next_attempt_at IS NOT NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?`)
      .all("x", 1, 1) as { detail: string }[];
    expect(due.map((p) => p.detail).join(" ")).toContain("webhook_deliveries_due");
    const list = check
      .prepare(`EXPLAIN QUERY PLAN SELECT data FROM webhook_deliveries WHERE tenant_id = ? ORDER BY seq DESC LIMIT ?`)
      .all("x", 1) as { detail: string }[];
    expect(list.map((p) => p.detail).join(" ")).toContain("webhook_deliveries_tenant");
    check.close();
  });
});

describe("FAKETOSS_WEBHOOK_DESTINATIONS=public", () => {
  const NAMES: Record<string, string[]> = {
    "hook.loopback.test": ["127.0.0.1"],
    "hook.mixed.test": ["203.0.114.10", "10.1.2.3"], // one private address is enough to refuse
    "hook.v6.test": ["::1"],
    "hook.mapped.test": ["::ffff:192.168.0.1"],
  };
  const resolver: Resolver = async (host) => {
    const found = NAMES[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

  async function publicServer() {
    const server = await startWebhookServer({ env: { FAKETOSS_WEBHOOK_DESTINATIONS: "public" }, ft: { webhooks: { resolve: resolver } } });
    cleanups.push(() => server.close());
    const t = await newTenant(server);
    return { client: () => t.client };
  }

  it("refuses loopback, private, link-local and unspecified literals at registration with 400 INVALID_URL", async () => {
    const server = await publicServer();
    const c = server.client();
    const refused = [
      "http://127.0.0.1:8080/hook",
      "http://localhost:3000/hook",
      "http://LOCALHOST./hook",
      "http://api.localhost/hook",
      "http://10.0.0.5/hook",
      "http://192.168.1.10/hook",
      "http://172.16.0.1/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://0.0.0.0:80/",
      "http://[::1]:3000/hook",
      "http://[fe80::1]/hook",
      "http://[fd00::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://2130706433/hook", // 127.0.0.1 as one number
      "http://0x7f.1/hook",
    ];
    for (const url of refused) {
      const { error, response } = await c.POST("/sandbox/webhooks", { body: { url } });
      expect(response.status, url).toBe(400);
      expectMatchesSpec("registerWebhook", 400, error);
      expect(error!.code, url).toBe("INVALID_URL");
    }
    // Names are resolved only when sending; public literals are fine. (Removed at once: this
    // test never sends anything beyond 127.0.0.1.)
    for (const url of ["https://shop.example/hook", "http://203.0.114.10/hook"]) {
      const ep = await registerHook(c, url);
      await c.DELETE("/sandbox/webhooks/{webhookId}", { params: { path: { webhookId: ep.id } } });
    }
  });

  it("refuses at delivery a name that resolves to a forbidden address: REFUSED, logged, never retried, nothing sent", async () => {
    const server = await publicServer();
    const c = server.client();
    const rx = await startHookReceiver();
    cleanups.push(() => rx.close());
    for (const host of Object.keys(NAMES)) await registerHook(c, `http://${host}:${rx.port}/hook`);
    await registerHook(c, `http://hook.unknown.test:${rx.port}/hook`);
    await issue(c);

    const log = await listDeliveries(c);
    expect(log).toHaveLength(5);
    const settled = await Promise.all(log.map((d) => waitForDelivery(c, d.id, (x) => x.attempts.length === 1)));
    const byHost = Object.fromEntries(settled.map((d) => [new URL(d.url).hostname, d]));
    for (const [host, addresses] of Object.entries(NAMES)) {
      const d = byHost[host]!;
      expect(d.status, host).toBe("REFUSED");
      expect(d.nextAttemptAt).toBeNull();
      expect(d.attempts[0]).toMatchObject({ retriedCount: 0, statusCode: null, error: expect.stringMatching(/^destination forbidden: /) });
      expect(d.attempts[0]!.error).toContain(addresses.find((a) => a !== "203.0.114.10")!);
    }
    expect(byHost["hook.loopback.test"]!.attempts[0]!.error).toBe("destination forbidden: hook.loopback.test resolves to 127.0.0.1 (loopback)");
    // A name that does not resolve is an ordinary failure: retried.
    expect(byHost["hook.unknown.test"]).toMatchObject({ status: "PENDING", attempts: [expect.objectContaining({ error: expect.stringMatching(/ENOTFOUND/) })] });

    await advance(c, { days: 4 });
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.hits).toHaveLength(0);
    expect(await listDeliveries(c, { status: "REFUSED" })).toHaveLength(4);

    // A resend is refused again.
    const { data } = await c.POST("/sandbox/webhooks/deliveries/{deliveryId}/resend", { params: { path: { deliveryId: byHost["hook.loopback.test"]!.id } } });
    expect(data).toMatchObject({ status: "REFUSED" });
    expect(data!.attempts).toHaveLength(2);
    expect(rx.hits).toHaveLength(0);
  });
});
