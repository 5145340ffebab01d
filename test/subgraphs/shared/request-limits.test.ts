import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../../gateway/rate-limit/rate-limiter.ts';
import {
  DEFAULT_ORGANIZATION_REQUESTS_PER_HOUR,
  organizationRequestLimit,
  readOrganizationRequestLimits,
  readRequestLimitsByOrganization,
} from '../../../subgraphs/shared/request-limits.ts';

const A = '3f0c2a4e-8d1b-4c6a-9e2f-0a1b2c3d4e5f';
const B = '9a1b2c3d-4e5f-4a6b-8c7d-1e2f3a4b5c6d';

describe('RATE_LIMIT_PER_HOUR_BY_ORG', () => {
  it('should read organization=limit pairs, ids in any case, and be empty when unset', () => {
    expect(readRequestLimitsByOrganization({})).toEqual(new Map());
    expect(readRequestLimitsByOrganization({ RATE_LIMIT_PER_HOUR_BY_ORG: ` ${A}=5000, ${B.toUpperCase()} = 0 ,` })).toEqual(
      new Map([
        [A, 5000],
        [B, 0],
      ]),
    );
  });

  it.each([['not-an-id=5'], [`${A}=`], [`${A}=1.5`], [`${A}=-1`], [`${A}=100000001`], [`${A}`], [`${A}=5,${A}=6`]])(
    'should refuse %j naming the variable',
    (value) => {
      expect(() => readRequestLimitsByOrganization({ RATE_LIMIT_PER_HOUR_BY_ORG: value })).toThrow(/^RATE_LIMIT_PER_HOUR_BY_ORG /);
    },
  );

  it("should give an organization its override, else the default, the gateway's default", () => {
    const limits = readOrganizationRequestLimits({ RATE_LIMIT_PER_HOUR_BY_ORG: `${A}=5000` });
    expect(limits.perHour).toBe(DEFAULT_RATE_LIMITS.requestsPerHour);
    expect(DEFAULT_ORGANIZATION_REQUESTS_PER_HOUR).toBe(DEFAULT_RATE_LIMITS.requestsPerHour);
    expect(organizationRequestLimit(limits, A.toUpperCase())).toBe(5000);
    expect(organizationRequestLimit(limits, B)).toBe(1000);
    expect(readOrganizationRequestLimits({ RATE_LIMIT_PER_HOUR: '50' }).perHour).toBe(50);
  });
});
