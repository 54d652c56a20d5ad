// Composition root: store, clocks, tenants, domain, sweeper, webhooks and HTTP layer, started
// and stopped together.
import type { FastifyInstance } from "fastify";
import { DEFAULT_CLIENT_KEY, DEFAULT_SECRET_KEY, type Config } from "./config.js";
import { systemClock, TenantClock, type Clock } from "./domain/clock.js";
import { installSeedFixtures } from "./domain/fixtures.js";
import type { Tenant } from "./domain/model.js";
import { PaymentService, type PaymentEvents } from "./domain/payments.js";
import { SandboxService, type SandboxClockView, type SandboxDeps } from "./domain/sandbox.js";
import { Sweeper, type SweeperOptions } from "./domain/sweeper.js";
import { TenantRegistry } from "./domain/tenants.js";
import { buildApp } from "./http/app.js";
import { renderPayment, renditionTag, tenantLabels, type Labels } from "./http/wire.js";
import { openSqliteStore } from "./store/sqlite.js";
import type { Store } from "./store/store.js";
import { createWebhooks, type WebhookDispatcherOptions, type Webhooks } from "./webhooks/index.js";

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
  /** Endpoints, delivery log and the dispatcher (sending once listening: startFakeToss). */
  webhooks: Webhooks;
  /** The base URL once listening. */
  url: string;
  close(): Promise<void>;
}

export interface FakeTossOptions {
  /** Hears every payment transition, besides the webhooks. */
  events?: PaymentEvents;
  sweeper?: SweeperOptions;
  /** Timeout, concurrency, polling period and resolver of the webhook dispatcher. */
  webhooks?: WebhookDispatcherOptions;
}

/** Every listener hears every event; one that throws does not stop the others. */
function fanOut(listeners: PaymentEvents[]): PaymentEvents {
  if (listeners.length === 1) return listeners[0]!;
  const each = (fn: (l: PaymentEvents) => unknown): void => {
    for (const l of listeners) {
      try {
        const ret = fn(l);
        if (ret instanceof Promise) ret.catch((err: unknown) => console.error("[faketoss] a payment event listener failed:", err));
      } catch (err) {
        console.error("[faketoss] a payment event listener failed:", err);
      }
    }
  };
  return {
    paymentChanged: (tenant, before, after) => each((l) => l.paymentChanged(tenant, before, after)),
    billingDeleted: (tenant, billing) => each((l) => l.billingDeleted?.(tenant, billing)),
  };
}

/** The sandbox, plus: a due webhook retry is sent as soon as the tenant's clock has moved past it. */
class WebhookAwareSandbox extends SandboxService {
  constructor(
    deps: SandboxDeps,
    private readonly webhooks: Webhooks,
  ) {
    super(deps);
  }

  override async advanceClock(tenant: Tenant, ms: number): Promise<SandboxClockView> {
    const view = await super.advanceClock(tenant, ms);
    this.webhooks.dispatcher.kick();
    return view;
  }
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
  // Each payment write keeps the API's answer beside the record, in the labels its tenant reads,
  // tagged with them and with this code's version: look-ups of a big store then answer without
  // parsing and re-serialising the payment. Other labels (an English request, a changed setting)
  // or other code (an upgrade) render from the record instead.
  const labelsOf = (tenant: Tenant | undefined): Labels => tenantLabels(tenant, config.labels);
  let registry: TenantRegistry | undefined;
  const store = openSqliteStore(config.db, {
    renderPayment: (tenantId, rec) => {
      const labels = labelsOf(registry?.lookupId(tenantId));
      return { tag: renditionTag(labels), text: renderPayment(rec.payment, labels) };
    },
  });
  try {
    const tenants = (registry = new TenantRegistry(store));
    const tenantClock = new TenantClock(clock);
    const [defaultTenant] = await tenants.init([{ secretKey: DEFAULT_SECRET_KEY, clientKey: DEFAULT_CLIENT_KEY }, ...config.keys]);
    tenantClock.load(tenants.list());
    // The seed document's examples work verbatim on a fresh store (never re-applied over real data).
    await installSeedFixtures(store, defaultTenant!, tenantClock);
    const webhooks = createWebhooks({
      store,
      clock: tenantClock,
      policy: config.webhookDestinations,
      // Webhook `data` is the Payment as the tenant's API answers it (no Accept-Language here).
      labelsOf,
      options: options.webhooks,
    });
    const events = fanOut(options.events ? [webhooks.service.events, options.events] : [webhooks.service.events]);
    const service = new PaymentService(store, tenantClock, events, (id) => tenants.lookupId(id));
    const sweeper = new Sweeper(service, store, tenantClock, () => tenants.list(), options.sweeper);
    const sandbox = new WebhookAwareSandbox({ store, tenants, clock: tenantClock, sweeper, seedSecretKey: DEFAULT_SECRET_KEY }, webhooks);
    const app = await buildApp({ config, store, clock: tenantClock, service, sandbox, tenants, webhooks: webhooks.service });
    return {
      app,
      store,
      tenants,
      service,
      sandbox,
      sweeper,
      clock: tenantClock,
      webhooks,
      async close() {
        await sweeper.stop();
        // Aborts sends in flight (they stay due in the store and go out after a restart).
        await webhooks.dispatcher.stop();
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
  ft.webhooks.dispatcher.start();
  const address = ft.app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return { ...ft, url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}` };
}
