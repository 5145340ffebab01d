import { hasAtMostDecimals } from './input-rules.ts';

// Days and hours are numeric in the database (at most 4 decimals) and reach us as decimal
// strings. They are added as integers of ten-thousandths and converted to a Number once,
// so no float drift creeps into a sum (0.1 + 0.2 stays 0.3; half of 7.25 hours is 3.625).

/** Ten-thousandths per unit: the scale of the numeric(9, 4) columns. */
export const UNITS = 10_000;

/**
 * A decimal string as an integer number of ten-thousandths (rounded half away from zero past
 * 4 decimals). Plain numbers are accepted too.
 */
export function toUnits(value: string | number): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(String(value).trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal number: ${JSON.stringify(value)}`);
  const fraction = (m[3] ?? '').padEnd(5, '0');
  let units = Number(m[2] || '0') * UNITS + Number(fraction.slice(0, 4));
  if (Number(fraction[4]) >= 5) units += 1;
  return m[1] === '-' ? -units : units;
}

/**
 * Ten-thousandths as a decimal string: with `decimals` places (2 or 4) for numeric columns,
 * or, without it, canonical with no trailing zeros (`1`, `0.5`, `3.625`, `-2`).
 */
export function formatUnits(units: number, decimals?: 2 | 4): string {
  if (decimals === undefined) {
    const sign = units < 0 ? '-' : '';
    const abs = Math.abs(units);
    const fraction = String(abs % UNITS).padStart(4, '0').replace(/0+$/, '');
    return `${sign}${Math.floor(abs / UNITS)}${fraction ? `.${fraction}` : ''}`;
  }
  const step = 10 ** (4 - decimals);
  const rounded = Math.sign(units) * Math.round(Math.abs(units) / step);
  const abs = Math.abs(rounded);
  const scale = 10 ** decimals;
  const whole = Math.trunc(abs / scale);
  const fraction = String(abs % scale).padStart(decimals, '0');
  return `${rounded < 0 ? '-' : ''}${whole}.${fraction}`;
}

/** The shared number rule (subgraphs/shared/input-rules.ts): what rounds to something else at the stored precision is refused. */
export { hasAtMostDecimals };

/** `numerator / denominator` rounded half up, for non-negative integers. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}
