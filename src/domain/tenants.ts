// Tenants: each secret key is one, with its own payments, billing keys, idempotency records and
// settings. Lookups by key happen on every request, so they are served from memory.
//
// One object per tenant: the registry never replaces a cached Tenant, it updates it in place.
// Whoever holds it (a request, the sweeper, a test) sees new settings and clock offsets at once.
import { createHash } from "node:crypto";
import type { Store } from "../store/store.js";
import { DEFAULT_MID } from "./ids.js";
import type { Tenant, TenantSettings } from "./model.js";

export interface KeyPair {
  secretKey: string;
  clientKey: string;
}

export const DEFAULT_SETTINGS: TenantSettings = { labels: null, autoApproveUnknownPaymentKeys: false };

/** Stable across restarts, so a file store finds its tenant's rows again. */
export const tenantIdOf = (secretKey: string): string =>
  "tn_" + createHash("sha256").update(secretKey).digest("hex").slice(0, 16);

export class TenantRegistry {
  private readonly bySecretKey = new Map<string, Tenant>();
  private readonly byClientKey = new Map<string, Tenant>();
  private readonly byId = new Map<string, Tenant>();

  constructor(private readonly store: Store) {}

  /** Makes sure every configured key pair is a tenant, then loads all tenants into memory. */
  async init(pairs: KeyPair[]): Promise<Tenant[]> {
    const ensured: Tenant[] = [];
    for (const pair of pairs) ensured.push(await this.ensure(pair));
    for (const t of await this.store.listTenants()) this.remember(t);
    return ensured;
  }

  async ensure(pair: KeyPair): Promise<Tenant> {
    const existing = await this.store.getTenantBySecretKey(pair.secretKey);
    if (existing) return this.remember(existing);
    const tenant: Tenant = {
      id: tenantIdOf(pair.secretKey),
      secretKey: pair.secretKey,
      clientKey: pair.clientKey,
      mId: DEFAULT_MID,
      settings: { ...DEFAULT_SETTINGS },
      clockOffsetMs: 0,
    };
    await this.store.upsertTenant(tenant);
    return this.remember(tenant);
  }

  /** Every known tenant (the cached objects). */
  list(): Tenant[] {
    return [...this.byId.values()];
  }

  lookupSecretKey(secretKey: string): Tenant | undefined {
    return this.bySecretKey.get(secretKey);
  }

  lookupId(id: string): Tenant | undefined {
    return this.byId.get(id);
  }

  lookupClientKey(clientKey: string): Tenant | undefined {
    return this.byClientKey.get(clientKey);
  }

  /** Stores the settings and updates the cached tenant (and `tenant`, if another copy) in place. */
  async updateSettings(tenant: Tenant, settings: TenantSettings): Promise<Tenant> {
    const stored = await this.store.updateTenantSettings(tenant.id, { ...settings });
    return this.apply(tenant, { settings: { ...(stored?.settings ?? settings) } });
  }

  /** Stores the tenant's clock offset and updates the cached tenant in place. */
  async setClockOffset(tenant: Tenant, clockOffsetMs: number): Promise<Tenant> {
    await this.store.updateTenant(tenant.id, (t) => ({ ...t, clockOffsetMs }));
    return this.apply(tenant, { clockOffsetMs });
  }

  private apply(tenant: Tenant, patch: Partial<Pick<Tenant, "settings" | "clockOffsetMs">>): Tenant {
    const cached = this.byId.get(tenant.id);
    if (cached !== undefined && cached !== tenant) Object.assign(cached, patch);
    Object.assign(tenant, patch);
    return cached ?? this.remember(tenant);
  }

  /** Caches `t`, or refreshes the tenant already cached under its id (keeping that object). */
  private remember(t: Tenant): Tenant {
    const cached = this.byId.get(t.id);
    if (cached !== undefined && cached !== t) {
      if (cached.clientKey !== t.clientKey) this.byClientKey.delete(cached.clientKey);
      Object.assign(cached, t);
      t = cached;
    }
    this.bySecretKey.set(t.secretKey, t);
    this.byClientKey.set(t.clientKey, t);
    this.byId.set(t.id, t);
    return t;
  }
}
