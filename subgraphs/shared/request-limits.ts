import { ConfigError, intVar } from './config.ts';
import { isId } from './validation.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Hourly request limits of organizations, set by the operator: the default for every
 * organization and overrides by organization id. No tenant mutation changes them; a key's
 * own limit may only lower its organization's.
 */
export interface OrganizationRequestLimits {
  readonly perHour: number;
  readonly byOrganization: ReadonlyMap<string, number>;
}

/** Largest hourly limit an organization may be given. */
export const MAX_ORGANIZATION_REQUESTS_PER_HOUR = 100_000_000;

/** The hourly request limit of organization `orgId`: its override, else the default. */
export function organizationRequestLimit(limits: OrganizationRequestLimits, orgId: string): number {
  return limits.byOrganization.get(orgId.toLowerCase()) ?? limits.perHour;
}

/**
 * RATE_LIMIT_PER_HOUR_BY_ORG: comma-separated `<organization id>=<requests per hour>` pairs
 * (e.g. `3f0c…=5000, 9a1b…=20000`), an empty map when unset. Throws ConfigError naming the
 * variable for a malformed pair, an id that is not a UUID, a repeated id, or a limit that is
 * not an integer from 0 to 100,000,000.
 */
export function readRequestLimitsByOrganization(env: Env): Map<string, number> {
  const name = 'RATE_LIMIT_PER_HOUR_BY_ORG';
  const limits = new Map<string, number>();
  const raw = env[name]?.trim();
  if (!raw) return limits;
  for (const pair of raw.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const match = /^([^=\s]+)\s*=\s*(\d+)$/.exec(pair);
    const orgId = match?.[1]?.toLowerCase();
    const limit = Number(match?.[2]);
    if (!orgId || !isId(orgId) || !Number.isSafeInteger(limit) || limit > MAX_ORGANIZATION_REQUESTS_PER_HOUR) {
      throw new ConfigError(`${name} must list <organization id>=<requests per hour, 0 to ${MAX_ORGANIZATION_REQUESTS_PER_HOUR}> pairs, got ${JSON.stringify(pair)}`);
    }
    if (limits.has(orgId)) throw new ConfigError(`${name} names organization ${orgId} twice`);
    limits.set(orgId, limit);
  }
  return limits;
}

/** Default RATE_LIMIT_PER_HOUR, the gateway's DEFAULT_RATE_LIMITS.requestsPerHour (OrOut's 1,000). */
export const DEFAULT_ORGANIZATION_REQUESTS_PER_HOUR = 1_000;

/**
 * The organizations' limits from RATE_LIMIT_PER_HOUR (default 1,000, 0 to 100,000,000) and
 * RATE_LIMIT_PER_HOUR_BY_ORG, read the same way by the gateway (which enforces them) and by
 * people (which refuses key limits above them).
 */
export function readOrganizationRequestLimits(env: Env): OrganizationRequestLimits {
  return {
    perHour: intVar(env, 'RATE_LIMIT_PER_HOUR', DEFAULT_ORGANIZATION_REQUESTS_PER_HOUR, 0, MAX_ORGANIZATION_REQUESTS_PER_HOUR),
    byOrganization: readRequestLimitsByOrganization(env),
  };
}
