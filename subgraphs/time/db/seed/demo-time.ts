import { GraphQLError } from 'graphql';
import type { Identity } from '../../../shared/identity.ts';
import { addDays, todayIn, weekdayIndex } from '../../../shared/dates.ts';
import { createTimeContext, type TimeServices } from '../../context.ts';
import { recordHoursWorked } from '../../domain/hours-worked-service.ts';
import { cancelSubmission, createSubmission, decideSubmission } from '../../domain/overtime-service.ts';
import type { TimeDb } from '../database.ts';
import { findDirectoryOrganization } from '../repositories/directory.ts';
import { insertOvertimeType, listOvertimeTypes } from '../repositories/overtime-types.ts';

/** What the demo time seed did. */
export interface DemoTime {
  readonly created: boolean;
  /** Submissions by final status. */
  readonly submissions: Readonly<Record<string, number>>;
  readonly hoursWorkedDays: number;
}

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

/**
 * Seeds the demo organization's time once (found by its overtime types): three types
 * (weekend TOIL at 1.5, evening TOIL at 1, paid), about four months of overtime in every
 * state (some approved TOIL lots from 2-3 months ago, so they expire within the month),
 * and six weeks of hours worked for the irregular-hours people, all through the same
 * services as the API. People must already be in time's directory.
 */
export async function seedDemoTime(db: TimeDb, services: TimeServices, orgId: string, adminUserId: string): Promise<DemoTime> {
  if ((await listOvertimeTypes(db, orgId, 'ALL', 1, {})).length > 0) return { created: false, submissions: {}, hoursWorkedDays: 0 };
  const org = await findDirectoryOrganization(db, orgId);
  if (!org) throw new Error(`the demo organization ${orgId} is not in time's directory yet`);
  const weekend = await insertOvertimeType(db, { org_id: orgId, name: 'Weekend cover', code: 'WKND', colour: '#6A1B9A', compensation: 'TOIL', toil_multiplier: '1.50' });
  const evening = await insertOvertimeType(db, { org_id: orgId, name: 'Evening work', code: 'EVE', colour: '#1565C0', compensation: 'TOIL', toil_multiplier: '1.00' });
  const paid = await insertOvertimeType(db, { org_id: orgId, name: 'Paid overtime', code: 'PAID', colour: '#EF6C00', compensation: 'PAID', toil_multiplier: null });

  const today = todayIn(org.time_zone, services.now());
  const admin: Identity = { orgId, userId: adminUserId, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
  const users = await db.selectFrom('directory_users').selectAll().where('org_id', '=', orgId).where('active', '=', true).orderBy('id').execute();
  const next = random(20261201);
  const counts: Record<string, number> = {};
  const staff = users.filter((u) => u.id !== adminUserId && u.employment_type !== 'IRREGULAR_HOURS').slice(0, 16);
  for (const user of staff) {
    const self: Identity = { orgId, userId: user.id, role: user.role, scopes: ['admin'], keyId: null, authMethod: 'api-key' };
    for (let n = 0; n < 4; n++) {
      const date = addDays(today, -Math.floor(5 + next() * 115));
      const isWeekend = weekdayIndex(date) >= 5;
      const type = isWeekend ? weekend : next() < 0.7 ? evening : paid;
      try {
        const row = await createSubmission(createTimeContext(db, self, services), {
          overtimeTypeId: type.id,
          date,
          hoursWorked: isWeekend ? 4 + Math.floor(next() * 4) : 1 + Math.floor(next() * 6) / 2,
          startTime: isWeekend ? '09:00' : '18:00',
          description: isWeekend ? 'Weekend warehouse cover' : 'Month-end close',
        });
        let status: string = row.status;
        const roll = next();
        const decide = createTimeContext(db, admin, services);
        if (roll < 0.6) status = (await decideSubmission(decide, row.id, 'APPROVED', 'Thanks for covering')).status;
        else if (roll < 0.75) status = (await decideSubmission(decide, row.id, 'REJECTED', 'Not pre-approved')).status;
        if (status === 'APPROVED' && roll < 0.06) status = (await cancelSubmission(decide, row.id, 'Entered twice')).status;
        counts[status] = (counts[status] ?? 0) + 1;
      } catch (error) {
        // A rule refused this one (the 24-hour cap): skip it.
        if (!(error instanceof GraphQLError)) throw error;
      }
    }
  }

  // Six weeks of shifts for the irregular-hours people, submitted as a rostering system would.
  const items = [];
  for (const user of users.filter((u) => u.employment_type === 'IRREGULAR_HOURS')) {
    for (let d = 42; d >= 1; d--) {
      if (next() < 0.45) continue;
      items.push({ userId: user.id, date: addDays(today, -d), hoursWorked: 4 + Math.floor(next() * 17) / 2 });
    }
  }
  const recorded = items.length > 0 ? await recordHoursWorked(createTimeContext(db, admin, services), items, (i) => `input.items.${i}.`) : [];
  return { created: true, submissions: counts, hoursWorkedDays: recorded.filter((r) => r.status !== 'FAILED').length };
}
