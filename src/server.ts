// Composition root: store, clocks, tenants, domain, sweeper and HTTP layer, started and stopped
// together.
import type { FastifyInstance } from "fastify";
import { DEFAULT_CLIENT_KEY, DEFAULT_SECRET_KEY, type Config } from "./config.js";
import { systemClock, TenantClock, type Clock } from "./domain/clock.js";
import { installSeedFixtures } from "./domain/fixtures.js";
import { PaymentService, type PaymentEvents } from "./domain/payments.js";
import { SandboxService } from "./domain/sandbox.js";
import { Sweeper, type SweeperOptions } from "./domain/sweeper.js";
import { TenantRegistry } from "./domain/tenants.js";
import { buildApp } from "./http/app.js";
import { openSqliteStore } from "./store/sqlite.js";
import type { Store } from "./store/store.js";

export interface FakeToss {
  app: FastifyInstance;
  store: Store;
  tenants: TenantRegistry;
  service: PaymentService;
  sandbox: SandboxService;
  /** Applies passed deadlines in the background once listening (startFakeToss). */
  sweeper: Sweeper;
  /** Per-tenant virtual clocks over the base clock given to createFakeToss. */
  clock: TenantClock;
  /** The base URL once listening. */
  url: string;
  close(): Promise<void>;
}

export interface FakeTossOptions {
  /** Hears every payment transition (webhooks). */
  events?: PaymentEvents;
  sweeper?: SweeperOptions;
}

/**
 * `clock` is the base time (default: the system clock; tests pass a ManualClock). Every tenant
 * sees it plus its own sandbox offset.
 */
export async function createFakeToss(
  config: Config,
  clock: Clock = systemClock,
  options: FakeTossOptions = {},
): Promise<Omit<FakeToss, "url">> {
  const store = openSqliteStore(config.db);
  try {
    const tenants = new TenantRegistry(store);
    const tenantClock = new TenantClock(clock);
    const [defaultTenant] = await tenants.init([{ secretKey: DEFAULT_SECRET_KEY, clientKey: DEFAULT_CLIENT_KEY }, ...config.keys]);
    tenantClock.load(tenants.list());
    // The seed document's examples work verbatim on a fresh store (never re-applied over real data).
    await installSeedFixtures(store, defaultTenant!, tenantClock);
    const service = new PaymentService(store, tenantClock, options.events, (id) => tenants.lookupId(id));
    const sweeper = new Sweeper(service, store, tenantClock, () => tenants.list(), options.sweeper);
    const sandbox = new SandboxService({ store, tenants, clock: tenantClock, sweeper, seedSecretKey: DEFAULT_SECRET_KEY });
    const app = await buildApp({ config, store, clock: tenantClock, service, sandbox, tenants });
    return {
      app,
      store,
      tenants,
      service,
      sandbox,
      sweeper,
      clock: tenantClock,
      async close() {
        await sweeper.stop();
        await app.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

export async function startFakeToss(config: Config, clock: Clock = systemClock, options: FakeTossOptions = {}): Promise<FakeToss> {
  const ft = await createFakeToss(config, clock, options);
  try {
    await ft.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await ft.close();
    throw err;
  }
  ft.sweeper.start();
  const address = ft.app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return { ...ft, url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}` };
}
