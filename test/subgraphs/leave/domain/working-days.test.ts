import { describe, expect, it } from 'vitest';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../../../../subgraphs/leave/db/tables/directory.ts';
import { dayBreakdown, hasNoWorkingPattern, type DayBreakdownInput } from '../../../../subgraphs/leave/domain/working-days.ts';
import { formatUnits, toUnits } from '../../../../subgraphs/leave/domain/decimal.ts';

const FULL_TIME = ['8', '8', '8', '8', '8', '0', '0'];

function user(values: Partial<DirectoryUserRow> = {}): DirectoryUserRow {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    org_id: '00000000-0000-4000-8000-000000000000',
    department_id: null,
    manager_id: null,
    role: 'EMPLOYEE',
    country: 'GB',
    region: null,
    working_pattern: FULL_TIME,
    employment_type: 'FULL_TIME',
    employment_start_date: '2020-01-06',
    active: true,
    last_event_id: 1,
    ...values,
  };
}

const org: DirectoryOrganizationRow = {
  org_id: '00000000-0000-4000-8000-000000000000',
  time_zone: 'Europe/London',
  country: 'GB',
  leave_year_start_month: 1,
  full_time_weekly_hours: '40.00',
  last_event_id: 1,
};

function breakdown(values: Partial<DayBreakdownInput> & Pick<DayBreakdownInput, 'startDate' | 'endDate'>) {
  return dayBreakdown({
    user: user(),
    org,
    unit: 'DAYS',
    firstDayPortion: 'FULL_DAY',
    lastDayPortion: 'FULL_DAY',
    firstDayHours: null,
    lastDayHours: null,
    closureDays: [],
    ...values,
  });
}

function thrown(fn: () => unknown): { code: unknown; field: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { extensions?: Record<string, unknown>; message: string };
    return { code: e.extensions?.['code'], field: e.extensions?.['field'], message: e.message };
  }
  throw new Error('expected an error');
}

describe('decimal units', () => {
  it('should convert decimals to ten-thousandths and back without drift', () => {
    expect(toUnits('7.25')).toBe(72_500);
    expect(toUnits(0.1) + toUnits(0.2)).toBe(toUnits('0.3'));
    expect(formatUnits(36_250)).toBe('3.625');
    expect(formatUnits(10_000)).toBe('1');
    expect(formatUnits(5_000)).toBe('0.5');
    expect(formatUnits(0)).toBe('0');
    expect(formatUnits(-25_000)).toBe('-2.5');
  });
});

describe('dayBreakdown', () => {
  it('should not deduct UK bank holidays or weekends over Christmas 2026', () => {
    const result = breakdown({ startDate: '2026-12-25', endDate: '2026-12-29' });
    expect(result.days).toEqual([
      { date: '2026-12-25', amount: '0', hours: '0', portion: 'FULL_DAY', excludedReason: 'PUBLIC_HOLIDAY', holidayName: 'Christmas Day' },
      { date: '2026-12-26', amount: '0', hours: '0', portion: 'FULL_DAY', excludedReason: 'NON_WORKING_DAY', holidayName: 'Boxing Day' },
      { date: '2026-12-27', amount: '0', hours: '0', portion: 'FULL_DAY', excludedReason: 'NON_WORKING_DAY', holidayName: null },
      { date: '2026-12-28', amount: '0', hours: '0', portion: 'FULL_DAY', excludedReason: 'PUBLIC_HOLIDAY', holidayName: 'Boxing Day (substitute day)' },
      { date: '2026-12-29', amount: '1', hours: '8', portion: 'FULL_DAY', excludedReason: null, holidayName: null },
    ]);
    expect(result).toMatchObject({ amount: '1', hours: '8', workingDays: 1 });
  });

  it("should exclude St Andrew's Day for a Scottish region only", () => {
    const range = { startDate: '2026-11-30', endDate: '2026-12-01' };
    const scotland = breakdown({ ...range, user: user({ region: 'SCT' }) });
    expect(scotland.days[0]).toMatchObject({ excludedReason: 'PUBLIC_HOLIDAY', holidayName: 'St Andrew’s Day' });
    expect(scotland.amount).toBe('1');
    expect(breakdown({ ...range, user: user({ region: 'ENG' }) }).amount).toBe('2');
    expect(breakdown({ ...range, user: user({ region: null }) }).amount).toBe('2');
  });

  it("should use the organization's country when the person has none, and the person's own otherwise", () => {
    // Tiradentes (21 April) is a public holiday in Brazil only.
    const range = { startDate: '2026-04-21', endDate: '2026-04-21' };
    expect(breakdown({ ...range, user: user({ country: null }) }).amount).toBe('1');
    expect(breakdown({ ...range, user: user({ country: 'BR' }) }).amount).toBe('0');
    expect(breakdown({ ...range, user: user({ country: null }), org: { ...org, country: 'BR' } }).days[0]?.excludedReason).toBe('PUBLIC_HOLIDAY');
  });

  it('should not deduct closure days', () => {
    const result = breakdown({ startDate: '2026-07-06', endDate: '2026-07-10', closureDays: [{ date: '2026-07-10', name: 'Summer shutdown' }] });
    expect(result.days[4]).toEqual({ date: '2026-07-10', amount: '0', hours: '0', portion: 'FULL_DAY', excludedReason: 'CLOSURE_DAY', holidayName: 'Summer shutdown' });
    expect(result).toMatchObject({ amount: '4', hours: '32', workingDays: 4 });
  });

  it('should skip the non-working days of a part-time pattern', () => {
    const partTime = user({ working_pattern: ['7.5', '0', '7.5', '0', '7.5', '0', '0'], employment_type: 'PART_TIME' });
    const result = breakdown({ startDate: '2026-06-22', endDate: '2026-06-28', user: partTime });
    expect(result.days.map((d) => d.excludedReason)).toEqual([null, 'NON_WORKING_DAY', null, 'NON_WORKING_DAY', null, 'NON_WORKING_DAY', 'NON_WORKING_DAY']);
    expect(result).toMatchObject({ amount: '3', hours: '22.5', workingDays: 3 });
  });

  it('should count half days on the first and last day with half their hours', () => {
    const result = breakdown({
      startDate: '2026-06-22',
      endDate: '2026-06-24',
      firstDayPortion: 'AFTERNOON',
      lastDayPortion: 'MORNING',
      user: user({ working_pattern: ['7.25', '7.25', '7.25', '7.25', '7.25', '0', '0'] }),
    });
    expect(result.days.map((d) => [d.portion, d.amount, d.hours])).toEqual([
      ['AFTERNOON', '0.5', '3.625'],
      ['FULL_DAY', '1', '7.25'],
      ['MORNING', '0.5', '3.625'],
    ]);
    expect(result).toMatchObject({ amount: '2', hours: '14.5' });
  });

  it("should use the first day's portion for a one-day request", () => {
    const result = breakdown({ startDate: '2026-06-22', endDate: '2026-06-22', firstDayPortion: 'MORNING', lastDayPortion: 'FULL_DAY' });
    expect(result).toMatchObject({ amount: '0.5', hours: '4', workingDays: 1 });
    expect(result.days[0]?.portion).toBe('MORNING');
  });

  it('should count hours for leave in hours: the pattern, or the given first and last day hours', () => {
    const result = breakdown({ unit: 'HOURS', startDate: '2026-06-22', endDate: '2026-06-24', firstDayHours: 3, lastDayHours: 2.5 });
    expect(result.days.map((d) => [d.amount, d.hours, d.portion])).toEqual([
      ['3', '3', 'FULL_DAY'],
      ['8', '8', 'FULL_DAY'],
      ['2.5', '2.5', 'FULL_DAY'],
    ]);
    expect(result).toMatchObject({ amount: '13.5', hours: '13.5' });
  });

  it('should add hours exactly where floats would drift', () => {
    const result = breakdown({ unit: 'HOURS', startDate: '2026-06-22', endDate: '2026-06-24', user: user({ working_pattern: ['7.1', '7.1', '7.1', '7.1', '7.1', '0', '0'] }) });
    expect(7.1 + 7.1 + 7.1).not.toBe(21.3);
    expect(result.amount).toBe('21.3');
  });

  it("should refuse more hours than the day's pattern and hours on a non-working day", () => {
    expect(thrown(() => breakdown({ unit: 'HOURS', startDate: '2026-06-22', endDate: '2026-06-22', firstDayHours: 9 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.firstDayHours',
    });
    expect(thrown(() => breakdown({ unit: 'HOURS', startDate: '2026-06-22', endDate: '2026-06-27', lastDayHours: 2 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.lastDayHours',
    });
  });

  it('should refuse leave in days for a person without a working pattern', () => {
    const irregular = user({ working_pattern: ['0', '0', '0', '0', '0', '0', '0'], employment_type: 'IRREGULAR_HOURS' });
    expect(hasNoWorkingPattern(irregular)).toBe(true);
    expect(thrown(() => breakdown({ user: irregular, startDate: '2026-06-22', endDate: '2026-06-22' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.leaveTypeId',
    });
  });

  it('should take the given hours of each day for a person without a working pattern, at most two days', () => {
    const irregular = user({ working_pattern: ['0', '0', '0', '0', '0', '0', '0'], employment_type: 'IRREGULAR_HOURS' });
    const hours = { user: irregular, unit: 'HOURS' as const };
    expect(breakdown({ ...hours, startDate: '2026-06-27', endDate: '2026-06-27', firstDayHours: 6 })).toMatchObject({ amount: '6', workingDays: 1 });
    expect(breakdown({ ...hours, startDate: '2026-06-22', endDate: '2026-06-23', firstDayHours: 6, lastDayHours: 3.5 }).amount).toBe('9.5');
    expect(thrown(() => breakdown({ ...hours, startDate: '2026-06-22', endDate: '2026-06-22' }))).toMatchObject({ field: 'input.firstDayHours' });
    expect(thrown(() => breakdown({ ...hours, startDate: '2026-06-22', endDate: '2026-06-23', firstDayHours: 6 }))).toMatchObject({ field: 'input.lastDayHours' });
    expect(thrown(() => breakdown({ ...hours, startDate: '2026-06-22', endDate: '2026-06-24', firstDayHours: 6, lastDayHours: 6 }))).toMatchObject({
      field: 'input.endDate',
    });
    // A public holiday in between needs no hours.
    const christmas = breakdown({ ...hours, startDate: '2026-12-24', endDate: '2026-12-26', firstDayHours: 5, lastDayHours: 5 });
    expect(christmas.days.map((d) => d.excludedReason)).toEqual([null, 'PUBLIC_HOLIDAY', 'PUBLIC_HOLIDAY']);
    expect(christmas.amount).toBe('5');
  });
});
