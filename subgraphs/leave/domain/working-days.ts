import { badInput } from '../../shared/errors.ts';
import type { ClosureDayRow } from '../db/tables/calendar-days.ts';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../db/tables/directory.ts';
import type { DayPortion, ExcludedReason } from '../db/tables/leave-requests.ts';
import type { LeaveUnit } from '../db/tables/leave-types.ts';
import { countryOf } from './access.ts';
import { eachDay, weekdayIndex } from './dates.ts';
import { publicHolidaysBetween } from './public-holidays.ts';
import { formatUnits, toUnits, UNITS as SCALE } from './decimal.ts';

/** One calendar day of a request and what it deducts. */
export interface BreakdownDay {
  readonly date: string;
  /** Deducted on this day in the type's unit, a decimal string (`0` when excluded). */
  readonly amount: string;
  /** Hours of absence on this day, a decimal string. */
  readonly hours: string;
  readonly portion: DayPortion;
  readonly excludedReason: ExcludedReason | null;
  /** The public holiday's or closure day's name, if the day is one (even when it is also a non-working day). */
  readonly holidayName: string | null;
}

/** The day-by-day breakdown of a request and its totals. */
export interface DayBreakdown {
  readonly days: readonly BreakdownDay[];
  /** Total deducted in the type's unit, a decimal string. */
  readonly amount: string;
  /** Total hours of absence, a decimal string. */
  readonly hours: string;
  /** Days that deduct something. */
  readonly workingDays: number;
}

/** What the breakdown of a request depends on. */
export interface DayBreakdownInput {
  /** The person: working pattern (hours Monday..Sunday), country and region. */
  readonly user: DirectoryUserRow;
  /** The organization: its country applies when the person has none. */
  readonly org: DirectoryOrganizationRow;
  readonly unit: LeaveUnit;
  readonly startDate: string;
  readonly endDate: string;
  /** Days unit: part of the first day (of the only day for a one-day request). */
  readonly firstDayPortion: DayPortion;
  /** Days unit: part of the last day (ignored for a one-day request). */
  readonly lastDayPortion: DayPortion;
  /** Hours unit: hours on the first day (of the only day for a one-day request); null: the pattern's. */
  readonly firstDayHours: number | null;
  /** Hours unit: hours on the last day (ignored for a one-day request); null: the pattern's. */
  readonly lastDayHours: number | null;
  /** The organization's closure days in the range. */
  readonly closureDays: readonly Pick<ClosureDayRow, 'date' | 'name'>[];
}

/** True when the person's working pattern has no hours on any day (an irregular-hours worker). */
export function hasNoWorkingPattern(user: Pick<DirectoryUserRow, 'working_pattern'>): boolean {
  return user.working_pattern.every((h) => toUnits(h) === 0);
}

/**
 * Splits a request into calendar days and computes what each deducts.
 *
 * - Days unit: a working day counts 1, or 0.5 when its portion is MORNING or AFTERNOON
 *   (first day: `firstDayPortion`; last day: `lastDayPortion`; a one-day request uses
 *   `firstDayPortion`); its hours are the pattern's hours of that weekday (half on a half day).
 * - Hours unit: a working day counts the pattern's hours, or `firstDayHours` /
 *   `lastDayHours` on the first / last day; the amount is the hours. Explicit hours must not
 *   exceed the pattern's hours of that day (BAD_USER_INPUT on `input.firstDayHours` /
 *   `input.lastDayHours`), and a day without pattern hours takes none.
 * - A person without any pattern hours (irregular hours): only leave counted in hours, and
 *   each day needs explicit hours, so such a request covers at most two days (first and
 *   last); days in between that are not holidays or closures are refused (`input.endDate`).
 *   The hours of such a day are those given (0 < h <= 24, checked by the caller).
 * - Weekdays without pattern hours (NON_WORKING_DAY), public holidays of the person's
 *   country and region (PUBLIC_HOLIDAY) and the organization's closure days (CLOSURE_DAY)
 *   count 0, in that order of precedence.
 *
 * Sums are exact (integers of 1/10 000); amounts and hours are returned as decimal strings.
 */
export function dayBreakdown(input: DayBreakdownInput): DayBreakdown {
  const { user, unit, startDate, endDate } = input;
  const { country, region } = countryOf(user, input.org);
  const holidays = new Map(publicHolidaysBetween(country, region, startDate, endDate).map((h) => [h.date, h.name]));
  const closures = new Map(input.closureDays.map((c) => [c.date, c.name]));
  const pattern = user.working_pattern.map(toUnits);
  const noPattern = hasNoWorkingPattern(user);
  if (noPattern && unit === 'DAYS') {
    throw badInput('input.leaveTypeId', 'INCOMPATIBLE', 'is counted in days, but this person has no working pattern (irregular hours): use a leave type counted in hours');
  }
  const oneDay = startDate === endDate;

  const days: BreakdownDay[] = [];
  let amount = 0;
  let hours = 0;
  let workingDays = 0;
  for (const date of eachDay(startDate, endDate)) {
    const isFirst = date === startDate;
    const isLast = date === endDate;
    const portion: DayPortion = unit === 'HOURS' ? 'FULL_DAY' : isFirst ? input.firstDayPortion : isLast && !oneDay ? input.lastDayPortion : 'FULL_DAY';
    const explicit = unit !== 'HOURS' ? null : isFirst ? input.firstDayHours : isLast ? input.lastDayHours : null;
    const field = isFirst ? 'input.firstDayHours' : 'input.lastDayHours';
    const patternHours = pattern[weekdayIndex(date)] ?? 0;
    const holidayName = holidays.get(date) ?? closures.get(date) ?? null;
    const holidayReason: ExcludedReason | null = holidays.has(date) ? 'PUBLIC_HOLIDAY' : closures.has(date) ? 'CLOSURE_DAY' : null;

    let excludedReason: ExcludedReason | null;
    let dayHours = 0;
    if (noPattern) {
      excludedReason = holidayReason;
      if (!excludedReason) {
        if (explicit === null) {
          if (isFirst || isLast) throw badInput(field, 'REQUIRED', `is required: this person has no working pattern (irregular hours), so the hours of ${date} must be given`);
          throw badInput(
            'input.endDate',
            'RANGE_TOO_LONG',
            `this person has no working pattern (irregular hours): a request covers at most two days, each with its hours (${date} has none); make one request per day`,
          );
        }
        dayHours = toUnits(explicit);
      }
    } else {
      if (explicit !== null) {
        if (patternHours === 0) throw badInput(field, 'NOT_APPLICABLE', `${date} is not a working day of this person's working pattern: omit the hours`);
        if (toUnits(explicit) > patternHours) throw badInput(field, 'OUT_OF_RANGE', `must be at most ${formatUnits(patternHours)}, the hours worked on ${date}`);
      }
      excludedReason = patternHours === 0 ? 'NON_WORKING_DAY' : holidayReason;
      if (!excludedReason) {
        if (unit === 'HOURS') dayHours = explicit !== null ? toUnits(explicit) : patternHours;
        else dayHours = portion === 'FULL_DAY' ? patternHours : Math.round(patternHours / 2);
      }
    }

    let dayAmount = 0;
    if (!excludedReason) {
      dayAmount = unit === 'HOURS' ? dayHours : portion === 'FULL_DAY' ? SCALE : SCALE / 2;
      if (dayAmount > 0) workingDays++;
    }
    amount += dayAmount;
    hours += dayHours;
    days.push({ date, amount: formatUnits(dayAmount), hours: formatUnits(dayHours), portion, excludedReason, holidayName });
  }
  return { days, amount: formatUnits(amount), hours: formatUnits(hours), workingDays };
}
