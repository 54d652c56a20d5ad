import { describe, expect, it } from "vitest";
import { splitVat, vatOf } from "../../src/domain/money.js";

describe("Toss VAT arithmetic", () => {
  it.each([
    [1000, 0, 909, 91],
    [15000, 0, 13636, 1364],
    [9026, 0, 8205, 821],
    [30000, 0, 27273, 2727],
    [7000, 0, 6364, 636], // docs example: 636.36 -> 636
    [0, 0, 0, 0],
    [1, 0, 1, 0],
    [6, 0, 5, 1], // 0.545 rounds up
    [5, 0, 5, 0], // 0.4545 rounds down
    [10000, 3000, 6364, 636],
    [10000, 10000, 0, 0],
  ])("amount %i taxFree %i -> supplied %i vat %i", (amount, taxFree, supplied, vat) => {
    expect(splitVat(amount, taxFree)).toEqual({ suppliedAmount: supplied, vat });
  });

  it("rounds to the nearest integer (an integer / 11 never lands exactly on .5)", () => {
    for (let k = 0; k < 1000; k++) {
      expect(vatOf(11 * k + 5)).toBe(k); // 5/11 < .5 -> down
      expect(vatOf(11 * k + 6)).toBe(k + 1); // 6/11 > .5 -> up
    }
  });

  it("matches an exact BigInt reference for every amount up to 200,000 and for huge ones", () => {
    const ref = (taxable: bigint): bigint => (taxable * 2n + 11n) / 22n;
    const mismatches: number[] = [];
    for (let a = 0; a <= 200_000; a++) {
      const { vat, suppliedAmount } = splitVat(a, 0);
      if (BigInt(vat) !== ref(BigInt(a)) || vat + suppliedAmount !== a) mismatches.push(a);
    }
    expect(mismatches).toEqual([]);
    for (const a of [2 ** 40 + 7, 2 ** 50 - 1, 999_999_999_999, 4_503_599_627_370_495]) {
      expect(BigInt(vatOf(a))).toBe(ref(BigInt(a)));
    }
  });

  it("refuses non-integers, negatives and taxFree above amount (programming errors)", () => {
    expect(() => vatOf(10.5)).toThrow();
    expect(() => vatOf(-1)).toThrow();
    expect(() => vatOf(100, 101)).toThrow();
  });
});
