import { badInput } from './errors.ts';
import { requireDomainDate } from './validation.ts';
import { formatUtcDate, isIsoDate, utcDate } from './input-rules.ts';

/** Date arithmetic on `YYYY-MM-DD` strings in UTC: no time zone can shift a day. */
export function addDays(date: string, days: number): string {
  const d = utcDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  // Beyond 9999-12-31 (or before 0001-01-01) there is no YYYY-MM-DD: stay at the edge.
  return formatUtcDate(d) ?? (days < 0 ? '0001-01-01' : '9999-12-31');
}

/** Whole days from `a` to `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((utcDate(b).getTime() - utcDate(a).getTime()) / 86_400_000);
}

/** Every date from `start` to `end` inclusive. */
export function eachDay(start: string, end: string): string[] {
  const days: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) {
    days.push(d);
    if (d === '9999-12-31') break;
  }
  return days;
}

/** Weekday index with Monday = 0 ... Sunday = 6 (the working pattern's order). */
export function weekdayIndex(date: string): number {
  return (utcDate(date).getUTCDay() + 6) % 7;
}

// Building an Intl.DateTimeFormat costs far more than formatting with one: one per time zone.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's date in an IANA time zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(now);
}

/** The leave year (labelled by the calendar year it starts in) that contains `date`. */
export function leaveYearOf(date: string, startMonth: number): { year: number; startDate: string; endDate: string } {
  const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  const year = m >= startMonth ? y : y - 1;
  return leaveYear(year, startMonth);
}

/** First and last day of the leave year starting in `startMonth` of `year`. */
export function leaveYear(year: number, startMonth: number): { year: number; startDate: string; endDate: string } {
  const startDate = `${String(year).padStart(4, '0')}-${String(startMonth).padStart(2, '0')}-01`;
  const next = `${String(year + 1).padStart(4, '0')}-${String(startMonth).padStart(2, '0')}-01`;
  return { year, startDate, endDate: addDays(next, -1) };
}

export { isIsoDate };

/**
 * Checks that both dates are within the domain's range (requireDomainDate), that `to` is not before `from` and, when `maxDays` is given, at most that many
 * days after it; BAD_USER_INPUT on `toField` otherwise.
 */
export function requireDateRange(fromField: string, from: string, toField: string, to: string, maxDays?: number): void {
  requireDomainDate(fromField, from);
  requireDomainDate(toField, to);
  if (to < from) throw badInput(toField, 'BEFORE_START', `must not be before ${fromField}`);
  if (maxDays !== undefined && daysBetween(from, to) > maxDays) throw badInput(toField, 'RANGE_TOO_LONG', `must be at most ${maxDays} days after ${fromField}`);
}
