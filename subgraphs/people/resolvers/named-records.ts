import { badInput, conflict, isUniqueViolation, notFound } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import type { PeopleContext } from '../context.ts';
import {
  countNamed,
  findActiveNamedIdByName,
  listNamed,
  nameSortKey,
  setNamedDeactivated,
  type ActivityStatus,
  type NamedTable,
  type RowOf,
} from '../db/repositories/named-records.ts';
import { countUsers, type UserListFilter } from '../db/repositories/users.ts';
import { requireText } from '../../shared/validation.ts';
import { appendEvents, type NewEvent } from '../../shared/outbox.ts';

const TYPENAME: Record<NamedTable, string> = { departments: 'Department', teams: 'Team', sites: 'Site' };

/** The `departments` / `teams` / `sites` list resolvers. */
export function listResolver<T extends NamedTable, Node>(table: T, map: (row: Awaited<ReturnType<typeof listNamed<T>>>[number]) => Node) {
  return async (_: unknown, args: PageArgs & { status?: ActivityStatus | null }, ctx: PeopleContext) => {
    const limit = pageSize(args);
    const status = args.status ?? 'ACTIVE';
    const orgId = ctx.identity.orgId;
    const rows = await listNamed(ctx.db, table, orgId, status, limit, args);
    return toConnection(rows, limit, args, nameSortKey, map, () => countNamed(ctx.db, table, orgId, status));
  };
}

/** Loads one row through the table's loader; NOT_FOUND for unknown ids and other organizations' ids. */
export async function loadNamed<T extends NamedTable>(ctx: PeopleContext, table: T, id: string) {
  const loader = ctx.loaders[table];
  const row = await loader.load(id);
  if (!row) throw notFound(TYPENAME[table], id);
  return row as NonNullable<Awaited<ReturnType<(typeof ctx.loaders)[T]['load']>>>;
}

/** Validates a name: 1..100 characters and unique among the table's active rows. */
export async function uniqueName(ctx: PeopleContext, table: NamedTable, name: string, exceptId?: string): Promise<string> {
  const text = requireText('input.name', name, 1, 100);
  if (await findActiveNamedIdByName(ctx.db, table, ctx.identity.orgId, text, exceptId)) {
    throw badInput('input.name', 'DUPLICATE', `is already the name of another active ${TYPENAME[table].toLowerCase()}`);
  }
  return text;
}

/** Maps a race on the name index to the same error the check gives. */
export function nameTaken(table: NamedTable) {
  return (error: unknown): never => {
    if (isUniqueViolation(error, `${table}_org_name_key`)) {
      throw badInput('input.name', 'DUPLICATE', `is already the name of another active ${TYPENAME[table].toLowerCase()}`);
    }
    throw error;
  };
}

/** The `users` filter of active people referencing a department or site. */
const USING: Record<'departments' | 'sites', (id: string) => UserListFilter> = {
  departments: (id) => ({ departmentId: id }),
  sites: (id) => ({ siteId: id }),
};

/** Deactivates a department or site unless active people still reference it; `events` are published with the change. */
export async function deactivateInUse<T extends 'departments' | 'sites'>(
  ctx: PeopleContext,
  table: T,
  id: string,
  events: (row: RowOf<T>) => NewEvent[] = () => [],
) {
  const row = await loadNamed(ctx, table, id);
  if (row.deactivated_at) return row;
  const using = await countUsers(ctx.db, ctx.identity.orgId, USING[table](id));
  if (using > 0) {
    throw conflict(`id: ${using} active people still belong to this ${TYPENAME[table].toLowerCase()}; move them first`, { field: 'id', rule: 'HAS_ACTIVE_MEMBERS' });
  }
  return ctx.db.transaction().execute(async (trx) => {
    const updated = await setNamedDeactivated(trx, table, ctx.identity.orgId, id);
    await appendEvents(trx, events(updated));
    return updated;
  });
}
