import DataLoader from 'dataloader';
import { badInput, forbidden, notFound } from '../../shared/errors.ts';
import { addDays, todayIn } from '../../shared/dates.ts';
import { hasAtMostDecimals } from '../../shared/decimal.ts';
import { pageKey, pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { isId, requireIntInRange, requireText } from '../../shared/validation.ts';
import { toilUsesApplied, type TimeContext } from '../context.ts';
import { lockPeople } from '../db/repositories/time-settings.ts';
import { countToilRowsOfUsers, findLiveToilLots, findLiveToilLotsOfUsers, findToilLots, listToilLotsOfUsers, listToilMovementsOfUsers, toilSortKey } from '../db/repositories/toil.ts';
import type { ToilLedgerRow, ToilLotRow } from '../db/tables/toil.ts';
import { maySeeTimeOfId, requireAdmin, requireDirectoryUser, requireOrganization } from '../domain/access.ts';
import { MAX_NOTE_LENGTH } from '../domain/rules.ts';
import { toilExpiryMonths } from '../domain/settings.ts';
import { accrueToil, toilBalance, useToil } from '../domain/toil.ts';
import { byId } from '../loaders.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { visibleSubmission } from './overtime-submissions.ts';

/** Furthest day a forecast may look ahead. */
const MAX_FORECAST_DAYS = 5 * 366;

/** The GraphQL `ToilBalance` of a person's lots. */
function toToilBalance(userId: string, lots: readonly ToilLotRow[], asOf: string, windowDays: number) {
  const b = toilBalance(lots, asOf, windowDays);
  return {
    userId,
    asOf: b.asOf,
    accrued: Number(b.accrued),
    used: Number(b.used),
    expired: Number(b.expired),
    available: Number(b.available),
    hoursExpiringSoon: Number(b.hoursExpiringSoon),
    nextExpiry: b.nextExpiry ? { date: b.nextExpiry.date, hours: Number(b.nextExpiry.hours) } : null,
  };
}
export type BalanceModel = ReturnType<typeof toToilBalance>;

/** The GraphQL `ToilLot` of a row. */
function toToilLot(row: ToilLotRow) {
  return {
    id: row.id,
    source: row.source,
    submissionId: row.submission_id,
    earnedOn: row.earned_on,
    hours: Number(row.hours),
    used: Number(row.used),
    expiresOn: row.expires_on,
    active: row.revoked_at === null,
  };
}
export type LotModel = ReturnType<typeof toToilLot>;

function lotLoader(ctx: TimeContext) {
  return ctx.loaders.get('toilLots', () => byId((ids) => findToilLots(ctx.db, ctx.identity.orgId, ids)));
}

function toMovement(row: ToilLedgerRow) {
  return {
    id: row.id,
    kind: row.kind,
    hours: Number(row.hours),
    lotId: row.lot_id,
    effectiveDate: row.effective_date,
    reason: row.reason,
    createdBy: row.created_by ? { __typename: 'User' as const, id: row.created_by } : null,
    createdAt: row.created_at,
  };
}
export type MovementModel = ReturnType<typeof toMovement>;

/** Validates `asOf` (today or later, at most 5 years ahead; default today) and the window (1 to 366 days). */
async function balanceArgs(ctx: TimeContext, asOf: string | null | undefined, window: number | null | undefined): Promise<{ asOf: string; window: number }> {
  const org = await requireOrganization(ctx);
  const today = todayIn(org.time_zone, ctx.services.now());
  const day = asOf ?? today;
  if (day < today) throw badInput('asOf', 'TOO_EARLY', `must be today (${today}) or later: the balance is computed from today's lots`);
  if (day > addDays(today, MAX_FORECAST_DAYS)) throw badInput('asOf', 'TOO_LATE', 'must be at most 5 years ahead');
  return { asOf: day, window: requireIntInRange('expiringWithinDays', window ?? 30, 1, 366) };
}

/** Pages of lots or movements for a batch of balances sharing the arguments, and their counts: two statements. */
function toilPages(ctx: TimeContext, table: 'toil_lots' | 'toil_ledger', limit: number, page: PageArgs) {
  const rows = ctx.loaders.get(`${table}:${JSON.stringify(page)}`, () =>
    new DataLoader<string, (ToilLotRow | ToilLedgerRow)[]>(async (userIds) => {
      const found: (ToilLotRow | ToilLedgerRow)[] =
        table === 'toil_lots'
          ? await listToilLotsOfUsers(ctx.db, ctx.identity.orgId, userIds, limit + 1, page)
          : await listToilMovementsOfUsers(ctx.db, ctx.identity.orgId, userIds, limit + 1, page);
      return userIds.map((id) => found.filter((r) => r.user_id === id));
    }),
  );
  const counts = ctx.loaders.get(`${table}:counts`, () =>
    new DataLoader<string, number>(async (userIds) => {
      const found = await countToilRowsOfUsers(ctx.db, table, ctx.identity.orgId, userIds);
      return userIds.map((id) => found.get(id) ?? 0);
    }),
  );
  return { rows, counts };
}

/** Live lots of a batch of people, one statement per request. */
export function liveLotsLoader(ctx: TimeContext): DataLoader<string, ToilLotRow[]> {
  return ctx.loaders.get('liveToilLots', () =>
    new DataLoader<string, ToilLotRow[]>(async (userIds) => {
      const rows = await findLiveToilLotsOfUsers(ctx.db, ctx.identity.orgId, userIds);
      return userIds.map((id) => rows.filter((r) => r.user_id === id));
    }),
  );
}

/** `User.toilBalance`: visible to the person, their managers and admins. */
export async function userToilBalance(ctx: TimeContext, userId: string, args: { asOf?: string | null; expiringWithinDays?: number | null }): Promise<BalanceModel> {
  if (!(await maySeeTimeOfId(ctx, userId))) throw forbidden('User.toilBalance is visible only to the person, their managers and admins');
  const { asOf, window } = await balanceArgs(ctx, args.asOf, args.expiringWithinDays);
  await toilUsesApplied(ctx);
  return toToilBalance(userId, await liveLotsLoader(ctx).load(userId), asOf, window);
}

export const toilResolvers = {
  Query: {
    async toilBalance(_: unknown, args: { userId: string; asOf?: string | null; expiringWithinDays?: number | null }, ctx: TimeContext) {
      // Someone the caller may not see answers like someone who does not exist.
      if (!isId(args.userId) || !(await maySeeTimeOfId(ctx, args.userId))) throw notFound('User', args.userId);
      return userToilBalance(ctx, args.userId, args);
    },
  },
  ToilBalance: {
    async lots(b: BalanceModel, args: PageArgs, ctx: TimeContext) {
      const limit = pageSize(args);
      const pages = toilPages(ctx, 'toil_lots', limit, pageKey(args, limit));
      const rows = (await pages.rows.load(b.userId)) as ToilLotRow[];
      return toConnection(rows, limit, args, toilSortKey, toToilLot, () => pages.counts.load(b.userId));
    },
    async ledger(b: BalanceModel, args: PageArgs, ctx: TimeContext) {
      const limit = pageSize(args);
      const pages = toilPages(ctx, 'toil_ledger', limit, pageKey(args, limit));
      const rows = (await pages.rows.load(b.userId)) as ToilLedgerRow[];
      return toConnection(rows, limit, args, toilSortKey, toMovement, () => pages.counts.load(b.userId));
    },
  },
  ToilLot: {
    // Resolved here, not left to a bare reference: time owns submissions, so no other subgraph fills their fields.
    submission: (lot: LotModel, _: unknown, ctx: TimeContext) => (lot.submissionId ? visibleSubmission(ctx, lot.submissionId) : null),
  },
  ToilMovement: {
    async lot(m: ReturnType<typeof toMovement>, _: unknown, ctx: TimeContext) {
      const lot = await lotLoader(ctx).load(m.lotId);
      if (!lot) throw new Error(`TOIL lot ${m.lotId} not found`);
      return toToilLot(lot);
    },
  },
  Mutation: {
    async adjustToil(_: unknown, { input: args }: { input: { userId: string; hours: number; date?: string | null; reason: string } }, ctx: TimeContext) {
      requireAdmin(ctx, 'adjust TOIL');
      const org = await requireOrganization(ctx);
      const user = await requireDirectoryUser(ctx, args.userId, 'input.userId');
      if (!Number.isFinite(args.hours) || args.hours === 0) throw badInput('input.hours', 'MUST_NOT_BE_ZERO', 'must not be 0');
      if (Math.abs(args.hours) > 1000) throw badInput('input.hours', 'OUT_OF_RANGE', 'must be between -1000 and 1000');
      if (!hasAtMostDecimals(args.hours, 2)) throw badInput('input.hours', 'TOO_MANY_DECIMALS', 'must have at most 2 decimal places');
      const reason = requireText('input.reason', args.reason, 1, MAX_NOTE_LENGTH);
      const today = todayIn(org.time_zone, ctx.services.now());
      const date = args.date ?? today;
      if (date < '2000-01-01' || date > addDays(today, 366)) throw badInput('input.date', 'OUT_OF_RANGE', 'must be from 2000-01-01 to a year from today');
      const hours = Math.abs(args.hours).toFixed(2);
      await ctx.db.transaction().execute(async (trx) => {
        await lockPeople(trx, ctx.identity.orgId, [user.id]);
        if (args.hours > 0) {
          await accrueToil(trx, {
            orgId: ctx.identity.orgId,
            userId: user.id,
            source: 'ADJUSTMENT',
            submissionId: null,
            earnedOn: date,
            hours,
            expiryMonths: await toilExpiryMonths(trx, ctx.identity.orgId),
            reason,
            actorId: ctx.identity.userId,
          });
        } else {
          await useToil(trx, { orgId: ctx.identity.orgId, userId: user.id, hours, date, sourceId: `adjustment:${crypto.randomUUID()}`, reason, actorId: ctx.identity.userId, allowPartial: false });
        }
      });
      const lots = await findLiveToilLots(ctx.db, ctx.identity.orgId, user.id, false);
      return toToilBalance(user.id, lots, date < today ? today : date, 30);
    },
  },
} satisfies Resolvers;
