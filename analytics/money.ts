/**
 * Money as decimal strings, added exactly (bigint ten-thousandths, the scale of DECIMAL(18,4) in the
 * queries) and always per currency: a MoneyByCurrency never mixes two.
 */
import type { MoneyByCurrency } from './report-types.ts';

const SCALE = 4;
const UNIT = 10n ** BigInt(SCALE);

/** "12.5" → 125000n. Throws on anything that is not a plain decimal. */
export function toUnits(text: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a decimal amount: "${text}"`);
  const frac = (m[3] ?? '').padEnd(SCALE, '0');
  // Extra digits beyond the scale are rounded half up (DuckDB and Trino return exactly 4).
  const kept =
    BigInt(`${m[2]}${frac.slice(0, SCALE)}`) + (frac.length > SCALE && Number(frac[SCALE]) >= 5 ? 1n : 0n);
  return m[1] ? -kept : kept;
}

/** 125000n → "12.50": at least two decimals, the others only when not zero. */
export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / UNIT;
  let frac = (abs % UNIT).toString().padStart(SCALE, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/** A float amount (an estimate such as CLV) rounded to cents. */
export const fromNumber = (n: number): string => fromUnits(BigInt(Math.round(n * 100)) * 100n);

export function addMoney(into: Map<string, bigint>, currency: string, amount: string): void {
  into.set(currency, (into.get(currency) ?? 0n) + toUnits(amount));
}

export function toMoneyByCurrency(sums: ReadonlyMap<string, bigint>): MoneyByCurrency {
  const out: MoneyByCurrency = {};
  for (const currency of [...sums.keys()].sort()) out[currency] = fromUnits(sums.get(currency) ?? 0n);
  return out;
}

/** amount / divisor per currency, rounded to cents (half away from zero); empty when divisor is 0. */
export function divideMoney(sums: ReadonlyMap<string, bigint>, divisor: number): MoneyByCurrency {
  const out: MoneyByCurrency = {};
  if (divisor <= 0) return out;
  for (const currency of [...sums.keys()].sort()) {
    out[currency] = fromNumber(Number(sums.get(currency) ?? 0n) / Number(UNIT) / divisor);
  }
  return out;
}
