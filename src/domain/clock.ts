// Time. Every domain call asks the clock per tenant, so that one tenant's clock can move
// (sandbox clock, expiry tests) without touching the others.

export interface Clock {
  /** Epoch milliseconds as seen by this tenant. */
  now(tenantId: string): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
};

/** A settable clock for tests. */
export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * The sandbox's virtual clocks: each tenant sees `base.now() + its offset`. Offsets start at the
 * value stored with the tenant (`Tenant.clockOffsetMs`, via `load`) and only grow through
 * `advance`; `setOffset` (reset) is the one way back. Persisting an offset is the caller's job
 * (SandboxService), so this class stays free of I/O.
 */
export class TenantClock implements Clock {
  private readonly offsets = new Map<string, number>();

  constructor(readonly base: Clock = systemClock) {}

  now(tenantId: string): number {
    return this.base.now(tenantId) + this.offsetOf(tenantId);
  }

  offsetOf(tenantId: string): number {
    return this.offsets.get(tenantId) ?? 0;
  }

  /** Takes the stored offsets of these tenants (start-up, or a tenant created later). */
  load(tenants: Iterable<{ id: string; clockOffsetMs: number }>): void {
    for (const t of tenants) this.setOffset(t.id, t.clockOffsetMs);
  }

  /** Moves one tenant's clock forward. Returns the new offset. A negative or non-finite step throws. */
  advance(tenantId: string, ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a clock only moves forward (got ${ms} ms)`);
    const next = this.offsetOf(tenantId) + ms;
    this.offsets.set(tenantId, next);
    return next;
  }

  /** Sets an offset outright (load, reset). */
  setOffset(tenantId: string, offsetMs: number): void {
    if (!Number.isFinite(offsetMs)) throw new RangeError(`bad clock offset ${offsetMs}`);
    if (offsetMs === 0) this.offsets.delete(tenantId);
    else this.offsets.set(tenantId, offsetMs);
  }
}

export const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

const pad2 = (n: number): string => (n < 10 ? "0" + n : String(n));

function pad4(n: number): string {
  if (n >= 1000) return String(n);
  return String(n).padStart(4, "0");
}

/** `2026-04-21T10:14:00+09:00`: Toss's wire format, second precision, always KST. */
export function formatKst(ms: number): string {
  // Shift to KST and read the UTC fields: no Intl, no time-zone database.
  const d = new Date(Math.floor(ms / 1000) * 1000 + KST_OFFSET_MS);
  return (
    pad4(d.getUTCFullYear()) +
    "-" +
    pad2(d.getUTCMonth() + 1) +
    "-" +
    pad2(d.getUTCDate()) +
    "T" +
    pad2(d.getUTCHours()) +
    ":" +
    pad2(d.getUTCMinutes()) +
    ":" +
    pad2(d.getUTCSeconds()) +
    "+09:00"
  );
}

const LOCAL_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses `yyyy-MM-ddTHH:mm:ss` as KST (Toss's dueDate / query-date input). An explicit
 * offset (`+09:00`, `Z`, `+0000`) is honoured; a date alone means 00:00:00.
 * Returns epoch ms, or undefined when the text is not a valid date-time.
 */
export function parseKstLocal(text: string): number | undefined {
  const m = LOCAL_RE.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = m[7] === undefined ? 0 : Math.floor(Number("0." + m[7]) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;

  let offsetMs = KST_OFFSET_MS;
  const zone = m[8];
  if (zone !== undefined) {
    if (zone === "Z") offsetMs = 0;
    else {
      const sign = zone[0] === "-" ? -1 : 1;
      const digits = zone.slice(1).replace(":", "");
      const oh = Number(digits.slice(0, 2));
      const om = Number(digits.slice(2, 4));
      if (oh > 23 || om > 59) return undefined;
      offsetMs = sign * (oh * 60 + om) * 60_000;
    }
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  return utc - offsetMs;
}
