import { GraphQLError } from 'graphql';
import type { Insertable } from 'kysely';
import type { Identity } from '../../../shared/identity.ts';
import { uniqueIds } from '../../../shared/validation.ts';
import { createLeaveContext, type LeaveServices } from '../../context.ts';
import { addDays, todayIn, weekdayIndex } from '../../domain/dates.ts';
import { approveLeaveRequest, cancelLeaveRequest, createLeaveRequest, rejectLeaveRequest } from '../../domain/leave-request-service.ts';
import { hasNoWorkingPattern } from '../../domain/working-days.ts';
import type { LeaveDb } from '../database.ts';
import { insertClosureDay, insertRestrictedDay } from '../repositories/calendar-days.ts';
import { insertCoverageRule } from '../repositories/coverage-rules.ts';
import { findDirectoryOrganization } from '../repositories/directory.ts';
import { findDeductingLeaveTypes } from '../repositories/user-leave.ts';
import { insertLeaveType } from '../repositories/leave-types.ts';
import type { LeaveTypesTable } from '../tables/leave-types.ts';
import type { DirectoryUserRow } from '../tables/directory.ts';

/** What the demo leave seed did. */
export interface DemoLeave {
  readonly created: boolean;
  /** Requests by final status. */
  readonly requests: Readonly<Record<string, number>>;
}

type TypeSpec = Omit<Insertable<LeaveTypesTable>, 'org_id'>;

const TYPES: Record<'annual' | 'sick' | 'unpaid' | 'bereavement', TypeSpec> = {
  annual: {
    name: 'Annual leave', code: 'AL', colour: '#2E7D32', unit: 'DAYS', category: 'VACATION', paid: true, requires_approval: true,
    requires_document: false, requires_comment: false, half_days_allowed: true, deducts_from_allowance: true, allow_negative_balance: false,
    private: false, default_entitlement: '25.00',
  },
  sick: {
    name: 'Sick leave', code: 'SICK', colour: '#C62828', unit: 'DAYS', category: 'SICK_LEAVE', paid: true, requires_approval: false,
    requires_document: true, requires_comment: false, half_days_allowed: true, deducts_from_allowance: false, allow_negative_balance: false,
    private: true, default_entitlement: null,
  },
  unpaid: {
    name: 'Unpaid leave', code: 'UNP', colour: '#6D4C41', unit: 'DAYS', category: 'UNPAID_LEAVE', paid: false, requires_approval: true,
    requires_document: false, requires_comment: false, half_days_allowed: false, deducts_from_allowance: false, allow_negative_balance: false,
    private: false, default_entitlement: null,
  },
  bereavement: {
    name: 'Bereavement leave', code: 'BRV', colour: '#455A64', unit: 'DAYS', category: 'OTHER', paid: true, requires_approval: true,
    requires_document: false, requires_comment: false, half_days_allowed: false, deducts_from_allowance: false, allow_negative_balance: false,
    private: true, default_entitlement: null,
  },
};

/** A small deterministic generator (mulberry32), so every demo database holds the same story. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The next Monday on or after `date`. */
function monday(date: string): string {
  return addDays(date, (7 - weekdayIndex(date)) % 7);
}

/**
 * Seeds the demo organization's leave once (found by its leave types): four leave types,
 * a coverage rule per department (one blocking), a restricted stocktake day, a closure day,
 * and about a year of requests (ten months back, two ahead) in every state, made through
 * the same service as the API so every rule, allowance and event applies. A request a
 * rule refuses is skipped. People must already be in leave's directory.
 */
export async function seedDemoLeave(db: LeaveDb, services: LeaveServices, orgId: string, adminUserId: string): Promise<DemoLeave> {
  if ((await findDeductingLeaveTypes(db, orgId)).length > 0) return { created: false, requests: {} };
  const org = await findDirectoryOrganization(db, orgId);
  if (!org) throw new Error(`the demo organization ${orgId} is not in leave's directory yet`);
  const types = {} as Record<keyof typeof TYPES, { id: string }>;
  for (const [key, spec] of Object.entries(TYPES) as [keyof typeof TYPES, TypeSpec][]) types[key] = await insertLeaveType(db, { ...spec, org_id: orgId });
  const users = await db.selectFrom('directory_users').selectAll().where('org_id', '=', orgId).where('active', '=', true).orderBy('id').execute();
  const departments = uniqueIds(users.map((u) => u.department_id).filter((d): d is string => d !== null)).sort();
  for (const [i, departmentId] of departments.entries()) {
    await insertCoverageRule(db, {
      org_id: orgId,
      department_id: departmentId,
      name: i === 0 ? 'At least two people in' : 'Keep 60% of the team in',
      minimum_percent: i === 0 ? null : '60.00',
      minimum_count: i === 0 ? 2 : null,
      enforcement: i === 0 ? 'BLOCK' : 'WARN',
    });
  }
  const today = todayIn(org.time_zone, services.now());
  const stocktake = monday(addDays(today, 45));
  await insertRestrictedDay(db, {
    org_id: orgId, department_id: departments[1] ?? null, date: stocktake, name: 'Quarterly stocktake', note: 'All hands in the warehouse', created_by: adminUserId,
  });
  const year = Number(today.slice(0, 4));
  await insertClosureDay(db, { org_id: orgId, date: `${year}-12-24`, name: 'Christmas Eve shutdown', created_by: adminUserId });

  const admin: Identity = { orgId, userId: adminUserId, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
  const next = random(20261123);
  const counts: Record<string, number> = {};
  const workers = users.filter((u: DirectoryUserRow) => !hasNoWorkingPattern(u) && u.id !== adminUserId);
  for (const user of workers) {
    // Each person: a handful of requests spread over the year, each through the real service.
    for (let n = 0; n < 5; n++) {
      const start = monday(addDays(today, Math.floor(-300 + next() * 360)));
      const length = 1 + Math.floor(next() * 4);
      const kind = next() < 0.75 ? 'annual' : next() < 0.6 ? 'sick' : next() < 0.5 ? 'unpaid' : 'bereavement';
      const ctx = createLeaveContext(db, admin, services);
      try {
        const row = await createLeaveRequest(ctx, {
          userId: user.id,
          leaveTypeId: types[kind].id,
          startDate: start,
          endDate: addDays(start, length - 1),
          reason: kind === 'sick' ? 'PAID_TIME_OFF' : kind === 'unpaid' ? 'SABBATICAL' : kind === 'bereavement' ? 'BEREAVEMENT' : null,
          comment: kind === 'annual' ? 'Family holiday' : null,
        });
        let status = row.status;
        if (status === 'PENDING') {
          const roll = next();
          const decide = createLeaveContext(db, admin, services);
          if (start < today || roll < 0.55) status = (await approveLeaveRequest(decide, row.id, 'Approved, enjoy')).status;
          else if (roll < 0.7) status = (await rejectLeaveRequest(decide, row.id, 'Too many people away that week')).status;
          if (status === 'APPROVED' && roll > 0.92) status = (await cancelLeaveRequest(decide, row.id, 'Plans changed')).status;
        }
        counts[status] = (counts[status] ?? 0) + 1;
      } catch (error) {
        // A rule refused this one (overlap, allowance, coverage, holiday...): skip it.
        if (!(error instanceof GraphQLError)) throw error;
      }
    }
  }
  return { created: true, requests: counts };
}

/** What the demo TOIL leave seed did. */
export interface DemoToilLeave {
  readonly created: boolean;
  /** TOIL leave requests by final status. */
  readonly requests: Readonly<Record<string, number>>;
}

const TOIL_TYPE: TypeSpec = {
  name: 'Time off in lieu', code: 'TOIL', colour: '#00838F', unit: 'HOURS', category: 'OTHER', paid: true, requires_approval: true,
  requires_document: false, requires_comment: false, half_days_allowed: false, deducts_from_allowance: false, allow_negative_balance: false,
  private: false, default_entitlement: null,
};

/**
 * Seeds the demo organization's TOIL leave once (found by a type that draws on TOIL): a
 * "Time off in lieu" type counted in hours, and requests of it by the people whose TOIL
 * leave's projection already holds (the time seed's approved overtime), in every state,
 * through the same service as the API, so the TOIL check, the use on approval and the
 * give-back on cancellation all apply. Call it after the time seed, once leave has caught
 * up with time's `toil.changed` events.
 */
export async function seedDemoToilLeave(db: LeaveDb, services: LeaveServices, orgId: string, adminUserId: string): Promise<DemoToilLeave> {
  const existing = await db.selectFrom('leave_types').select('id').where('org_id', '=', orgId).where('draws_on_toil', '=', true).executeTakeFirst();
  if (existing) return { created: false, requests: {} };
  const org = await findDirectoryOrganization(db, orgId);
  if (!org) throw new Error(`the demo organization ${orgId} is not in leave's directory yet`);
  const type = await insertLeaveType(db, { ...TOIL_TYPE, org_id: orgId, draws_on_toil: true });
  const today = todayIn(org.time_zone, services.now());
  const balances = await db.selectFrom('toil_balances').selectAll().where('org_id', '=', orgId).orderBy('user_id').execute();
  const admin: Identity = { orgId, userId: adminUserId, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
  const counts: Record<string, number> = {};
  let n = 0;
  for (const balance of balances) {
    if (balance.user_id === adminUserId) continue;
    // A day off within the next four weeks, of whole hours the person still has.
    const day = addDays(monday(addDays(today, 7 * (n % 4))), n % 5);
    const usable = balance.lots.filter((l) => l.expiresOn === null || l.expiresOn > day).reduce((sum, l) => sum + Number(l.hours) - Number(l.used), 0);
    const hours = Math.min(4, Math.floor(usable));
    if (hours < 1) continue;
    const ctx = createLeaveContext(db, admin, services);
    try {
      const row = await createLeaveRequest(ctx, { userId: balance.user_id, leaveTypeId: type.id, startDate: day, endDate: day, firstDayHours: hours, reason: 'TIME_OFF_IN_LIEU', comment: 'Taking back my weekend cover' });
      let status = row.status;
      const decide = createLeaveContext(db, admin, services);
      const kind = n % 4;
      if (kind === 0 || kind === 2) status = (await approveLeaveRequest(decide, row.id, 'Enjoy the time back')).status;
      if (kind === 2) status = (await cancelLeaveRequest(decide, row.id, 'Needed on the day after all')).status;
      if (kind === 3) status = (await rejectLeaveRequest(decide, row.id, 'Stocktake that day: pick another')).status;
      counts[status] = (counts[status] ?? 0) + 1;
    } catch (error) {
      // A rule refused this one (not a working day, a closure, a coverage rule...): skip it.
      if (!(error instanceof GraphQLError)) throw error;
    }
    if (++n >= 10) break;
  }
  return { created: true, requests: counts };
}
