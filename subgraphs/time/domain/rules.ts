import { badInput } from '../../shared/errors.ts';
import { addDays, todayIn } from '../../shared/dates.ts';
import { formatUnits, hasAtMostDecimals, toUnits } from '../../shared/decimal.ts';

/** Most hours one person can work in a day, across overtime submissions and recorded hours. */
export const MAX_DAY_HOURS = 24;
/** Most items in one `recordHoursWorkedBulk`. */
export const MAX_BULK_ITEMS = 1000;
/** Longest description or note. */
export const MAX_NOTE_LENGTH = 2000;

/**
 * Hours as a decimal string with 2 places: finite, at most 2 decimals, within (0, 24] (or
 * [0, 24] with `allowZero`); BAD_USER_INPUT on `field` otherwise.
 */
export function requireHours(field: string, value: number, allowZero = false): string {
  if (!Number.isFinite(value)) throw badInput(field, 'INVALID_FORMAT', 'must be a number of hours');
  if (allowZero ? value < 0 : value <= 0) throw badInput(field, allowZero ? 'MUST_NOT_BE_NEGATIVE' : 'MUST_BE_POSITIVE', allowZero ? 'must not be negative' : 'must be more than 0');
  if (value > MAX_DAY_HOURS) throw badInput(field, 'OUT_OF_RANGE', `must be at most ${MAX_DAY_HOURS} hours`);
  if (!hasAtMostDecimals(value, 2)) throw badInput(field, 'TOO_MANY_DECIMALS', 'must have at most 2 decimal places');
  return value.toFixed(2);
}

/** `HH:MM` (00:00 to 23:59), or BAD_USER_INPUT on `field`. */
export function requireClockTime(field: string, value: string): string {
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) throw badInput(field, 'INVALID_FORMAT', 'must be a time of day written HH:MM, 00:00 to 23:59');
  return value;
}

/** A work date: not more than a year ahead of today (organization's time zone) nor before 2000. */
export function requireWorkDate(field: string, date: string, timeZone: string, now: Date): string {
  if (date < '2000-01-01') throw badInput(field, 'OUT_OF_RANGE', 'must not be before 2000-01-01');
  const latest = addDays(todayIn(timeZone, now), 366);
  if (date > latest) throw badInput(field, 'TOO_LATE', `must not be after ${latest} (a year from today)`);
  return date;
}

/**
 * Checks the 24-hour cap: `existing` hours already on the day plus `adding` must not
 * exceed 24; BAD_USER_INPUT on `field` naming the day's total otherwise.
 */
export function requireWithinDay(field: string, date: string, existingUnits: number, addingUnits: number): void {
  const total = existingUnits + addingUnits;
  if (total > toUnits(MAX_DAY_HOURS)) {
    throw badInput(
      field,
      'OUT_OF_RANGE',
      `would bring the hours on ${date} to ${formatUnits(total)}: at most ${MAX_DAY_HOURS} in a day across overtime submissions and recorded hours (${formatUnits(existingUnits)} already)`,
    );
  }
}
