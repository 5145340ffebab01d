import { badInput } from './errors.ts';
import { codePointLength, isDomainDate, MAX_DOMAIN_DATE, MIN_DOMAIN_DATE } from './input-rules.ts';

/** Trims `value` and checks its length; BAD_USER_INPUT naming `field` otherwise. */
export function requireText(field: string, value: string, min: number, max: number): string {
  const text = value.trim();
  const length = codePointLength(text);
  if (length < min) throw badInput(field, 'TOO_SHORT', min === 1 ? 'must not be empty' : `must have at least ${min} characters`);
  if (length > max) throw badInput(field, 'TOO_LONG', `must have at most ${max} characters`);
  return text;
}

/** Like `requireText` for an optional field: null and undefined pass through, blank becomes null. */
export function optionalText(field: string, value: string | null | undefined, max: number): string | null | undefined {
  if (value === null || value === undefined) return value;
  const text = value.trim();
  if (text.length === 0) return null;
  if (codePointLength(text) > max) throw badInput(field, 'TOO_LONG', `must have at most ${max} characters`);
  return text;
}

// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is not ours to judge.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A normalized email address (trimmed, Unicode NFC, lower-cased: NFC `josé@` and NFD
 * `jose\u0301@` are one address), or BAD_USER_INPUT on `field`. At most 254 characters.
 */
export function requireEmail(field: string, value: string): string {
  const email = value.trim().normalize('NFC').toLowerCase();
  if (codePointLength(email) > 254 || !EMAIL_RE.test(email)) throw badInput(field, 'INVALID_FORMAT', 'must be an email address like name@example.com');
  return email;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
// Codes CLDR names that are not ISO 3166-1 countries: unions, pseudo-locales, "unknown", the UK alias.
const NOT_COUNTRIES = new Set(['ZZ', 'EU', 'EZ', 'UN', 'QO', 'UK', 'XA', 'XB']);

/** An upper-cased ISO 3166-1 alpha-2 code that names a real country, or BAD_USER_INPUT. */
export function requireCountry(field: string, value: string): string {
  const code = value.trim().toUpperCase();
  let known = false;
  if (/^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code)) {
    try {
      known = regionNames.of(code) !== code;
    } catch {
      known = false;
    }
  }
  if (!known) throw badInput(field, 'INVALID_FORMAT', 'must be an ISO 3166-1 alpha-2 country code such as GB or BR');
  return code;
}

/** An upper-cased region code (1 to 10 letters, digits or dashes), or BAD_USER_INPUT. */
export function requireRegion(field: string, value: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z0-9-]{1,10}$/.test(code)) throw badInput(field, 'INVALID_FORMAT', 'must be a region code of 1 to 10 letters, digits or dashes, such as SCT');
  return code;
}

const timeZones = new Set(Intl.supportedValuesOf('timeZone'));

/** An IANA time-zone name, or BAD_USER_INPUT. */
export function requireTimeZone(field: string, value: string): string {
  const zone = value.trim();
  if (!timeZones.has(zone) && zone !== 'UTC') throw badInput(field, 'INVALID_FORMAT', 'must be an IANA time zone such as Europe/London');
  return zone;
}

/** A `#RRGGBB` colour, upper-cased, or BAD_USER_INPUT. */
export function requireColour(field: string, value: string): string {
  const colour = value.trim().toUpperCase();
  if (!/^#[0-9A-F]{6}$/.test(colour)) throw badInput(field, 'INVALID_FORMAT', 'must be a colour written #RRGGBB');
  return colour;
}

/** An integer within [min, max], or BAD_USER_INPUT. */
export function requireIntInRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw badInput(field, 'OUT_OF_RANGE', `must be an integer from ${min} to ${max}`);
  return value;
}

/**
 * A list of at most `max` distinct items (duplicates count once), for inputs that set a
 * bounded list (a person's tags, their teams); more is a BAD_USER_INPUT on `field`.
 */
export function requireAtMostDistinct<T>(field: string, values: readonly T[], max: number): T[] {
  const distinct = [...new Set(values)];
  if (distinct.length > max) throw badInput(field, 'TOO_LONG', `must have at most ${max} distinct items (got ${distinct.length})`);
  return distinct;
}

/** Removes duplicates from a list of ids, keeping order. */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `id` can be an id of this graph; anything else cannot exist (and must not reach SQL as a uuid). */
export function isId(id: string): boolean {
  return UUID_RE.test(id);
}

/** For fields that may be omitted but not cleared: an explicit null is BAD_USER_INPUT on `field`. */
export function notNull<T>(field: string, value: T | null | undefined): T | undefined {
  if (value === null) throw badInput(field, 'NOT_NULL', 'must not be null');
  return value;
}

/**
 * Checks that the given id-valued keys of a filter (or input) are ids of this graph, so a
 * malformed one is BAD_USER_INPUT on `<prefix>.<key>`, never a database error.
 */
export function requireIds<T extends object>(values: T, keys: readonly (keyof T & string)[], prefix: string): void {
  for (const key of keys) {
    const id = values[key];
    if (typeof id === 'string' && !isId(id)) throw badInput(`${prefix}.${key}`, 'INVALID_ID', 'is not an id of this graph');
  }
}

/**
 * A date of the domain (a leave request, an allowance line, a query range): within
 * MIN_DOMAIN_DATE and MAX_DOMAIN_DATE (1900-01-01 to 2999-12-31), or BAD_USER_INPUT on `field`.
 */
export function requireDomainDate(field: string, date: string): string {
  if (!isDomainDate(date)) throw badInput(field, 'OUT_OF_RANGE', `must be from ${MIN_DOMAIN_DATE} to ${MAX_DOMAIN_DATE}`);
  return date;
}
