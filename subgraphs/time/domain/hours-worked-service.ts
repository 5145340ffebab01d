import { GraphQLError } from 'graphql';
import { appError, badInput, type ErrorCode } from '../../shared/errors.ts';
import { formatUnits, roundHalfUp, toUnits } from '../../shared/decimal.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { isId } from '../../shared/validation.ts';
import type { TimeContext } from '../context.ts';
import type { TimeDb } from '../db/database.ts';
import { findDirectoryUsers, findDirectoryUsersByExternalId } from '../db/repositories/directory.ts';
import { findHoursWorkedOnDays, upsertHoursWorked, type HoursWorkedWrite } from '../db/repositories/hours-worked.ts';
import { overtimeHoursOnDays } from '../db/repositories/overtime-submissions.ts';
import { lockPeople } from '../db/repositories/time-settings.ts';
import type { DirectoryUserRow } from '../db/tables/directory.ts';
import type { HoursWorkedRow } from '../db/tables/hours-worked.ts';
import { hoursWorkedEvent } from '../events.ts';
import { requireAdmin, requireOrganization } from './access.ts';
import { MAX_BULK_ITEMS, requireHours, requireWithinDay, requireWorkDate } from './rules.ts';

/** Holiday accrued per hour worked by irregular-hours workers (the UK's 12.07%); leave's accrual consumer applies the same rate. */
export const ACCRUAL_RATE = '0.1207';

/** One day of hours worked as the API takes it. */
export interface HoursWorkedItemInput {
  readonly userId?: string | null;
  readonly externalUserId?: string | null;
  readonly date: string;
  readonly hoursWorked: number;
  readonly leaveTypeId?: string | null;
}

export type ItemStatus = 'CREATED' | 'UPDATED' | 'UNCHANGED' | 'FAILED';

/** The outcome of one item. */
export interface HoursWorkedItemResult {
  readonly index: number;
  readonly status: ItemStatus;
  /** The day's row after the batch (null when FAILED). */
  row: HoursWorkedRow | null;
  readonly hoursAccrued: string;
  readonly noAccrualReason: string | null;
  readonly error: { code: string; field: string | null; message: string } | null;
  /** The item's error as a GraphQL error (field prefixed), for the single mutation to throw. */
  readonly graphQLError: GraphQLError | null;
  /** Key of the day, `userId|date`, to attach the written row. */
  readonly key: string | null;
}

/** 12.07% of `hoursUnits` (ten-thousandths, may be negative), in ten-thousandths, rounded half away from zero. */
function accrualUnits(hoursUnits: number): number {
  const magnitude = Number(roundHalfUp(BigInt(Math.abs(hoursUnits)) * BigInt(toUnits(ACCRUAL_RATE)), 10_000n));
  return hoursUnits < 0 ? -magnitude : magnitude;
}

function failure(index: number, error: unknown, prefix: string): HoursWorkedItemResult {
  if (!(error instanceof GraphQLError)) throw error;
  const field = typeof error.extensions['field'] === 'string' ? error.extensions['field'] : null;
  const rule = typeof error.extensions['rule'] === 'string' ? error.extensions['rule'] : undefined;
  const itemField = field === null ? null : `${prefix}${field}`;
  const code = String(error.extensions['code'] ?? 'BAD_USER_INPUT');
  // The message is `<field>: <detail>`; the item's copy names the item's field instead.
  const detail = field !== null && error.message.startsWith(`${field}: `) ? error.message.slice(field.length + 2) : error.message;
  const message = itemField ? `${itemField}: ${detail}` : error.message;
  return {
    graphQLError: appError(code as ErrorCode, message, itemField ? { field: itemField, ...(rule !== undefined ? { rule } : {}) } : {}),
    index,
    status: 'FAILED',
    row: null,
    hoursAccrued: '0',
    noAccrualReason: 'the item failed',
    error: { code, field: itemField, message },
    key: null,
  };
}

interface ValidItem {
  readonly index: number;
  readonly userId: string | null;
  readonly externalUserId: string | null;
  readonly date: string;
  readonly hours: string;
  readonly leaveTypeId: string | null;
}

/** Checks one item on its own (fields named without the item prefix). */
function validateItem(item: HoursWorkedItemInput, index: number, timeZone: string, now: Date): ValidItem {
  const userId = item.userId ?? null;
  const externalUserId = item.externalUserId?.trim() || null;
  if ((userId === null) === (externalUserId === null)) throw badInput('userId', 'EXACTLY_ONE_OF', 'give exactly one of userId and externalUserId');
  if (userId !== null && !isId(userId)) throw badInput('userId', 'UNKNOWN_REFERENCE', `${userId} is not a user of this organization`);
  if (externalUserId !== null && externalUserId.length > 100) throw badInput('externalUserId', 'TOO_LONG', 'must have at most 100 characters');
  const leaveTypeId = item.leaveTypeId ?? null;
  if (leaveTypeId !== null && !isId(leaveTypeId)) throw badInput('leaveTypeId', 'INVALID_ID', 'is not an id of this graph');
  return {
    index,
    userId,
    externalUserId,
    date: requireWorkDate('date', item.date, timeZone, now),
    hours: requireHours('hoursWorked', item.hoursWorked, true),
    leaveTypeId,
  };
}

/** Finds the person of each item, by id or external id (two statements for the batch). */
async function resolvePeople(db: TimeDb, orgId: string, items: readonly ValidItem[]): Promise<{ byId: Map<string, DirectoryUserRow>; byExternal: Map<string, DirectoryUserRow[]> }> {
  const ids = [...new Set(items.flatMap((i) => (i.userId ? [i.userId] : [])))];
  const externals = [...new Set(items.flatMap((i) => (i.externalUserId ? [i.externalUserId] : [])))];
  const [users, external] = [await findDirectoryUsers(db, orgId, ids), await findDirectoryUsersByExternalId(db, orgId, externals)];
  const byExternal = new Map<string, DirectoryUserRow[]>();
  for (const u of external) byExternal.set(u.external_id ?? '', [...(byExternal.get(u.external_id ?? '') ?? []), u]);
  return { byId: new Map(users.map((u) => [u.id, u])), byExternal };
}

function personOf(item: ValidItem, people: Awaited<ReturnType<typeof resolvePeople>>): DirectoryUserRow {
  if (item.userId !== null) {
    const user = people.byId.get(item.userId);
    if (!user) throw badInput('userId', 'UNKNOWN_REFERENCE', `${item.userId} is not a user of this organization`);
    return user;
  }
  const matches = (people.byExternal.get(item.externalUserId ?? '') ?? []).filter((u) => u.active);
  if (matches.length === 0) throw badInput('externalUserId', 'UNKNOWN_REFERENCE', `no active user of this organization has external id ${JSON.stringify(item.externalUserId)}`);
  if (matches.length > 1) throw badInput('externalUserId', 'AMBIGUOUS_REFERENCE', `${matches.length} active users share external id ${JSON.stringify(item.externalUserId)}`);
  return matches[0] as DirectoryUserRow;
}

/**
 * Records days of hours worked, each item answered on its own; `prefix` names fields
 * (`input.items.3.` for bulk, `input.` for one). Admins and service keys only.
 *
 * The batch runs in one transaction with a constant number of statements: people are
 * resolved in two, locked in one (so the 24-hour cap holds against concurrent overtime),
 * their days and overtime read in two, every changed day written in one and every event
 * appended in one. Items are checked in order in memory, so a later item for the same day
 * sees the earlier one. Same hours (and leave type) again: UNCHANGED, nothing published.
 * Changed hours: one `hours_worked.recorded` per day with its new revision, from which
 * leave moves the accrual by the difference.
 */
export async function recordHoursWorked(ctx: TimeContext, items: readonly HoursWorkedItemInput[], prefix: (index: number) => string): Promise<HoursWorkedItemResult[]> {
  requireAdmin(ctx, 'record hours worked');
  if (items.length === 0) throw badInput('input.items', 'TOO_SHORT', 'must have at least 1 item');
  if (items.length > MAX_BULK_ITEMS) throw badInput('input.items', 'TOO_LONG', `must have at most ${MAX_BULK_ITEMS} items`);
  const orgId = ctx.identity.orgId;
  const org = await requireOrganization(ctx);
  const now = ctx.services.now();
  const results: (HoursWorkedItemResult | null)[] = items.map(() => null);
  const valid: ValidItem[] = [];
  items.forEach((item, index) => {
    try {
      valid.push(validateItem(item, index, org.time_zone, now));
    } catch (error) {
      results[index] = failure(index, error, prefix(index));
    }
  });

  let people = await resolvePeople(ctx.db, orgId, valid);
  const unknown = valid.some((i) => (i.userId ? !people.byId.has(i.userId) : !people.byExternal.has(i.externalUserId ?? '')));
  if (unknown) {
    // People created a moment ago may not have reached the directory yet.
    await ctx.services.catchUpDirectory();
    people = await resolvePeople(ctx.db, orgId, valid);
  }
  const located: { item: ValidItem; user: DirectoryUserRow }[] = [];
  for (const item of valid) {
    try {
      located.push({ item, user: personOf(item, people) });
    } catch (error) {
      results[item.index] = failure(item.index, error, prefix(item.index));
    }
  }

  if (located.length > 0) {
    const written = await ctx.db.transaction().execute(async (trx) => {
      await lockPeople(trx, orgId, located.map((l) => l.user.id));
      const pairs = [...new Map(located.map((l) => [`${l.user.id}|${l.item.date}`, { userId: l.user.id, date: l.item.date }])).values()];
      const stored = new Map((await findHoursWorkedOnDays(trx, orgId, pairs)).map((r) => [`${r.user_id}|${r.date}`, r]));
      const overtime = await overtimeHoursOnDays(trx, orgId, pairs);
      // The day as the batch has left it so far: hours and leave type.
      const current = new Map<string, { hours: string; leaveTypeId: string | null }>();
      for (const [key, row] of stored) current.set(key, { hours: row.hours, leaveTypeId: row.leave_type_id });
      const writes = new Map<string, HoursWorkedWrite>();
      for (const { item, user } of located) {
        const key = `${user.id}|${item.date}`;
        try {
          requireWithinDay('hoursWorked', item.date, toUnits(overtime.get(key) ?? '0'), toUnits(item.hours));
        } catch (error) {
          results[item.index] = failure(item.index, error, prefix(item.index));
          continue;
        }
        const before = current.get(key);
        const irregular = user.employment_type === 'IRREGULAR_HOURS';
        const sameHours = before !== undefined && toUnits(before.hours) === toUnits(item.hours);
        const unchanged = sameHours && before.leaveTypeId === item.leaveTypeId;
        const difference = toUnits(item.hours) - (before ? toUnits(before.hours) : 0);
        const accrued = irregular ? accrualUnits(difference) : 0;
        const reason = unchanged
          ? 'the day already had these hours: nothing changed'
          : !irregular
            ? 'holiday accrues from hours worked only for irregular-hours workers; the hours are recorded'
            : accrued === 0
              ? 'the hours did not change'
              : null;
        results[item.index] = {
          index: item.index,
          status: before === undefined ? 'CREATED' : unchanged ? 'UNCHANGED' : 'UPDATED',
          row: null,
          hoursAccrued: formatUnits(accrued),
          noAccrualReason: reason,
          error: null,
          graphQLError: null,
          key,
        };
        if (!unchanged) {
          current.set(key, { hours: item.hours, leaveTypeId: item.leaveTypeId });
          writes.set(key, { userId: user.id, date: item.date, hours: item.hours, leaveTypeId: item.leaveTypeId });
        }
      }
      // A day several items changed back to what it had is not written at all.
      for (const [key, write] of writes) {
        const was = stored.get(key);
        if (was && toUnits(was.hours) === toUnits(write.hours) && was.leave_type_id === write.leaveTypeId) writes.delete(key);
      }
      const rows = await upsertHoursWorked(trx, orgId, ctx.identity.userId, [...writes.values()]);
      await appendEvents(
        trx,
        rows.map((row) => hoursWorkedEvent(row, ctx.identity.userId, stored.get(`${row.user_id}|${row.date}`)?.hours ?? null)),
      );
      const all = new Map(stored);
      for (const row of rows) all.set(`${row.user_id}|${row.date}`, row);
      return all;
    });
    for (const result of results) {
      if (result && result.key) result.row = written.get(result.key) ?? null;
    }
  }
  return results.map((r, index) => r ?? failure(index, badInput('items', 'NOT_PROCESSED', 'was not processed'), prefix(index)));
}
