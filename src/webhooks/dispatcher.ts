// Sends the delivery queue. Deliveries live in the store (status PENDING with a nextAttemptAt on
// the tenant's virtual clock), so the queue survives restarts; this class only decides when to
// send and records each attempt.
//
// Loop: `kick()` runs one pump at a time (a kick during a pump makes it run again). A pump asks
// the store which tenants have a scheduled delivery (and the earliest), and for each tenant whose
// earliest is due on ITS clock fetches due deliveries (indexed) and starts as many as there are
// free slots. Kicks come from an enqueue, a finished attempt, a periodic timer (unref'ed, so it
// never keeps the process alive) and a tenant's clock moving (server wiring).
//
// Concurrency: at most `concurrency` requests in flight across the server (scheduled attempts
// and manual resends share the slots); one attempt per delivery at a time (a resend waits for a
// scheduled attempt of the same delivery, and vice versa).
//
// Shutdown: `stop()` aborts in-flight requests and waits for them; an aborted attempt is not
// recorded, so the delivery stays due and is sent again after a restart (at least once).
import type { Clock } from "../domain/clock.js";
import { formatKst } from "../domain/clock.js";
import type { Store } from "../store/store.js";
import { systemResolver, type DestinationPolicy, type Resolver } from "./destinations.js";
import { applyAttempt, type AttemptKind, type WebhookDeliveryRecord } from "./model.js";
import { sendWebhook } from "./sender.js";

export interface WebhookDispatcherOptions {
  /** A 2xx must arrive within this. Default 10 000 ms (Toss). */
  timeoutMs?: number;
  /** Requests in flight across the server. Default 8. */
  concurrency?: number;
  /** Real-time polling period for due retries. Default 250 ms. */
  intervalMs?: number;
  /** Host name → addresses, for the `public` policy's check. Default dns.lookup (all addresses). */
  resolve?: Resolver;
  userAgent?: string;
}

export const DEFAULT_USER_AGENT = "FakeToss-Webhook/1.0 (+Toss Payments sandbox)";

class Slots {
  private used = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(readonly size: number) {}
  get free(): number {
    return this.size - this.used;
  }
  tryAcquire(): boolean {
    if (this.used >= this.size || this.waiters.length > 0) return false;
    this.used++;
    return true;
  }
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next(); // the slot passes straight to a waiter
    else this.used--;
  }
}

export class WebhookDispatcher {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  private readonly resolve: Resolver;
  private readonly userAgent: string;
  private readonly slots: Slots;
  private readonly inFlight = new Map<string, Promise<WebhookDeliveryRecord | undefined>>();
  private readonly shutdown = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;
  private pumping: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly policy: DestinationPolicy,
    options: WebhookDispatcherOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.intervalMs = options.intervalMs ?? 250;
    this.resolve = options.resolve ?? systemResolver;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.slots = new Slots(Math.max(1, options.concurrency ?? 8));
  }

  get started(): boolean {
    return this.running;
  }

  /** Starts sending (deliveries pending from before a restart included). */
  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops the timer, aborts requests in flight (not recorded: they stay due) and waits for them. */
  async stop(): Promise<void> {
    this.running = false;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.shutdown.abort();
    await this.pumping;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Looks for due deliveries now (cheap; safe to call often). No-op unless started. */
  kick(): void {
    if (!this.running) return;
    if (this.pumping !== undefined) {
      this.again = true;
      return;
    }
    this.pumping = (async () => {
      try {
        do {
          this.again = false;
          await this.pump();
        } while (this.again && this.running);
      } catch (err) {
        console.error("[faketoss] webhook dispatch failed:", err);
      } finally {
        this.pumping = undefined;
      }
    })();
  }

  private async pump(): Promise<void> {
    if (this.slots.free <= 0) return;
    const schedules = await this.store.listWebhookSchedules();
    schedules.sort((a, b) => a.nextAttemptAt - this.clock.now(a.tenantId) - (b.nextAttemptAt - this.clock.now(b.tenantId)));
    for (const { tenantId, nextAttemptAt } of schedules) {
      if (!this.running || this.slots.free <= 0) return;
      const now = this.clock.now(tenantId);
      if (nextAttemptAt > now) continue;
      // In-flight deliveries are still due in the store: ask for enough to skip them.
      const due = await this.store.listDueWebhookDeliveries(tenantId, now, this.slots.free + this.inFlight.size);
      for (const d of due) {
        if (!this.running) return;
        if (this.inFlight.has(d.id)) continue;
        if (!this.slots.tryAcquire()) return;
        this.track(d.id, this.scheduled(tenantId, d.id));
      }
    }
  }

  private track(id: string, job: Promise<WebhookDeliveryRecord | undefined>): void {
    this.inFlight.set(id, job);
    void job
      .catch((err: unknown) => console.error(`[faketoss] webhook delivery ${id} failed:`, err))
      .finally(() => {
        if (this.inFlight.get(id) === job) this.inFlight.delete(id);
        this.kick();
      });
  }

  /** A scheduled attempt (slot held): re-read, so that a resend that just finished is seen. */
  private async scheduled(tenantId: string, id: string): Promise<WebhookDeliveryRecord | undefined> {
    try {
      const d = await this.store.getWebhookDelivery(tenantId, id);
      if (d === undefined || d.status !== "PENDING" || d.nextAttemptAt === null || d.nextAttemptAt > this.clock.now(tenantId)) return d;
      return await this.attempt(tenantId, d, "scheduled");
    } finally {
      this.slots.release();
    }
  }

  /**
   * One fresh attempt now, whatever the delivery's state, resolved after it (undefined: no such
   * delivery). Waits for an attempt of the same delivery in flight, and for a free slot. Works
   * before `start()` too; after `stop()` it answers the delivery unchanged.
   */
  resend(tenantId: string, id: string): Promise<WebhookDeliveryRecord | undefined> {
    const previous = this.inFlight.get(id);
    const job = (async () => {
      if (previous !== undefined) await previous.catch(() => undefined);
      if (this.closed) return this.store.getWebhookDelivery(tenantId, id);
      await this.slots.acquire();
      try {
        const d = await this.store.getWebhookDelivery(tenantId, id);
        if (d === undefined) return undefined;
        return await this.attempt(tenantId, d, "resend");
      } finally {
        this.slots.release();
      }
    })();
    this.track(id, job);
    return job;
  }

  private async attempt(tenantId: string, d: WebhookDeliveryRecord, kind: AttemptKind): Promise<WebhookDeliveryRecord | undefined> {
    const attemptedAt = this.clock.now(tenantId);
    const retriedCount = kind === "scheduled" ? d.retries : (d.attempts.at(-1)?.retriedCount ?? 0);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": this.userAgent,
      "tosspayments-webhook-transmission-time": formatKst(attemptedAt),
      "tosspayments-webhook-transmission-retried-count": String(retriedCount),
      "tosspayments-webhook-transmission-id": d.id,
    };
    const result = await sendWebhook(d.url, d.payload, headers, {
      policy: this.policy,
      resolve: this.resolve,
      timeoutMs: this.timeoutMs,
      signal: this.shutdown.signal,
    });
    if (result.aborted) return this.store.getWebhookDelivery(tenantId, d.id);
    const attempt = { attemptedAt, retriedCount, statusCode: result.statusCode, error: result.error, durationMs: result.durationMs };
    return this.store.updateWebhookDelivery(tenantId, d.id, (cur) => applyAttempt(cur, attempt, result, kind));
  }
}
