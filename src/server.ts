// Composition root: store, clock, tenants, domain and HTTP layer, started and stopped together.
import type { FastifyInstance } from "fastify";
import { DEFAULT_CLIENT_KEY, DEFAULT_SECRET_KEY, type Config } from "./config.js";
import { systemClock, type Clock } from "./domain/clock.js";
import { installSeedFixtures } from "./domain/fixtures.js";
import { PaymentService } from "./domain/payments.js";
import { TenantRegistry } from "./domain/tenants.js";
import { buildApp } from "./http/app.js";
import { openSqliteStore } from "./store/sqlite.js";
import type { Store } from "./store/store.js";

export interface FakeToss {
  app: FastifyInstance;
  store: Store;
  tenants: TenantRegistry;
  service: PaymentService;
  clock: Clock;
  /** The base URL once listening. */
  url: string;
  close(): Promise<void>;
}

export async function createFakeToss(config: Config, clock: Clock = systemClock): Promise<Omit<FakeToss, "url">> {
  const store = await openSqliteStore(config.db);
  const tenants = new TenantRegistry(store);
  const [defaultTenant] = await tenants.init([{ secretKey: DEFAULT_SECRET_KEY, clientKey: DEFAULT_CLIENT_KEY }, ...config.keys]);
  // The seed document's examples work verbatim on a fresh store (never re-applied over real data).
  await installSeedFixtures(store, defaultTenant!, clock);
  const service = new PaymentService(store, clock);
  const app = await buildApp({ config, store, clock, service, tenants });
  return {
    app,
    store,
    tenants,
    service,
    clock,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export async function startFakeToss(config: Config, clock: Clock = systemClock): Promise<FakeToss> {
  const ft = await createFakeToss(config, clock);
  await ft.app.listen({ port: config.port, host: config.host });
  const address = ft.app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return { ...ft, url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}` };
}
