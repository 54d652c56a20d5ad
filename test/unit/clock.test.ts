import { describe, expect, it } from "vitest";
import { formatKst, parseKstLocal } from "../../src/domain/clock.js";

describe("KST formatting", () => {
  it("formats epoch ms as second-precision KST with +09:00", () => {
    expect(formatKst(Date.UTC(2026, 3, 21, 1, 14, 0))).toBe("2026-04-21T10:14:00+09:00");
  });
  it("drops milliseconds rather than rounding", () => {
    expect(formatKst(Date.UTC(2026, 3, 21, 1, 14, 59, 999))).toBe("2026-04-21T10:14:59+09:00");
  });
  it("rolls over the date at 15:00 UTC", () => {
    expect(formatKst(Date.UTC(2025, 11, 31, 15, 0, 0))).toBe("2026-01-01T00:00:00+09:00");
    expect(formatKst(Date.UTC(2024, 1, 28, 15, 30, 5))).toBe("2024-02-29T00:30:05+09:00");
  });
  it("agrees with Intl's Asia/Seoul rendering over a year of random instants", () => {
    const fmt = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Asia/Seoul",
      year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    });
    for (let i = 0; i < 500; i++) {
      const ms = Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 366 * 86_400_000);
      expect(formatKst(ms)).toBe(fmt.format(new Date(ms)).replace(" ", "T") + "+09:00");
    }
  });
});

describe("KST parsing", () => {
  it("reads a local date-time as KST", () => {
    expect(parseKstLocal("2026-04-22T23:59:59")).toBe(Date.UTC(2026, 3, 22, 14, 59, 59));
  });
  it("honours an explicit offset or Z", () => {
    expect(parseKstLocal("2026-04-22T23:59:59+09:00")).toBe(Date.UTC(2026, 3, 22, 14, 59, 59));
    expect(parseKstLocal("2026-04-22T14:59:59Z")).toBe(Date.UTC(2026, 3, 22, 14, 59, 59));
    expect(parseKstLocal("2026-04-22T10:59:59-04:00")).toBe(Date.UTC(2026, 3, 22, 14, 59, 59));
  });
  it("treats a bare date as midnight KST", () => {
    expect(parseKstLocal("2026-04-22")).toBe(Date.UTC(2026, 3, 21, 15, 0, 0));
  });
  it("round-trips formatKst", () => {
    const ms = Date.UTC(2026, 6, 1, 3, 4, 5);
    expect(parseKstLocal(formatKst(ms))).toBe(ms);
  });
  it.each(["", "2026-13-01T00:00:00", "2026-02-30T00:00:00", "2026-04-22T24:00:00", "2026/04/22 10:00:00", "tomorrow"])(
    "rejects %j",
    (text) => {
      expect(parseKstLocal(text)).toBeUndefined();
    },
  );
});
