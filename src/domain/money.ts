// Toss's VAT rule (toss-api §4.1): vat = round_half_up((amount - taxFree) / 11),
// suppliedAmount = amount - taxFree - vat. Integers only: no float ever touches money.
// taxExemptionAmount's effect on VAT is unconfirmed; it is ignored here.

function assertMoney(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative safe integer, got ${n}`);
}

/** round_half_up(taxable / 11) computed as floor((2*taxable + 11) / 22) with exact integer division. */
export function vatOf(amount: number, taxFreeAmount = 0): number {
  assertMoney("amount", amount);
  assertMoney("taxFreeAmount", taxFreeAmount);
  if (taxFreeAmount > amount) throw new Error(`taxFreeAmount ${taxFreeAmount} exceeds amount ${amount}`);
  const taxable = amount - taxFreeAmount;
  const n = taxable * 2 + 11;
  // (n - n % 22) is an exact multiple of 22, so the division is exact in IEEE doubles.
  return (n - (n % 22)) / 22;
}

export interface VatSplit {
  suppliedAmount: number;
  vat: number;
}

export function splitVat(amount: number, taxFreeAmount = 0): VatSplit {
  const vat = vatOf(amount, taxFreeAmount);
  return { suppliedAmount: amount - taxFreeAmount - vat, vat };
}
