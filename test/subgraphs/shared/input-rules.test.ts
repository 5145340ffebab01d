import { describe, expect, it } from 'vitest';
import { codePointLength, formatUtcDate, hasAtMostDecimals, isIsoDate, parseIsoDateTime, stringProblem, utcDate } from '../../../subgraphs/shared/input-rules.ts';
import { addDays, daysBetween, leaveYearOf, weekdayIndex } from '../../../subgraphs/leave/domain/dates.ts';

describe('the shared input rules', () => {
  it('should accept real dates of years 0001-9999, 0001-0099 included', () => {
    for (const date of ['0001-01-01', '0050-02-28', '0099-12-31', '2024-02-29', '9999-12-31']) expect(isIsoDate(date)).toBe(true);
    for (const date of ['0000-00-00', '0000-01-01', '2026-02-30', '2023-02-29', '1900-02-29', '99999-01-01', '', '2026-1-01', '2026-13-01']) expect(isIsoDate(date)).toBe(false);
  });

  it('should do date arithmetic in years 0001-0099 without the 1900s shift, and never throw at the edge', () => {
    expect(formatUtcDate(utcDate('0050-03-01'))).toBe('0050-03-01');
    expect(addDays('0050-02-28', 1)).toBe('0050-03-01');
    expect(daysBetween('0050-01-01', '0051-01-01')).toBe(365);
    expect(weekdayIndex('0001-01-01')).toBe(0); // proleptic Gregorian: a Monday
    expect(addDays('9999-12-31', 1)).toBe('9999-12-31');
    expect(leaveYearOf('0050-06-01', 1)).toEqual({ year: 50, startDate: '0050-01-01', endDate: '0050-12-31' });
  });

  it('should parse RFC 3339 date-times and refuse impossible ones', () => {
    expect(parseIsoDateTime('2027-01-01T10:00:00Z')?.toISOString()).toBe('2027-01-01T10:00:00.000Z');
    expect(parseIsoDateTime('2027-01-01T10:00:00.5+01:30')?.toISOString()).toBe('2027-01-01T08:30:00.500Z');
    for (const value of ['x', '2027-01-01T25:61:00Z', '2027-02-30T10:00:00Z', '2027-01-01', '2027-01-01T10:00Z', '2027-01-01T10:00:00', '0000-01-01T00:00:00Z', '2027-01-01T10:00:60Z']) {
      expect(parseIsoDateTime(value)).toBeNull();
    }
  });

  it('should count characters as code points and refuse NUL and lone surrogates', () => {
    expect(codePointLength('😀😀')).toBe(2);
    expect(codePointLength('a\ud800')).toBe(2);
    expect(stringProblem('😀'.repeat(5), 5)).toBeNull();
    expect(stringProblem('a'.repeat(6), 5)).toMatchObject({ rule: 'TOO_LONG', detail: expect.stringMatching(/at most 5/) });
    expect(stringProblem('a\u0000', 5)).toMatchObject({ rule: 'INVALID_TEXT', detail: expect.stringMatching(/NUL/) });
    expect(stringProblem('\udc00a', 5)).toMatchObject({ rule: 'INVALID_TEXT', detail: expect.stringMatching(/surrogate/) });
    expect(stringProblem('a\ud800', 5)).toMatchObject({ rule: 'INVALID_TEXT', detail: expect.stringMatching(/surrogate/) });
  });

  it('should refuse a number that rounds to another at the stored precision', () => {
    for (const value of [0.1, 7.25, 366, -2.5, 0]) expect(hasAtMostDecimals(value, 2)).toBe(true);
    for (const value of [1e-9, 1e-300, 0.001, 0.30000000000000004, Number.NaN, Infinity, 1e300]) expect(hasAtMostDecimals(value, 2)).toBe(false);
    expect(hasAtMostDecimals(3.625, 4)).toBe(true);
  });
});
