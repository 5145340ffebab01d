/**
 * The graph's rules for raw input values, in one place: the gateway checks every argument
 * and variable of every operation with them (so every subgraph, including ones added
 * later, gets them without a line of its own), and the subgraphs' scalars and validators
 * reuse them.
 */

import type { InputRule } from './errors.ts';

/** Longest string any input accepts, in characters (Unicode code points), unless a tighter limit applies. */
export const MAX_STRING_LENGTH = 10_000;

/**
 * Tighter limits by input field (or argument) name, wherever it appears: a search filter
 * drives a scan, an email or a cursor has a known size.
 */
export const FIELD_MAX_LENGTH: Readonly<Record<string, number>> = {
  search: 200,
  email: 254,
  after: 1_000,
  before: 1_000,
  externalId: 200,
};

/** Most items a list input may hold. */
export const MAX_LIST_LENGTH = 1_000;

/** Deepest nesting of lists and input objects in one variable's value (a top-level scalar is 0). */
export const MAX_VALUE_DEPTH = 16;

/** Deepest nesting of brackets (`{`, `[`, `(`) in a document's text. */
export const MAX_TEXT_NESTING = 64;

/** Number of characters (code points) of `value`, as users count them; a lone surrogate counts as one. */
export function codePointLength(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    count += 1;
  }
  return count;
}

/** The maximum length of the input field `name`. */
export function maxLengthOf(name: string | undefined): number {
  return (name !== undefined ? FIELD_MAX_LENGTH[name] : undefined) ?? MAX_STRING_LENGTH;
}

/** A rule an input value breaks: its code (`extensions.rule`) and the sentence for people. */
export interface InputProblem {
  readonly rule: InputRule;
  readonly detail: string;
}

/**
 * The rule `value` breaks, or null: no NUL character (PostgreSQL text cannot hold it), no
 * lone surrogate (it is not Unicode text and would be stored as U+FFFD), at most `max`
 * characters.
 */
export function stringProblem(value: string, max: number): InputProblem | null {
  if (value.includes('\u0000')) return { rule: 'INVALID_TEXT', detail: 'must not contain the NUL character (U+0000)' };
  // A high surrogate not followed by a low one, or a low one not preceded by a high one.
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) {
    return { rule: 'INVALID_TEXT', detail: 'must be Unicode text (it contains a lone surrogate)' };
  }
  // Cheap bound first: code points never exceed UTF-16 units.
  if (value.length > max && codePointLength(value) > max) return { rule: 'TOO_LONG', detail: `must have at most ${max} characters` };
  return null;
}

/** First and last calendar date the `Date` scalar accepts (RFC 3339 full-date, years 0001-9999). */
export const MIN_DATE = '0001-01-01';
export const MAX_DATE = '9999-12-31';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True for a real calendar date written `YYYY-MM-DD` (RFC 3339 full-date), years 0001 to 9999. */
export function isIsoDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

// RFC 3339 date-time: full-date "T" time with seconds, optional fraction, then Z or an offset.
const DATE_TIME_RE = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant an RFC 3339 date-time names (`2026-11-23T10:00:00Z`,
 * `2026-11-23T10:00:00.123+01:00`), or null: a real date, hours 00-23, minutes 00-59,
 * seconds 00-59 (a leap second 60 is refused), offset within ±23:59, and an instant within
 * years 0001-9999 UTC.
 */
export function parseIsoDateTime(value: string): Date | null {
  const m = DATE_TIME_RE.exec(value);
  if (!m) return null;
  const [date, hh, mm, ss, , zone, , oh, om] = m.slice(1);
  if (!date || !isIsoDate(date)) return null;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return null;
  if (zone !== 'Z' && zone !== 'z' && (Number(oh) > 23 || Number(om) > 59)) return null;
  const instant = new Date(value.toUpperCase());
  if (Number.isNaN(instant.getTime())) return null;
  const iso = instant.toISOString();
  if (iso.startsWith('-') || iso.startsWith('+') || iso < MIN_DATE) return null;
  return instant;
}

/** `date` (a valid `YYYY-MM-DD`) as a UTC `Date`, correct for years 0001-0099 too. */
export function utcDate(date: string): Date {
  const d = new Date(0);
  d.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return d;
}

/** A UTC `Date` as `YYYY-MM-DD`, or null when it falls outside years 0001-9999. */
export function formatUtcDate(d: Date): string | null {
  const year = d.getUTCFullYear();
  if (!Number.isFinite(year) || year < 1 || year > 9999) return null;
  return `${String(year).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/**
 * Dates of the domain (leave requests, allowances, employment, holidays, ...) lie within
 * 1900-01-01 and 2999-12-31: wide enough for any real record, narrow enough that date
 * arithmetic (a leave year, a year later) never leaves the `Date` range.
 */
export const MIN_DOMAIN_DATE = '1900-01-01';
export const MAX_DOMAIN_DATE = '2999-12-31';

/** True when `date` (a valid `YYYY-MM-DD`) is within the domain's range. */
export function isDomainDate(date: string): boolean {
  return date >= MIN_DOMAIN_DATE && date <= MAX_DOMAIN_DATE;
}

/**
 * True when `value` is a finite number written with at most `decimals` decimal places:
 * rounding it to the stored precision gives the same number back. `1e-9` at 2 places is
 * not (it would be stored as 0), nor is `0.30000000000000004`; `0.1` and `7.25` are.
 */
export function hasAtMostDecimals(value: number, decimals: number): boolean {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e15) return false;
  return Number(value.toFixed(decimals)) === value;
}
