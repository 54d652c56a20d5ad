// FakeToss's own controls (/sandbox/...), with no Toss equivalent: the tenant's virtual clock,
// reset, fresh key pairs and settings. Payment-level controls (authenticate, fail, expire,
// deposit) live on PaymentService, next to the state machine they drive.
import { formatKst, type TenantClock } from "./clock.js";
import { TossError } from "./errors.js";
import { installSeedFixtures } from "./fixtures.js";
import { randomAlnum } from "./ids.js";
import type { Tenant, TenantSettings } from "./model.js";
import type { Sweeper } from "./sweeper.js";
import type { KeyPair, TenantRegistry } from "./tenants.js";
import type { Store } from "../store/store.js";

/**
 * 9998-12-31T23:59:59+09:00: a year short of the last instant a KST timestamp can show, so that
 * every deadline set from the clock (a virtual account's dueDate, up to 90 days on) can be shown.
 */
const LATEST_VIRTUAL_TIME = Date.UTC(9998, 11, 31, 14, 59, 59);

export interface SandboxClockView {
  /** The tenant's now, KST. */
  now: string;
  /** How far the tenant's clock runs ahead of the server's. */
  offsetSeconds: number;
}

export interface SettingsPatch {
  labels?: TenantSettings["labels"];
  autoApproveUnknownPaymentKeys?: boolean;
}

export interface SandboxDeps {
  store: Store;
  tenants: TenantRegistry;
  clock: TenantClock;
  sweeper: Sweeper;
  /** The tenant whose reset brings the seed fixtures back (the default key). */
  seedSecretKey: string;
}

export class SandboxService {
  constructor(private readonly deps: SandboxDeps) {}

  async getClock(tenant: Tenant): Promise<SandboxClockView> {
    const { clock } = this.deps;
    return { now: formatKst(clock.now(tenant.id)), offsetSeconds: Math.floor(clock.offsetOf(tenant.id) / 1000) };
  }

  /**
   * Moves the tenant's clock forward by `ms` (≥ 0), persists the offset, and sweeps the tenant
   * before answering, so that every deadline the move passed has taken effect (and its events
   * fired) by the time the caller looks.
   */
  async advanceClock(tenant: Tenant, ms: number): Promise<SandboxClockView> {
    if (!Number.isSafeInteger(ms) || ms < 0)
      throw new TossError("INVALID_REQUEST", "시계는 앞으로만 움직일 수 있습니다.", "The clock only moves forward.");
    const { clock, tenants, sweeper } = this.deps;
    // Timestamps are yyyy-MM-ddTHH:mm:ss+09:00: past year 9999 they stop being that (and past
    // JS Date's range, every timestamp becomes "0NaN-NaN-NaNTNaN:NaN:NaN+09:00").
    if (clock.now(tenant.id) + ms > LATEST_VIRTUAL_TIME)
      throw new TossError("INVALID_REQUEST", "시계를 9998년 이후로 옮길 수 없습니다.", "The clock cannot move past the year 9998.");
    clock.advance(tenant.id, ms);
    await tenants.setClockOffset(tenant, clock.offsetOf(tenant.id));
    await sweeper.sweepTenant(tenant);
    return this.getClock(tenant);
  }

  /**
   * Deletes the tenant's payments, billing keys, auth keys and idempotency records and puts its
   * clock back to real time; settings stay. The default tenant gets the seed fixtures back.
   */
  async resetTenant(tenant: Tenant): Promise<{ reset: true; fixtures: boolean }> {
    const { store, clock, tenants, seedSecretKey } = this.deps;
    await store.resetTenant(tenant.id);
    clock.setOffset(tenant.id, 0);
    await tenants.setClockOffset(tenant, 0);
    const fixtures = tenant.secretKey === seedSecretKey;
    if (fixtures) await installSeedFixtures(store, tenant, clock);
    return { reset: true, fixtures };
  }

  /** A fresh tenant: `test_sk_faketoss_<20 alnum>` / `test_ck_faketoss_<same>`, usable at once. */
  async createKeyPair(): Promise<KeyPair> {
    const { tenants, clock } = this.deps;
    for (;;) {
      const suffix = randomAlnum(20);
      const pair: KeyPair = { secretKey: `test_sk_faketoss_${suffix}`, clientKey: `test_ck_faketoss_${suffix}` };
      if (tenants.lookupSecretKey(pair.secretKey) !== undefined) continue; // 20 random characters collided
      const tenant = await tenants.ensure(pair);
      clock.setOffset(tenant.id, tenant.clockOffsetMs);
      return pair;
    }
  }

  /** Changes the given settings only. Every holder of the tenant sees them at once. */
  async updateSettings(tenant: Tenant, patch: SettingsPatch): Promise<Tenant> {
    const next: TenantSettings = { ...tenant.settings };
    if (patch.labels !== undefined) {
      if (patch.labels !== null && patch.labels !== "seed" && patch.labels !== "toss")
        throw new TossError("INVALID_REQUEST", "labels는 seed, toss 또는 null이어야 합니다.", "labels must be seed, toss or null.");
      next.labels = patch.labels;
    }
    if (patch.autoApproveUnknownPaymentKeys !== undefined) {
      if (typeof patch.autoApproveUnknownPaymentKeys !== "boolean")
        throw new TossError("INVALID_REQUEST", "autoApproveUnknownPaymentKeys는 true 또는 false여야 합니다.", "autoApproveUnknownPaymentKeys must be a boolean.");
      next.autoApproveUnknownPaymentKeys = patch.autoApproveUnknownPaymentKeys;
    }
    return this.deps.tenants.updateSettings(tenant, next);
  }
}
