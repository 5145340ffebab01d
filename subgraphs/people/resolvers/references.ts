import { badInput } from '../../shared/errors.ts';
import { isId, uniqueIds } from '../../shared/validation.ts';
import type { PeopleContext } from '../context.ts';
import { findActiveNamedIds, type NamedTable } from '../db/repositories/named-records.ts';
import { findTags } from '../db/repositories/tags.ts';
import { findActiveUserIds } from '../db/repositories/users.ts';

const LABEL: Record<NamedTable | 'users' | 'tags', string> = {
  users: 'an active user',
  departments: 'an active department',
  teams: 'an active team',
  sites: 'an active site',
  tags: 'a tag',
};

/**
 * Checks that every id in `ids` names a row of the caller's organization (active, where
 * the table has activity) and returns them without duplicates; otherwise BAD_USER_INPUT
 * on `field` naming the first bad id. Other organizations' ids fail exactly like unknown ones.
 */
export async function requireReferences(
  ctx: PeopleContext,
  table: NamedTable | 'users' | 'tags',
  field: string,
  ids: readonly string[],
): Promise<string[]> {
  const wanted = uniqueIds(ids);
  const valid = wanted.filter(isId);
  const orgId = ctx.identity.orgId;
  let found: Set<string>;
  if (table === 'users') found = await findActiveUserIds(ctx.db, orgId, valid);
  else if (table === 'tags') found = new Set((await findTags(ctx.db, orgId, valid)).map((t) => t.id));
  else found = await findActiveNamedIds(ctx.db, table, orgId, valid);
  const missing = wanted.find((id) => !found.has(id));
  if (missing !== undefined) throw badInput(field, 'UNKNOWN_REFERENCE', `${missing} is not ${LABEL[table]} of this organization`);
  return wanted;
}

/** `requireReferences` for one optional id: null and undefined pass through. */
export async function requireReference(
  ctx: PeopleContext,
  table: NamedTable | 'users' | 'tags',
  field: string,
  id: string | null | undefined,
): Promise<string | null | undefined> {
  if (id === null || id === undefined) return id;
  await requireReferences(ctx, table, field, [id]);
  return id;
}
