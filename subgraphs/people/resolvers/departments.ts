import type { PageArgs } from '../../shared/pagination.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import { insertDepartment, updateDepartment } from '../db/repositories/departments.ts';
import type { ActivityStatus } from '../db/repositories/named-records.ts';
import type { Updateable } from 'kysely';
import type { DepartmentsTable } from '../db/tables/departments.ts';
import { toDepartment, type DepartmentModel } from './mappers.ts';
import { departmentOf, userConnection, userOf } from './lookups.ts';
import { deactivateInUse, listResolver, loadNamed, nameTaken, uniqueName } from './named-records.ts';
import { requireReference } from './references.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { departmentEvent } from '../events.ts';
import type { Resolvers } from '../generated/graphql.ts';

interface DepartmentInput {
  name?: string | null;
  managerId?: string | null;
}

async function validate(ctx: PeopleContext, input: DepartmentInput, id?: string) {
  const patch: Updateable<DepartmentsTable> = {};
  if (input.name !== undefined) patch.name = await uniqueName(ctx, 'departments', input.name ?? '', id);
  if (input.managerId !== undefined) patch.manager_id = await requireReference(ctx, 'users', 'input.managerId', input.managerId);
  return patch;
}

export const departmentResolvers = {
  Query: {
    department: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => toDepartment(await loadNamed(ctx, 'departments', id)),
    departments: listResolver('departments', toDepartment),
  },
  Department: {
    __resolveReference: (ref: { id: string }, ctx: PeopleContext) => departmentOf(ctx, ref.id),
    manager: (department: DepartmentModel, _: unknown, ctx: PeopleContext) => userOf(ctx, department.managerId),
    members: (department: DepartmentModel, args: PageArgs & { status?: ActivityStatus | null }, ctx: PeopleContext) =>
      userConnection(ctx, { departmentId: department.id, status: args.status ?? 'ACTIVE' }, args),
  },
  Mutation: {
    createDepartment: async (_: unknown, { input }: { input: DepartmentInput & { name: string } }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'create departments');
      const patch = await validate(ctx, input);
      const row = await ctx.db
        .transaction()
        .execute(async (trx) => {
          const created = await insertDepartment(trx, {
            org_id: ctx.identity.orgId,
            name: patch.name ?? input.name,
            manager_id: patch.manager_id ?? null,
          });
          await appendEvents(trx, [departmentEvent(created, 'created', ctx.identity.userId)]);
          return created;
        })
        .catch(nameTaken('departments'));
      return toDepartment(row);
    },
    updateDepartment: async (_: unknown, { id, input }: { id: string; input: DepartmentInput }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'change departments');
      await loadNamed(ctx, 'departments', id);
      const patch = await validate(ctx, input, id);
      const row = await ctx.db
        .transaction()
        .execute(async (trx) => {
          const updated = await updateDepartment(trx, ctx.identity.orgId, id, patch);
          await appendEvents(trx, [departmentEvent(updated, 'updated', ctx.identity.userId)]);
          return updated;
        })
        .catch(nameTaken('departments'));
      return toDepartment(row);
    },
    deactivateDepartment: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'deactivate departments');
      const row = await deactivateInUse(ctx, 'departments', id, (updated) => [departmentEvent(updated, 'deactivated', ctx.identity.userId)]);
      return toDepartment(row);
    },
  },
} satisfies Resolvers;
