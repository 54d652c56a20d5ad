// Tenants: each secret key is one, with its own payments, billing keys, idempotency records and
// settings. Lookups by key happen on every request, so they are served from memory.
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
    if (existing) {
      this.remember(existing);
      return existing;
    }
    const tenant: Tenant = {
      id: tenantIdOf(pair.secretKey),
      secretKey: pair.secretKey,
      clientKey: pair.clientKey,
      mId: DEFAULT_MID,
      settings: { ...DEFAULT_SETTINGS },
    };
    await this.store.upsertTenant(tenant);
    this.remember(tenant);
    return tenant;
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

  async updateSettings(tenant: Tenant, settings: TenantSettings): Promise<Tenant> {
    const updated = (await this.store.updateTenantSettings(tenant.id, settings)) ?? { ...tenant, settings };
    this.remember(updated);
    return updated;
  }

  private remember(t: Tenant): void {
    this.bySecretKey.set(t.secretKey, t);
    this.byClientKey.set(t.clientKey, t);
    this.byId.set(t.id, t);
  }
}
