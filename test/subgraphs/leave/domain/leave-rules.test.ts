import { describe, expect, it } from 'vitest';
import type { LeaveRequestRow } from '../../../../subgraphs/leave/db/tables/leave-requests.ts';
import type { LeaveTypeRow } from '../../../../subgraphs/leave/db/tables/leave-types.ts';
import {
  checkAllowance,
  checkComment,
  checkDateRange,
  checkDayShare,
  checkFirstYearOfEmployment,
  checkHalfDays,
  checkLeaveYear,
  checkNotInPast,
  checkOverlap,
  checkRestrictedDays,
  halfDayBan,
  negativeBalanceAllowed,
  requestsOverlap,
  resolveReason,
  type DayShare,
} from '../../../../subgraphs/leave/domain/leave-rules.ts';

function thrown(fn: () => unknown): { code: unknown; field: unknown; rule: unknown; message: string; extensions: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    const e = error as { extensions: Record<string, unknown>; message: string };
    return { code: e.extensions['code'], field: e.extensions['field'], rule: e.extensions['rule'], message: e.message, extensions: e.extensions };
  }
  throw new Error('expected an error');
}

const type = (values: Partial<LeaveTypeRow> = {}): LeaveTypeRow => ({
  id: '00000000-0000-4000-8000-0000000000aa',
  org_id: '00000000-0000-4000-8000-000000000000',
  name: 'Annual leave',
  code: 'AL',
  colour: null,
  unit: 'DAYS',
  category: 'VACATION',
  paid: true,
  requires_approval: true,
  requires_document: false,
  requires_comment: false,
  half_days_allowed: true,
  deducts_from_allowance: true,
  allow_negative_balance: false,
  private: false,
  draws_on_toil: false,
  default_entitlement: '25',
  deactivated_at: null,
  created_at: new Date(),
  updated_at: new Date(),
  ...values,
});

const share = (values: Partial<DayShare> = {}): DayShare => ({
  startDate: '2026-06-22',
  endDate: '2026-06-24',
  firstDayPortion: 'FULL_DAY',
  lastDayPortion: 'FULL_DAY',
  firstDayHours: null,
  lastDayHours: null,
  ...values,
});

const request = (values: Partial<LeaveRequestRow>): LeaveRequestRow =>
  ({ id: 'r1', status: 'PENDING', start_date: '2026-06-22', end_date: '2026-06-24', first_day_portion: 'FULL_DAY', last_day_portion: 'FULL_DAY', ...values }) as LeaveRequestRow;

describe('date rules', () => {
  it('should refuse an end before the start and a range over 365 days on input.endDate', () => {
    expect(thrown(() => checkDateRange('2026-06-22', '2026-06-21'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.endDate' });
    expect(thrown(() => checkDateRange('2026-01-01', '2027-01-02'))).toMatchObject({ field: 'input.endDate', rule: 'RANGE_TOO_LONG', message: expect.stringContaining('365') });
    expect(() => checkDateRange('2026-01-01', '2027-01-01')).not.toThrow();
  });

  it('should refuse a past start unless the caller is an admin', () => {
    expect(thrown(() => checkNotInPast('2026-06-14', '2026-06-15', false))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.startDate' });
    expect(() => checkNotInPast('2026-06-14', '2026-06-15', true)).not.toThrow();
    expect(() => checkNotInPast('2026-06-15', '2026-06-15', false)).not.toThrow();
  });

  it('should refuse a request spanning two leave years', () => {
    expect(checkLeaveYear('2026-03-30', '2026-03-31', 4)).toBe(2025);
    expect(thrown(() => checkLeaveYear('2026-03-30', '2026-04-01', 4))).toMatchObject({ field: 'input.endDate', rule: 'OUT_OF_RANGE', message: expect.stringContaining('make two requests') });
    expect(thrown(() => checkLeaveYear('2026-12-31', '2027-01-01', 1))).toMatchObject({ field: 'input.endDate' });
  });
});

describe('day shares', () => {
  it('should refuse portions for hours and hours for days', () => {
    expect(thrown(() => checkDayShare('HOURS', share({ firstDayPortion: 'MORNING' })))).toMatchObject({ field: 'input.firstDayPortion' });
    expect(thrown(() => checkDayShare('HOURS', share({ lastDayPortion: 'MORNING' })))).toMatchObject({ field: 'input.lastDayPortion' });
    expect(thrown(() => checkDayShare('DAYS', share({ firstDayHours: 4 })))).toMatchObject({ field: 'input.firstDayHours' });
    expect(thrown(() => checkDayShare('DAYS', share({ lastDayHours: 4 })))).toMatchObject({ field: 'input.lastDayHours' });
  });

  it('should check hour values: above 0, at most 24, two decimals', () => {
    expect(thrown(() => checkDayShare('HOURS', share({ firstDayHours: 0 })))).toMatchObject({ field: 'input.firstDayHours' });
    expect(thrown(() => checkDayShare('HOURS', share({ lastDayHours: 25 })))).toMatchObject({ field: 'input.lastDayHours' });
    expect(thrown(() => checkDayShare('HOURS', share({ firstDayHours: 1.005 })))).toMatchObject({ field: 'input.firstDayHours' });
  });

  it("should give a one-day request its first day's share and refuse a different last day", () => {
    const oneDay = { startDate: '2026-06-22', endDate: '2026-06-22' };
    expect(checkDayShare('DAYS', share({ ...oneDay, firstDayPortion: 'MORNING' }))).toMatchObject({ lastDayPortion: 'MORNING' });
    expect(thrown(() => checkDayShare('DAYS', share({ ...oneDay, firstDayPortion: 'MORNING', lastDayPortion: 'AFTERNOON' })))).toMatchObject({
      field: 'input.lastDayPortion',
    });
    expect(checkDayShare('HOURS', share({ ...oneDay, firstDayHours: 3 }))).toMatchObject({ lastDayHours: 3 });
    expect(thrown(() => checkDayShare('HOURS', share({ ...oneDay, firstDayHours: 3, lastDayHours: 2 })))).toMatchObject({ field: 'input.lastDayHours' });
  });

  it('should keep a request of several days one stretch: no morning start, no afternoon end', () => {
    expect(thrown(() => checkDayShare('DAYS', share({ firstDayPortion: 'MORNING' })))).toMatchObject({ field: 'input.firstDayPortion' });
    expect(thrown(() => checkDayShare('DAYS', share({ lastDayPortion: 'AFTERNOON' })))).toMatchObject({ field: 'input.lastDayPortion' });
    expect(() => checkDayShare('DAYS', share({ firstDayPortion: 'AFTERNOON', lastDayPortion: 'MORNING' }))).not.toThrow();
  });
});

describe('half days', () => {
  it("should follow Oyster's country lists", () => {
    for (const country of ['BG', 'BR', 'CO', 'DE', 'EC', 'GR', 'HU', 'MX', 'PL', 'RO', 'RS']) {
      expect(halfDayBan(type(), country)).toContain(country);
      expect(halfDayBan(type({ category: 'SICK_LEAVE' }), country)).toContain(country);
    }
    for (const country of ['ES', 'IT', 'PE']) {
      expect(halfDayBan(type({ category: 'SICK_LEAVE' }), country)).toContain(country);
      expect(halfDayBan(type({ category: 'VACATION' }), country)).toBeNull();
    }
    expect(halfDayBan(type({ category: 'VACATION' }), 'SE')).toContain('SE');
    expect(halfDayBan(type({ category: 'SICK_LEAVE' }), 'SE')).toBeNull();
    expect(halfDayBan(type(), 'GB')).toBeNull();
    expect(halfDayBan(type({ half_days_allowed: false }), 'GB')).toContain('AL');
  });

  it('should name the portion that is half', () => {
    expect(thrown(() => checkHalfDays(type(), 'BR', share({ firstDayPortion: 'AFTERNOON' })))).toMatchObject({ field: 'input.firstDayPortion' });
    expect(thrown(() => checkHalfDays(type(), 'BR', share({ lastDayPortion: 'MORNING' })))).toMatchObject({ field: 'input.lastDayPortion' });
    expect(() => checkHalfDays(type(), 'BR', share())).not.toThrow();
    expect(() => checkHalfDays(type(), 'GB', share({ firstDayPortion: 'AFTERNOON' }))).not.toThrow();
  });
});

describe('reasons and comments', () => {
  it("should default a category's only reason and require one where there are several", () => {
    expect(resolveReason(type(), null)).toBe('PAID_TIME_OFF');
    expect(thrown(() => resolveReason(type(), 'UNPAID_TIME_OFF'))).toMatchObject({ field: 'input.reason' });
    expect(thrown(() => resolveReason(type({ category: 'SICK_LEAVE' }), null))).toMatchObject({ field: 'input.reason' });
    expect(resolveReason(type({ category: 'SICK_LEAVE' }), 'UNPAID_TIME_OFF')).toBe('UNPAID_TIME_OFF');
  });

  it("should require a comment for Oyster's pairs and types that require one, and cap it at 2000 characters", () => {
    expect(thrown(() => checkComment(type({ category: 'OTHER' }), 'OTHER_PAID_LEAVE', '  '))).toMatchObject({ field: 'input.comment' });
    expect(thrown(() => checkComment(type({ category: 'UNPAID_LEAVE' }), 'OTHER_UNPAID_LEAVE', null))).toMatchObject({ field: 'input.comment' });
    expect(thrown(() => checkComment(type({ requires_comment: true }), 'PAID_TIME_OFF', null))).toMatchObject({ field: 'input.comment' });
    expect(checkComment(type({ category: 'OTHER' }), 'BEREAVEMENT', null)).toBeNull();
    expect(checkComment(type({ category: 'OTHER' }), 'OTHER_PAID_LEAVE', ' why ')).toBe('why');
    expect(thrown(() => checkComment(type(), 'PAID_TIME_OFF', 'x'.repeat(2001)))).toMatchObject({ field: 'input.comment' });
  });
});

describe('Brazil', () => {
  it('should refuse vacation in the first year of employment and allow other leave', () => {
    const person = { employment_start_date: '2026-01-05' };
    expect(thrown(() => checkFirstYearOfEmployment(person, 'BR', 'VACATION', '2027-01-04'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'FIRST_YEAR_OF_EMPLOYMENT',
      extensions: expect.objectContaining({ eligibleFrom: '2027-01-05' }),
    });
    expect(() => checkFirstYearOfEmployment(person, 'BR', 'VACATION', '2027-01-05')).not.toThrow();
    expect(() => checkFirstYearOfEmployment(person, 'BR', 'SICK_LEAVE', '2026-06-22')).not.toThrow();
    expect(() => checkFirstYearOfEmployment(person, 'GB', 'VACATION', '2026-06-22')).not.toThrow();
  });

  it('should never let vacation go below the balance in Brazil', () => {
    expect(negativeBalanceAllowed(type({ allow_negative_balance: true }), 'BR')).toBe(false);
    expect(negativeBalanceAllowed(type({ allow_negative_balance: true, category: 'SICK_LEAVE' }), 'BR')).toBe(true);
    expect(negativeBalanceAllowed(type({ allow_negative_balance: true }), 'GB')).toBe(true);
  });
});

describe('overlap', () => {
  it('should see a shared full day as an overlap, complementary halves not', () => {
    const a = request({ start_date: '2026-06-22', end_date: '2026-06-24', last_day_portion: 'MORNING' });
    expect(requestsOverlap(a, request({ start_date: '2026-06-24', end_date: '2026-06-24', first_day_portion: 'AFTERNOON', last_day_portion: 'AFTERNOON' }))).toBe(false);
    expect(requestsOverlap(a, request({ start_date: '2026-06-24', end_date: '2026-06-24', first_day_portion: 'MORNING', last_day_portion: 'MORNING' }))).toBe(true);
    expect(requestsOverlap(a, request({ start_date: '2026-06-23', end_date: '2026-06-23' }))).toBe(true);
    expect(requestsOverlap(a, request({ start_date: '2026-06-25', end_date: '2026-06-26' }))).toBe(false);
  });

  it('should name the conflicting request', () => {
    const existing = request({ id: 'r9', status: 'APPROVED' });
    expect(thrown(() => checkOverlap(request({ start_date: '2026-06-24', end_date: '2026-06-30' }), [existing]))).toMatchObject({
      code: 'CONFLICT',
      rule: 'OVERLAPPING_REQUEST',
      extensions: expect.objectContaining({ conflictingRequestId: 'r9' }),
    });
    expect(() => checkOverlap(request({}), [request({ status: 'CANCELLED' })])).not.toThrow();
  });
});

describe('restricted days and allowance', () => {
  it('should name the restricted days among the deducted ones', () => {
    const restricted = [
      { id: 'x1', org_id: 'o', department_id: null, date: '2026-07-01', name: 'Stocktake', note: null, created_by: null, created_at: new Date() },
      { id: 'x2', org_id: 'o', department_id: null, date: '2026-07-04', name: 'Open day', note: null, created_by: null, created_at: new Date() },
    ];
    const error = thrown(() => checkRestrictedDays(['2026-06-30', '2026-07-01'], restricted));
    expect(error).toMatchObject({ code: 'CONFLICT', rule: 'RESTRICTED_DAY', extensions: expect.objectContaining({ dates: ['2026-07-01'] }) });
    expect(error.message).toContain('2026-07-01 (Stocktake)');
    expect(() => checkRestrictedDays(['2026-07-03'], restricted)).not.toThrow();
  });

  it('should refuse more than the remaining allowance with both amounts', () => {
    expect(thrown(() => checkAllowance(20_000, 15_000, 'DAYS'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'INSUFFICIENT_ALLOWANCE',
      extensions: expect.objectContaining({ requested: 2, remaining: 1.5 }),
    });
    expect(() => checkAllowance(15_000, 15_000, 'DAYS')).not.toThrow();
  });
});
