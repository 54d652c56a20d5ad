// Deadlines take effect whether or not anyone reads the payment: the sweeper finds payments
// whose deadline (nextDeadline, kept in an indexed column) has passed on their tenant's clock and
// applies it through PaymentService.applyDueDeadline, the same path as a lazy read, so the same
// events fire. It runs every `intervalMs` (timer unref'ed: it never keeps the process alive) and
// on demand (`sweepTenant`, e.g. right after the tenant's clock moved).
//
// Cost: one indexed range probe per tenant per tick (payments without a pending deadline are not
// even in the index); work is proportional to the payments actually due.
import type { Clock } from "./clock.js";
import { nextDeadline } from "./deadlines.js";
import type { Tenant } from "./model.js";
import type { PaymentService } from "./payments.js";
import type { Store } from "../store/store.js";

export interface SweeperOptions {
  /** Default 1000 ms. */
  intervalMs?: number;
  /** Due payments fetched per query. Default 200. */
  batchSize?: number;
}

export class Sweeper {
  readonly intervalMs: number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;

  constructor(
    private readonly service: PaymentService,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly tenants: () => Iterable<Tenant>,
    options: SweeperOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 200;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.tick !== undefined) return; // the previous sweep is still going
      this.tick = this.sweepAll()
        .then(
          () => undefined,
          (err: unknown) => console.error("[faketoss] sweep failed:", err),
        )
        .finally(() => {
          this.tick = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.tick;
  }

  /** Sweeps every tenant. Resolves how many due payments were settled. */
  async sweepAll(): Promise<number> {
    let changed = 0;
    for (const tenant of [...this.tenants()]) changed += await this.sweepTenant(tenant);
    return changed;
  }

  /** Applies every deadline of this tenant that has passed on its clock. Resolves how many were settled. */
  async sweepTenant(tenant: Tenant): Promise<number> {
    let changed = 0;
    for (;;) {
      const now = this.clock.now(tenant.id);
      const keys = await this.store.listDuePayments(tenant.id, now, this.batchSize);
      let settled = 0;
      for (const key of keys) {
        try {
          const out = await this.service.applyDueDeadline(tenant, key);
          const deadline = out === undefined ? null : nextDeadline(out);
          if (deadline === null || deadline >= now) {
            settled++;
            if (out !== undefined) changed++;
          }
        } catch (err) {
          console.error(`[faketoss] sweep of payment ${key} failed:`, err);
        }
      }
      // A short batch was the last one; a batch where nothing settled would only repeat itself.
      if (keys.length < this.batchSize || settled === 0) return changed;
    }
  }
}
