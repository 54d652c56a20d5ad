// Every operation of openapi.yaml has a handler, and a spec that gains one without it is refused
// at start-up (fastify-openapi-glue would otherwise answer it with a 500 on every call).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { readConfig } from "../../src/config.js";
import { operationsWithoutHandler, SPEC_PATH } from "../../src/http/app.js";
import { createHandlers } from "../../src/http/handlers.js";
import { startTestServer } from "../helpers/server.js";

const spec = () => parseYaml(readFileSync(SPEC_PATH, "utf8")) as { paths: Record<string, Record<string, { operationId?: string }>> };

describe("handlers against the spec", () => {
  it("cover every operation of openapi.yaml's paths", async () => {
    const server = await startTestServer();
    try {
      const { ft } = server;
      const handlers = createHandlers({
        config: readConfig([], {}),
        store: ft.store,
        clock: ft.clock,
        service: ft.service,
        sandbox: ft.sandbox,
        tenants: ft.tenants,
        webhooks: ft.webhooks.service,
      });
      expect(operationsWithoutHandler(spec(), handlers)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("names an operation the spec gained without a handler, so that start-up refuses it", () => {
    const s = spec();
    s.paths["/v1/payments/{paymentKey}"]!.get!.operationId = "getPaymentRenamed";
    s.paths["/v1/brand-new"] = { post: { operationId: "brandNewThing" } };
    expect(operationsWithoutHandler(s, { getPayment() {} })).toEqual(expect.arrayContaining(["brandNewThing", "getPaymentRenamed"]));
    expect(operationsWithoutHandler(s, { getPayment() {} })).not.toContain("getPayment");
  });
});
