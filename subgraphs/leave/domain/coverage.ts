import type { LeaveDb } from '../db/database.ts';
import { findAbsentDays } from '../db/repositories/absences.ts';
import { findDepartmentCoverageRules } from '../db/repositories/coverage-rules.ts';
import { findDepartmentMembers } from '../db/repositories/directory.ts';
import type { CoverageRuleRow } from '../db/tables/coverage-rules.ts';
import type { DirectoryUserRow } from '../db/tables/directory.ts';
import { eachDay, weekdayIndex } from './dates.ts';

/** Presence in the department on one day, counting the proposed absence. */
export interface CoverageDayResult {
  readonly date: string;
  readonly workingMembers: number;
  readonly absent: number;
  readonly present: number;
  readonly presentPercent: number;
  readonly violatedRules: readonly CoverageRuleRow[];
}

/** The outcome of checking a proposed absence against the department's rules. */
export interface CoverageResult {
  readonly hasViolation: boolean;
  readonly blocking: boolean;
  /** e.g. "Team coverage would drop below 60%"; null without violation. */
  readonly message: string | null;
  readonly violatedRules: readonly CoverageRuleRow[];
  readonly days: readonly CoverageDayResult[];
}

export interface CoverageInput {
  readonly orgId: string;
  /** The person who would be away (their department's rules apply). */
  readonly user: DirectoryUserRow;
  readonly startDate: string;
  readonly endDate: string;
  /** A request being updated: its current days do not count as an existing absence. */
  readonly excludeRequestId?: string | null;
}

/** Whether a working pattern (hours Monday..Sunday) has hours on `date`'s weekday. */
function worksOn(member: DirectoryUserRow, date: string): boolean {
  return Number(member.working_pattern[weekdayIndex(date)] ?? 0) > 0;
}

/** A numeric(5,2) percent as whole hundredths, so comparisons are exact. */
function hundredths(percent: string): number {
  return Math.round(Number(percent) * 100);
}

/** Which minimum of a rule a day breaks: its share, its head count, or both. */
function brokenMinimums(rule: CoverageRuleRow, present: number, working: number): { percent: boolean; count: boolean } {
  // present / working * 100 < minimum, in integers: present * 100 * 100 < minimum in hundredths * working.
  const percent = rule.minimum_percent !== null && present * 10_000 < hundredths(rule.minimum_percent) * working;
  const count = rule.minimum_count !== null && present < rule.minimum_count;
  return { percent, count };
}

function percentText(percent: string): string {
  return String(hundredths(percent) / 100);
}

/**
 * Checks a proposed absence against the coverage rules of the person's department, day by
 * day from `startDate` to `endDate`:
 *
 * - working members: active members of the department whose working pattern has hours on
 *   that weekday, plus the person if they work that day (even if the directory has not yet
 *   placed them in the department's active members);
 * - absent: working members with an APPROVED or PENDING request whose day has an amount
 *   above zero (except `excludeRequestId`), plus the person when they work that day;
 * - present = working - absent; the share is 100% when nobody works that day.
 *
 * A rule is broken on a day when the share present is below its `minimum_percent` or the
 * head count below its `minimum_count`, and only on days the person works: on other days
 * their absence changes nothing, so it cannot be what breaks a rule (this also keeps
 * weekends from breaking head-count rules). Public holidays and closure days are not
 * special-cased: members off on a holiday without a request count as present.
 *
 * The message names the first broken rule with a share (block rules first, then by name),
 * e.g. "Team coverage would drop below 60%", else the first broken head count, e.g.
 * "Team coverage would drop below 3 people present". A person without a department has
 * no rules and no days. Three SQL statements whatever the range: members, rules, absences.
 */
export async function checkCoverage(db: LeaveDb, input: CoverageInput): Promise<CoverageResult> {
  const departmentId = input.user.department_id;
  if (!departmentId) return { hasViolation: false, blocking: false, message: null, violatedRules: [], days: [] };
  const [members, rules] = await Promise.all([
    findDepartmentMembers(db, input.orgId, departmentId),
    findDepartmentCoverageRules(db, input.orgId, departmentId),
  ]);
  const team = new Map(members.map((m) => [m.id, m]));
  team.set(input.user.id, input.user);
  const absences = await findAbsentDays(db, input.orgId, [...team.keys()], input.startDate, input.endDate, input.excludeRequestId);
  const awayOn = new Map<string, Set<string>>();
  for (const { user_id, date } of absences) {
    const away = awayOn.get(date) ?? new Set<string>();
    away.add(user_id);
    awayOn.set(date, away);
  }

  const broken = new Map<string, { rule: CoverageRuleRow; percent: boolean; count: boolean }>();
  const days: CoverageDayResult[] = eachDay(input.startDate, input.endDate).map((date) => {
    const working = [...team.values()].filter((m) => worksOn(m, date));
    const personWorks = worksOn(input.user, date);
    const away = new Set(awayOn.get(date));
    if (personWorks) away.add(input.user.id);
    const absent = working.filter((m) => away.has(m.id)).length;
    const present = working.length - absent;
    const violatedRules: CoverageRuleRow[] = [];
    if (personWorks) {
      for (const rule of rules) {
        const minimums = brokenMinimums(rule, present, working.length);
        if (!minimums.percent && !minimums.count) continue;
        violatedRules.push(rule);
        const seen = broken.get(rule.id) ?? { rule, percent: false, count: false };
        broken.set(rule.id, { rule, percent: seen.percent || minimums.percent, count: seen.count || minimums.count });
      }
    }
    const presentPercent = working.length === 0 ? 100 : Math.round((present / working.length) * 10_000) / 100;
    return { date, workingMembers: working.length, absent, present, presentPercent, violatedRules };
  });

  // Rules come block-first, then by name: keep that order for the summary.
  const violated = rules.flatMap((r) => {
    const found = broken.get(r.id);
    return found ? [found] : [];
  });
  const byPercent = violated.find((v) => v.percent);
  const byCount = violated.find((v) => v.count);
  let message: string | null = null;
  if (byPercent?.rule.minimum_percent) message = `Team coverage would drop below ${percentText(byPercent.rule.minimum_percent)}%`;
  else if (byCount?.rule.minimum_count !== undefined && byCount.rule.minimum_count !== null) {
    const n = byCount.rule.minimum_count;
    message = `Team coverage would drop below ${n} ${n === 1 ? 'person' : 'people'} present`;
  }
  return {
    hasViolation: violated.length > 0,
    blocking: violated.some((v) => v.rule.enforcement === 'BLOCK'),
    message,
    violatedRules: violated.map((v) => v.rule),
    days,
  };
}
