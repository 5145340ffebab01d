import { describe, expect, it } from 'vitest';
import { requireCountry, requireEmail, requireTimeZone } from '../../../subgraphs/shared/validation.ts';

describe('requireCountry', () => {
  it('should accept ISO 3166-1 alpha-2 countries, upper-cased', () => {
    expect(requireCountry('country', 'gb')).toBe('GB');
    expect(requireCountry('country', 'BR')).toBe('BR');
  });

  it.each(['ZZ', 'UK', 'EU', 'XX', 'GBR', ''])('should refuse %j naming the field', (code) => {
    expect(() => requireCountry('input.country', code)).toThrow('input.country: must be an ISO 3166-1 alpha-2 country code');
  });
});

describe('requireEmail and requireTimeZone', () => {
  it('should normalize an email and refuse a malformed one', () => {
    expect(requireEmail('input.email', ' Ada@Example.COM ')).toBe('ada@example.com');
    expect(() => requireEmail('input.email', 'ada@example')).toThrow('input.email');
  });

  it('should accept IANA zones only', () => {
    expect(requireTimeZone('tz', 'Europe/London')).toBe('Europe/London');
    expect(() => requireTimeZone('tz', 'Mars/Base')).toThrow('tz: must be an IANA time zone');
  });
});
