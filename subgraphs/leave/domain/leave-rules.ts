import { badInput, conflict } from '../../shared/errors.ts';
import { optionalText } from '../../shared/validation.ts';
import { formatUtcDate, utcDate } from '../../shared/input-rules.ts';
import type { RestrictedDayRow } from '../db/tables/calendar-days.ts';
import type { DirectoryUserRow } from '../db/tables/directory.ts';
import type { DayPortion, LeaveRequestRow } from '../db/tables/leave-requests.ts';
import type { LeaveCategory, LeaveTypeRow, LeaveUnit } from '../db/tables/leave-types.ts';
import { eachDay, leaveYearOf, requireDateRange } from './dates.ts';
import { commentRequired, defaultReason, isReasonAllowed, reasonsFor } from './oyster-categories.ts';
import { formatUnits, hasAtMostDecimals } from './decimal.ts';

// Each rule of a leave request as a small function that throws the GraphQLError naming
// the input field (BAD_USER_INPUT) or the rule (CONFLICT, `extensions.rule`).

/** Longest range: the last day at most this many days after the first (WhosOff's limit). */
export const MAX_REQUEST_RANGE_DAYS = 365;
/** Longest comment or decision note. */
export const MAX_NOTE_LENGTH = 2000;

/**
 * Countries (ISO alpha-2) where half days are not allowed (Oyster): for every leave type,
 * for sick leave only, and for vacation only.
 */
export const HALF_DAY_FORBIDDEN_COUNTRIES: { readonly all: readonly string[] } & Partial<Record<LeaveCategory, readonly string[]>> = {
  all: ['BG', 'BR', 'CO', 'DE', 'EC', 'GR', 'HU', 'MX', 'PL', 'RO', 'RS'],
  SICK_LEAVE: ['ES', 'IT', 'PE'],
  VACATION: ['SE'],
};

/** End not before start, and at most 365 days after it (`input.endDate`). */
export function checkDateRange(startDate: string, endDate: string): void {
  requireDateRange('input.startDate', startDate, 'input.endDate', endDate, MAX_REQUEST_RANGE_DAYS);
}

/** Only admins record leave starting before today (today in the organization's time zone; `input.startDate`). */
export function checkNotInPast(startDate: string, today: string, isAdmin: boolean): void {
  if (startDate < today && !isAdmin) {
    throw badInput('input.startDate', 'TOO_EARLY', `must not be in the past (today is ${today}); only admins record past leave`);
  }
}

/** An existing, active leave type (`input.leaveTypeId`). */
export function checkActiveType(type: LeaveTypeRow | undefined, id: string): LeaveTypeRow {
  if (!type) throw badInput('input.leaveTypeId', 'UNKNOWN_REFERENCE', `${id} is not a leave type of this organization`);
  if (type.deactivated_at) throw badInput('input.leaveTypeId', 'INACTIVE_REFERENCE', `leave type ${type.code} is deactivated: no new requests`);
  return type;
}

/** Hours given for a day: more than 0, at most 24, at most two decimals. */
export function checkHoursValue(field: string, hours: number): void {
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24) throw badInput(field, 'MUST_BE_POSITIVE', 'must be more than 0 and at most 24 hours');
  if (!hasAtMostDecimals(hours, 2)) throw badInput(field, 'TOO_MANY_DECIMALS', 'must have at most 2 decimal places');
}

/** The parts of a request that say how much of the first and last day is taken. */
export interface DayShare {
  readonly startDate: string;
  readonly endDate: string;
  readonly firstDayPortion: DayPortion;
  readonly lastDayPortion: DayPortion;
  readonly firstDayHours: number | null;
  readonly lastDayHours: number | null;
}

/**
 * Portions belong to leave counted in days and hours to leave counted in hours; a one-day
 * request gives only its first day's; a request of several days starts with a full day or
 * an afternoon and ends with a full day or a morning (the absence is one stretch).
 * Returns the share normalized: a one-day request's last day equals its first.
 */
export function checkDayShare(unit: LeaveUnit, share: DayShare): DayShare {
  const oneDay = share.startDate === share.endDate;
  if (unit === 'HOURS') {
    if (share.firstDayPortion !== 'FULL_DAY') throw badInput('input.firstDayPortion', 'NOT_APPLICABLE', 'is for leave counted in days: give input.firstDayHours for leave counted in hours');
    if (share.lastDayPortion !== 'FULL_DAY') throw badInput('input.lastDayPortion', 'NOT_APPLICABLE', 'is for leave counted in days: give input.lastDayHours for leave counted in hours');
    if (share.firstDayHours !== null) checkHoursValue('input.firstDayHours', share.firstDayHours);
    if (share.lastDayHours !== null) checkHoursValue('input.lastDayHours', share.lastDayHours);
    if (oneDay && share.lastDayHours !== null && share.lastDayHours !== share.firstDayHours) {
      throw badInput('input.lastDayHours', 'NOT_APPLICABLE', 'must be omitted for a one-day request: use input.firstDayHours');
    }
    return oneDay ? { ...share, lastDayHours: share.firstDayHours } : share;
  }
  if (share.firstDayHours !== null) throw badInput('input.firstDayHours', 'NOT_APPLICABLE', 'is for leave counted in hours: give input.firstDayPortion for leave counted in days');
  if (share.lastDayHours !== null) throw badInput('input.lastDayHours', 'NOT_APPLICABLE', 'is for leave counted in hours: give input.lastDayPortion for leave counted in days');
  if (oneDay) {
    if (share.lastDayPortion !== 'FULL_DAY' && share.lastDayPortion !== share.firstDayPortion) {
      throw badInput('input.lastDayPortion', 'NOT_APPLICABLE', 'must be omitted for a one-day request: use input.firstDayPortion');
    }
    return { ...share, lastDayPortion: share.firstDayPortion };
  }
  if (share.firstDayPortion === 'MORNING') throw badInput('input.firstDayPortion', 'INVALID_VALUE', 'must be FULL_DAY or AFTERNOON when the leave continues the next day');
  if (share.lastDayPortion === 'AFTERNOON') throw badInput('input.lastDayPortion', 'INVALID_VALUE', 'must be FULL_DAY or MORNING when the leave began the day before');
  return share;
}

/** Why half days are forbidden for this type and country, or null when they are allowed. */
export function halfDayBan(type: Pick<LeaveTypeRow, 'half_days_allowed' | 'code' | 'category'>, country: string): string | null {
  if (!type.half_days_allowed) return `half days are not allowed for leave type ${type.code}`;
  if (HALF_DAY_FORBIDDEN_COUNTRIES.all.includes(country)) return `half days are not allowed for people in ${country}`;
  if (HALF_DAY_FORBIDDEN_COUNTRIES[type.category]?.includes(country)) {
    return `half days of ${type.category} are not allowed for people in ${country}`;
  }
  return null;
}

/** A MORNING or AFTERNOON portion where the type or the person's country forbids half days (`input.firstDayPortion` / `input.lastDayPortion`). */
export function checkHalfDays(type: LeaveTypeRow, country: string, share: DayShare): void {
  const oneDay = share.startDate === share.endDate;
  const firstHalf = share.firstDayPortion !== 'FULL_DAY';
  const lastHalf = !oneDay && share.lastDayPortion !== 'FULL_DAY';
  if (!firstHalf && !lastHalf) return;
  const ban = halfDayBan(type, country);
  if (ban) throw badInput(firstHalf ? 'input.firstDayPortion' : 'input.lastDayPortion', 'INCOMPATIBLE', ban);
}

/**
 * The reason of a request: the given one if its category allows it, else its category's
 * only reason when it has exactly one; a category with several reasons needs one (`input.reason`).
 */
export function resolveReason(type: Pick<LeaveTypeRow, 'category'>, reason: string | null): string {
  const allowed = reasonsFor(type.category) as readonly string[];
  if (reason !== null) {
    if (!isReasonAllowed(type.category, reason as never)) {
      throw badInput('input.reason', 'INVALID_VALUE', `${reason} is not a reason of ${type.category} leave: use one of ${allowed.join(', ')}`);
    }
    return reason;
  }
  const fallback = defaultReason(type.category) as string | null;
  if (fallback) return fallback;
  throw badInput('input.reason', 'REQUIRED', `is required for ${type.category} leave: one of ${allowed.join(', ')}`);
}

/** The trimmed comment (blank: null), at most 2000 characters, present when the type or its reason requires one (`input.comment`). */
export function checkComment(type: LeaveTypeRow, reason: string, comment: string | null): string | null {
  const text = optionalText('input.comment', comment, MAX_NOTE_LENGTH) ?? null;
  if (text === null) {
    if (type.requires_comment) throw badInput('input.comment', 'REQUIRED', `is required for leave type ${type.code}`);
    if (commentRequired(type, reason as never)) throw badInput('input.comment', 'REQUIRED', `is required for ${type.category} leave with reason ${reason}`);
  }
  return text;
}

/** A decision or cancellation note: trimmed (blank: null), at most 2000 characters. */
export function checkNote(field: string, note: string | null | undefined): string | null {
  return optionalText(field, note, MAX_NOTE_LENGTH) ?? null;
}

/** The leave year the request starts in; it must end in it too (`input.endDate`). */
export function checkLeaveYear(startDate: string, endDate: string, startMonth: number): number {
  const year = leaveYearOf(startDate, startMonth);
  if (endDate > year.endDate) {
    throw badInput('input.endDate', 'OUT_OF_RANGE', `must end in the leave year it starts in (by ${year.endDate}); make two requests`);
  }
  return year.year;
}

/** The same day `years` later (29 February becomes 1 March). */
function addYears(date: string, years: number): string {
  const d = utcDate(date);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return formatUtcDate(d) ?? '9999-12-31';
}

/**
 * Brazil: no vacation in the first year of employment (Oyster, from Brazilian law). Other
 * categories (sickness, parental leave, ...) stay possible. CONFLICT rule FIRST_YEAR_OF_EMPLOYMENT.
 */
export function checkFirstYearOfEmployment(user: Pick<DirectoryUserRow, 'employment_start_date'>, country: string, category: LeaveCategory, startDate: string): void {
  if (country !== 'BR' || category !== 'VACATION' || !user.employment_start_date) return;
  const eligibleFrom = addYears(user.employment_start_date, 1);
  if (eligibleFrom > startDate) {
    throw conflict(`people in Brazil may not take vacation in their first year of employment (from ${eligibleFrom} on)`, {
      rule: 'FIRST_YEAR_OF_EMPLOYMENT',
      eligibleFrom,
    });
  }
}

/** Brazil: vacation never goes beyond the balance (Oyster), whatever the type allows. */
export function negativeBalanceAllowed(type: Pick<LeaveTypeRow, 'allow_negative_balance' | 'category'>, country: string): boolean {
  return type.allow_negative_balance && !(country === 'BR' && type.category === 'VACATION');
}

/** The part of `date` a request covers (FULL_DAY for days in its middle and for hours). */
export function portionOn(request: Pick<LeaveRequestRow, 'start_date' | 'end_date' | 'first_day_portion' | 'last_day_portion'>, date: string): DayPortion {
  if (date === request.start_date) return request.first_day_portion;
  if (date === request.end_date) return request.last_day_portion;
  return 'FULL_DAY';
}

type Span = Pick<LeaveRequestRow, 'start_date' | 'end_date' | 'first_day_portion' | 'last_day_portion'>;

/** True when two requests share a day, unless each shared day is a morning of one and an afternoon of the other. */
export function requestsOverlap(a: Span, b: Span): boolean {
  const from = a.start_date > b.start_date ? a.start_date : b.start_date;
  const to = a.end_date < b.end_date ? a.end_date : b.end_date;
  if (from > to) return false;
  return eachDay(from, to).some((date) => {
    const pa = portionOn(a, date);
    const pb = portionOn(b, date);
    return pa === 'FULL_DAY' || pb === 'FULL_DAY' || pa === pb;
  });
}

/** CONFLICT rule OVERLAPPING_REQUEST when one of the person's pending or approved requests overlaps the proposal. */
export function checkOverlap(proposal: Span, existing: readonly LeaveRequestRow[]): void {
  const clash = existing.find((r) => (r.status === 'PENDING' || r.status === 'APPROVED') && requestsOverlap(proposal, r));
  if (clash) {
    throw conflict(`overlaps the ${clash.status.toLowerCase()} request ${clash.id} from ${clash.start_date} to ${clash.end_date}`, {
      rule: 'OVERLAPPING_REQUEST',
      conflictingRequestId: clash.id,
    });
  }
}

/** CONFLICT rule RESTRICTED_DAY naming the restricted days among the days the request deducts. */
export function checkRestrictedDays(deductedDates: readonly string[], restricted: readonly RestrictedDayRow[]): void {
  const dates = new Set(deductedDates);
  const hits = restricted.filter((r) => dates.has(r.date));
  if (hits.length === 0) return;
  const named = [...new Map(hits.map((r) => [r.date, `${r.date} (${r.name})`])).values()];
  throw conflict(`leave may not be taken on restricted days: ${named.join(', ')}`, {
    rule: 'RESTRICTED_DAY',
    dates: [...new Set(hits.map((r) => r.date))],
    restrictedDayIds: hits.map((r) => r.id),
  });
}

/** CONFLICT rule INSUFFICIENT_ALLOWANCE when `requested` exceeds `remaining` (both in ten-thousandths of the unit). */
export function checkAllowance(requested: number, remaining: number, unit: LeaveUnit): void {
  if (requested <= remaining) return;
  const word = unit === 'HOURS' ? 'hours' : 'days';
  throw conflict(`insufficient allowance: ${formatUnits(requested)} ${word} requested, ${formatUnits(remaining)} remaining`, {
    rule: 'INSUFFICIENT_ALLOWANCE',
    requested: Number(formatUnits(requested)),
    remaining: Number(formatUnits(remaining)),
    unit,
  });
}

