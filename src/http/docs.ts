// The published contract: /openapi.yaml (the file as written), /openapi.json, and Swagger UI at
// /api-docs from swagger-ui-dist, fully offline, with our own initializer.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "application/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
  "favicon-16x16.png": "image/png",
};

const PAGE = `<!doctype html>
<html lang="ko">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>FakeToss API — Swagger UI</title>
  <link rel="stylesheet" href="/api-docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api-docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api-docs/swagger-ui-bundle.js"></script>
  <script src="/api-docs/swagger-ui-standalone-preset.js"></script>
  <script src="/api-docs/initializer.js"></script>
</body>
</html>`;

// validatorUrl: null keeps Swagger UI from calling validator.swagger.io.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: true,
    tryItOutEnabled: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
};
`;

export function registerDocs(app: FastifyInstance, specText: string, spec: Record<string, unknown>): void {
  const require = createRequire(import.meta.url);
  // Resolve the folder without loading the package: its index evaluates the 1.5 MB bundle.
  const dist = dirname(require.resolve("swagger-ui-dist/package.json"));
  const assets = new Map(Object.entries(ASSETS).map(([name, type]) => [name, { type, body: readFileSync(join(dist, name)) }]));

  app.get("/openapi.yaml", (_req, reply) => reply.type("application/yaml; charset=utf-8").send(specText));

  // "Try it out" should call the server that serves the page, so it goes first in `servers`.
  app.get("/openapi.json", (req, reply) => {
    const origin = `${req.protocol}://${req.headers.host ?? "localhost:4000"}`;
    const servers = (spec.servers as { url: string }[] | undefined) ?? [];
    const doc = { ...spec, servers: [{ url: origin, description: "This FakeToss server" }, ...servers.filter((s) => s.url !== origin)] };
    return reply.type("application/json; charset=utf-8").send(JSON.stringify(doc));
  });

  const page = (_req: unknown, reply: import("fastify").FastifyReply) => reply.type("text/html; charset=utf-8").send(PAGE);
  app.get("/api-docs", page);
  app.get("/api-docs/index.html", page);
  app.get("/api-docs/initializer.js", (_req, reply) => reply.type("application/javascript; charset=utf-8").send(INITIALIZER));
  app.get<{ Params: { file: string } }>("/api-docs/:file", (req, reply) => {
    const asset = assets.get(req.params.file);
    if (!asset) return reply.callNotFound();
    return reply.type(asset.type).header("cache-control", "public, max-age=3600").send(asset.body);
  });
}
