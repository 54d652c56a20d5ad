// The published contract: Swagger UI at /api-docs (offline, from swagger-ui-dist, our own
// initializer), /openapi.yaml exactly as written, /openapi.json with this server first.
import { readFileSync } from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { raw, startTestServer, type TestServer } from "../helpers/server.js";

const SPEC_TEXT = readFileSync(new URL("../../openapi.yaml", import.meta.url), "utf8");

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Docs need no key: every request here goes without Authorization. */
const get = (path: string) => raw(server.url + path, { auth: null });

/** src/href values of the page's <script>/<link> tags. */
const referencedAssets = (html: string): string[] => [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);

describe("Swagger UI", () => {
  it("serves /api-docs as HTML with swagger-ui and our initializer, without a key", async () => {
    const res = await get("/api-docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.text).toContain("swagger-ui");
    expect(res.text).toContain('id="swagger-ui"');
    expect(referencedAssets(res.text)).toContain("/api-docs/initializer.js");
    for (const alias of ["/api-docs/", "/api-docs/index.html"]) {
      const again = await get(alias);
      expect(again.status, alias).toBe(200);
      expect(again.text, alias).toBe(res.text);
    }
  });

  it("configures Swagger UI with validatorUrl: null and the spec at /openapi.json", async () => {
    const res = await get("/api-docs/initializer.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.text).toMatch(/validatorUrl:\s*null/);
    expect(res.text).toMatch(/url:\s*["']\/openapi\.json["']/);
  });

  it("serves every css, js and favicon the page references with 200 and a fitting type", async () => {
    const page = await get("/api-docs");
    const assets = referencedAssets(page.text);
    expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
    expect(assets.filter((a) => a.endsWith(".js")).length).toBeGreaterThanOrEqual(3);
    expect(assets.some((a) => /favicon/.test(a))).toBe(true);
    for (const asset of assets) {
      const res = await raw(new URL(asset, server.url + "/api-docs").toString(), { auth: null });
      expect(res.status, asset).toBe(200);
      expect(res.text.length, asset).toBeGreaterThan(0);
      const type = res.headers.get("content-type") ?? "";
      if (asset.endsWith(".css")) expect(type, asset).toMatch(/^text\/css/);
      if (asset.endsWith(".js")) expect(type, asset).toMatch(/javascript/);
      if (asset.endsWith(".png")) expect(type, asset).toBe("image/png");
    }
  });

  it("makes no request to an external host: the page and initializer hold only relative URLs", async () => {
    const page = await get("/api-docs");
    const init = await get("/api-docs/initializer.js");
    for (const url of referencedAssets(page.text)) expect(url, url).toMatch(/^\/(?!\/)/);
    for (const text of [page.text, init.text]) {
      expect(text.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>]*/gi) ?? []).toEqual([]);
    }
  });

  it("answers an unknown docs asset with a Toss 404, not a file listing", async () => {
    const res = await get("/api-docs/nope.js");
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code: "NOT_FOUND" });
    const escape = await get("/api-docs/..%2Fpackage.json");
    expect(escape.status).toBe(404);
  });
});

describe("the spec", () => {
  it("serves /openapi.yaml byte for byte as the repository's openapi.yaml, without a key", async () => {
    const res = await get("/openapi.yaml");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/yaml/);
    expect(res.text).toBe(SPEC_TEXT);
  });

  it("serves /openapi.json with the YAML's paths and operations, and this server first in servers", async () => {
    const res = await get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const json = JSON.parse(res.text) as { paths: Record<string, Record<string, { operationId?: string }>>; servers: { url: string }[]; components: unknown; info: unknown };
    const yaml = parseYaml(SPEC_TEXT) as typeof json;
    expect(Object.keys(json.paths).sort()).toEqual(Object.keys(yaml.paths).sort());
    expect(json.paths).toEqual(yaml.paths);
    expect(json.components).toEqual(yaml.components);
    expect(json.info).toEqual(yaml.info);
    expect(json.servers[0]!.url).toBe(server.url);
    // The spec's own servers follow.
    for (const s of yaml.servers) expect(json.servers.map((x) => x.url)).toContain(s.url);
  });

  it("puts the origin the client used first (its Host header), so that Try it out calls the server it came from", async () => {
    const u = new URL(server.url);
    const text = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: u.hostname, port: u.port, path: "/openapi.json", headers: { host: `localhost:${u.port}` } }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () => resolve(body));
        })
        .on("error", reject);
    });
    expect(JSON.parse(text).servers[0].url).toBe(`http://localhost:${u.port}`);
  });

  it("serves the docs even with a wrong key (docs are public)", async () => {
    for (const path of ["/api-docs", "/openapi.yaml", "/openapi.json", "/api-docs/initializer.js"]) {
      const res = await raw(server.url + path, { auth: "test_sk_wrong" });
      expect(res.status, path).toBe(200);
    }
  });

  it("redirects / to /api-docs", async () => {
    const res = await fetch(server.url + "/", { redirect: "manual" });
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    expect(res.headers.get("location")).toBe("/api-docs");
  });
});
