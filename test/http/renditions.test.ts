// A look-up answers the payment's rendition stored at its last write (server.ts, sqlite.ts)
// while it is current. These pin that the stored answer is byte-identical to one rendered from
// the record, and that a passed deadline, other labels, or a row written without a rendition
// are answered from the record instead.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderPayment, renditionTag, type Labels } from "../../src/http/wire.js";
import { newOrderId } from "../helpers/payments.js";
import { createReady, getPayment, newTenant } from "../helpers/sandbox.js";
import { DEFAULT_KEY, raw, startTestServer, type TestServer } from "../helpers/server.js";
import { expectMatchesSpec } from "../helpers/spec.js";

const KEY_IN = {
  amount: 10_000,
  orderName: "렌디션 주문",
  cardNumber: "9410001234567890",
  cardExpirationYear: "30",
  cardExpirationMonth: "12",
  customerIdentityNumber: "900101",
};

const keyIn = (s: TestServer, orderId: string) =>
  raw(`${s.url}/v1/payments/key-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...KEY_IN, orderId }) });

/** The answer rendered from the stored record, as a look-up without a rendition sends it. */
async function fromRecord(server: TestServer, secretKey: string, paymentKey: string, labels: Labels): Promise<string> {
  const tenant = server.ft.tenants.lookupSecretKey(secretKey)!;
  const rec = await server.ft.service.getPayment(tenant, paymentKey);
  return renderPayment(rec.payment, labels);
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("stored renditions", () => {
  it("answer GET by paymentKey and by orderId with the bytes a record rendering gives, after key-in and after a partial cancel", async () => {
    const orderId = newOrderId("rend");
    const res = await keyIn(server, orderId);
    expect(res.status).toBe(200);
    const { paymentKey } = res.json as { paymentKey: string };
    for (const step of ["key-in", "cancel"]) {
      if (step === "cancel") {
        const c = await raw(`${server.url}/v1/payments/${paymentKey}/cancel`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ cancelReason: "부분", cancelAmount: 3_000 }) });
        expect(c.status).toBe(200);
      }
      const expected = await fromRecord(server, DEFAULT_KEY, paymentKey, "seed");
      // Answered from the rendition: the record is not even read.
      const store = server.ft.store;
      const [getPaymentOf, byOrderOf] = [store.getPayment, store.getPaymentByOrderId];
      let recordReads = 0;
      store.getPayment = (...a) => (recordReads++, getPaymentOf.apply(store, a));
      store.getPaymentByOrderId = (...a) => (recordReads++, byOrderOf.apply(store, a));
      const byKey = await raw(`${server.url}/v1/payments/${paymentKey}`);
      const byOrder = await raw(`${server.url}/v1/payments/orders/${orderId}`);
      [store.getPayment, store.getPaymentByOrderId] = [getPaymentOf, byOrderOf];
      expect(recordReads).toBe(0);
      expect(byKey.text).toBe(expected);
      expect(byOrder.text).toBe(expected);
      expect(byKey.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expectMatchesSpec("getPayment", 200, byKey.json);
    }
    expect((JSON.parse(await fromRecord(server, DEFAULT_KEY, paymentKey, "seed")) as { balanceAmount: number }).balanceAmount).toBe(7_000);
  });

  it("are not answered once the tenant's clock is past the payment's deadline: a READY payment reads EXPIRED after its 30 minutes", async () => {
    const t = await newTenant(server);
    const ready = await createReady(t.client);
    expect((await getPayment(t.client, ready.paymentKey)).status).toBe("READY");
    const { response } = await t.client.POST("/sandbox/clock/advance", { body: { minutes: 31 } });
    expect(response.status).toBe(200);
    const after = await getPayment(t.client, ready.paymentKey);
    expect(after.status).toBe("EXPIRED");
    const byOrder = await t.client.GET("/v1/payments/orders/{orderId}", { params: { path: { orderId: ready.orderId } } });
    expect(byOrder.data!.status).toBe("EXPIRED");
  });

  it("follow the labels of the request: a tenant switched to Toss labels reads 카드 at once, and an English request reads CARD", async () => {
    const t = await newTenant(server);
    const ready = await createReady(t.client); // rendered in the seed labels
    const { response } = await t.client.PATCH("/sandbox/settings", { body: { labels: "toss" } });
    expect(response.status).toBe(200);
    const ko = await raw(`${server.url}/v1/payments/${ready.paymentKey}`, { auth: t.secretKey });
    expect(ko.json.method).toBe("카드");
    expect(ko.text).toBe(await fromRecord(server, t.secretKey, ready.paymentKey, "toss"));
    const en = await raw(`${server.url}/v1/payments/${ready.paymentKey}`, { auth: t.secretKey, headers: { "accept-language": "en-US" } });
    expect(en.json.method).toBe("CARD");
    // A write now renders in Toss labels; English still reads the seed's.
    await t.client.POST("/sandbox/payments/{paymentKey}/authenticate", { params: { path: { paymentKey: ready.paymentKey } } });
    const ko2 = await raw(`${server.url}/v1/payments/${ready.paymentKey}`, { auth: t.secretKey });
    expect([ko2.json.method, ko2.json.status]).toEqual(["카드", "IN_PROGRESS"]);
    const en2 = await raw(`${server.url}/v1/payments/${ready.paymentKey}`, { auth: t.secretKey, headers: { "accept-language": "en" } });
    expect([en2.json.method, en2.json.status]).toEqual(["CARD", "IN_PROGRESS"]);
  });
});

/**
 * A payment keyed in on a file store; then `edit` changes its row as other code would have
 * written it, with the server stopped; then `check` runs on a server restarted on the file.
 */
async function editedRow(
  edit: (file: InstanceType<typeof Database>, paymentKey: string) => void,
  check: (s: TestServer, row: { paymentKey: string; orderId: string; keyInText: string }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "faketoss-rendition-"));
  const db = join(dir, "store.db");
  try {
    let s = await startTestServer({ db });
    const orderId = newOrderId("file");
    const res = await keyIn(s, orderId);
    const { paymentKey } = res.json as { paymentKey: string };
    await s.close();
    const file = new Database(db);
    try {
      edit(file, paymentKey);
    } finally {
      file.close();
    }
    s = await startTestServer({ db });
    try {
      await check(s, { paymentKey, orderId, keyInText: res.text });
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("a store written by other code", () => {
  it("answers a payment row without a rendition from its record, byte for byte as before", async () => {
    await editedRow(
      (file, paymentKey) => {
        expect(file.prepare(`UPDATE payments SET rendition = NULL, rendition_tag = NULL WHERE payment_key = ?`).run(paymentKey).changes).toBe(1);
      },
      async (s, { paymentKey, keyInText }) => {
        const res = await raw(`${s.url}/v1/payments/${paymentKey}`);
        expect(res.status).toBe(200);
        expect(res.text).toBe(keyInText);
        expect(res.text).toBe(await fromRecord(s, DEFAULT_KEY, paymentKey, "seed"));
      },
    );
  });

  it("never answers a rendition tagged by another version of FakeToss's code, even for the same labels", async () => {
    await editedRow(
      (file, paymentKey) => {
        const row = file.prepare(`SELECT rendition_tag FROM payments WHERE payment_key = ?`).get(paymentKey) as { rendition_tag: string };
        expect(row.rendition_tag).toBe(renditionTag("seed"));
        // What an older FakeToss would have stored: its own rendering, under its own version.
        file.prepare(`UPDATE payments SET rendition = '{"stale":true}', rendition_tag = 'seed@0000000000000000' WHERE payment_key = ?`).run(paymentKey);
      },
      async (s, { paymentKey, keyInText }) => {
        const res = await raw(`${s.url}/v1/payments/${paymentKey}`);
        expect(res.text).toBe(keyInText);
      },
    );
  });

  it("never answers a rendition that an older FakeToss on the same file left behind when it changed the record", async () => {
    await editedRow(
      (file, paymentKey) => {
        // Version 4's UPDATE: the record and its deadline, nothing about renditions.
        const data = JSON.parse(file.prepare(`SELECT data FROM payments WHERE payment_key = ?`).pluck().get(paymentKey) as string);
        data.payment.orderName = "버전 4가 바꾼 주문";
        file.prepare(`UPDATE payments SET data = ?, deadline_at = NULL WHERE payment_key = ?`).run(JSON.stringify(data), paymentKey);
      },
      async (s, { paymentKey, orderId }) => {
        for (const url of [`${s.url}/v1/payments/${paymentKey}`, `${s.url}/v1/payments/orders/${orderId}`]) {
          const res = await raw(url);
          expect(res.json.orderName).toBe("버전 4가 바꾼 주문");
          expect(res.text).toBe(await fromRecord(s, DEFAULT_KEY, paymentKey, "seed"));
        }
      },
    );
  });
});
