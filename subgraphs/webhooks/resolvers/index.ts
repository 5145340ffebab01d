import crypto from 'node:crypto';
import { GraphQLScalarType } from 'graphql';
import { sql } from 'kysely';
import { appError, badInput, conflict, forbidden, notFound } from '../../shared/errors.ts';
import { hasScope } from '../../shared/identity.ts';
import { decodeCursor, isBackward, pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { isId, optionalText } from '../../shared/validation.ts';
import type { DeliveryStatus } from '../db/database.ts';
import { countAttempts, countDeliveries, listAttempts, listDeliveries } from '../db/repositories/deliveries.ts';
import { countEndpoints, deleteEndpoint, findEndpoint, insertEndpoint, listEndpoints, updateEndpoint, type EndpointRow } from '../db/repositories/endpoints.ts';
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, firstUngrantedType, isWebhookEventType } from '../domain/catalogue.ts';
import { generateSigningSecret } from '../domain/signing.ts';
import { checkEndpointUrl, UnsafeUrlError } from '../domain/url-safety.ts';
import type { WebhooksContext } from '../context.ts';
import type { Resolvers } from '../generated/graphql.ts';

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: () => {
    throw new TypeError('JSON is an output type only');
  },
});

function requireAccess(ctx: WebhooksContext, write: boolean): void {
  const scope = write ? 'write:webhooks' : 'read:webhooks';
  if (ctx.identity.role !== 'ADMIN' || !hasScope(ctx.identity, scope)) throw forbidden(`webhooks need an admin with the ${scope} or admin scope`);
}

function requireId(field: string, id: string): string {
  if (!isId(id)) throw badInput(field, 'INVALID_ID', 'must be a UUID');
  return id;
}

async function checkUrl(ctx: WebhooksContext, url: string): Promise<string> {
  try {
    return (await checkEndpointUrl(url.trim(), ctx.services.urlPolicy)).url.toString();
  } catch (error) {
    if (error instanceof UnsafeUrlError) throw badInput('input.url', 'UNSAFE_URL', error.message);
    throw error;
  }
}

/**
 * The endpoint's event types, checked: each in the catalogue, and each readable by the
 * caller (the scopes of its stream, e.g. read:people for user.*; every stream's for an
 * endpoint of all types), so an endpoint never receives data its registrar could not query.
 */
function eventTypes(ctx: WebhooksContext, field: string, types: readonly string[] | null | undefined): string[] {
  const list = [...new Set(types ?? [])];
  if (list.length > 100) throw badInput(field, 'TOO_LONG', 'must list at most 100 event types');
  for (const type of list) if (!isWebhookEventType(type)) throw badInput(field, 'INVALID_VALUE', `${JSON.stringify(type.slice(0, 100))} is not in webhookEventTypes`);
  const ungranted = firstUngrantedType(list, (scope) => hasScope(ctx.identity, scope));
  if (ungranted !== undefined) {
    const what = list.length === 0 ? 'every event type (none listed)' : ungranted;
    throw appError('FORBIDDEN', `${field}: receiving ${what} needs the scopes that read ${ungranted} (${JSON.stringify(WEBHOOK_EVENT_TYPES.find((t) => t.type === ungranted)?.scopes)})`, { field });
  }
  return list;
}

function toEndpoint(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    previousSecretExpiresAt: row.previous_secret_expires_at && row.previous_secret_expires_at > new Date() ? row.previous_secret_expires_at : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type EndpointModel = ReturnType<typeof toEndpoint>;

async function endpointOf(ctx: WebhooksContext, field: string, id: string): Promise<EndpointRow> {
  const row = await findEndpoint(ctx.db, ctx.identity.orgId, requireId(field, id));
  if (!row) throw notFound('WebhookEndpoint', id);
  return row;
}

interface DeliveryFilter {
  endpointId?: string | null;
  deliveryId?: string | null;
  eventType?: string | null;
  status?: DeliveryStatus | null;
  from?: Date | null;
  to?: Date | null;
}

function checkFilter(filter: DeliveryFilter | null | undefined): DeliveryFilter {
  const f = filter ?? {};
  if (f.endpointId) requireId('filter.endpointId', f.endpointId);
  if (f.deliveryId) requireId('filter.deliveryId', f.deliveryId);
  if (f.eventType && f.eventType.length > 200) throw badInput('filter.eventType', 'TOO_LONG', 'must have at most 200 characters');
  if (f.from && f.to && f.from > f.to) throw badInput('filter.to', 'BEFORE_START', 'must not be before filter.from');
  return f;
}

function toDelivery(row: { id: string; endpoint_id: string; event_type: string; message_id: string; body: string; status: DeliveryStatus; attempts: number; next_attempt_at: Date | null; created_at: Date }) {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventType: row.event_type,
    messageId: row.message_id,
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'PENDING' ? row.next_attempt_at : null,
    createdAt: row.created_at,
  };
}
export type DeliveryModel = ReturnType<typeof toDelivery>;

/** A catalogue entry as `WebhookEventType`, with its position (the cursor). */
function toEventType(type: (typeof WEBHOOK_EVENT_TYPES)[number], index: number) {
  return { ...type, requiredScopes: type.scopes, index };
}
export type EventTypeModel = ReturnType<typeof toEventType>;

const MAX_ROTATION_HOURS = 168;

export const webhooksResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query: {
    webhookEventTypes: (_: unknown, args: PageArgs) => {
      const limit = pageSize(args);
      // The catalogue is a fixed list: its cursor is the position.
      const position = (cursor: string, field: 'after' | 'before') => {
        const n = Number(decodeCursor(cursor, ['text'], field)[0]);
        if (!Number.isInteger(n) || n < 0) throw badInput(field, 'CURSOR_INVALID', 'is not a cursor returned by this connection');
        return n;
      };
      const start = args.after ? position(args.after, 'after') + 1 : 0;
      const end = args.before ? position(args.before, 'before') : WEBHOOK_EVENT_TYPES.length;
      const within = WEBHOOK_EVENT_TYPES.map((t, index) => toEventType(t, index)).slice(start, Math.max(start, end));
      const rows = (isBackward(args) ? within.reverse() : within).slice(0, limit + 1);
      return toConnection(rows, limit, args, (r) => [String(r.index)], (r) => r, async () => WEBHOOK_EVENT_TYPES.length);
    },
    webhookEndpoints: async (_: unknown, args: PageArgs, ctx: WebhooksContext) => {
      requireAccess(ctx, false);
      const limit = pageSize(args);
      const rows = await listEndpoints(ctx.db, ctx.identity.orgId, limit + 1, args);
      return toConnection(rows, limit, args, (r) => [r.created_at.toISOString(), r.id], toEndpoint, () => countEndpoints(ctx.db, ctx.identity.orgId));
    },
    webhookEndpoint: async (_: unknown, args: { id: string }, ctx: WebhooksContext) => {
      requireAccess(ctx, false);
      if (!isId(args.id)) throw badInput('id', 'INVALID_ID', 'must be a UUID');
      const row = await findEndpoint(ctx.db, ctx.identity.orgId, args.id);
      return row ? toEndpoint(row) : null;
    },
    webhookDeliveries: async (_: unknown, args: PageArgs & { filter?: DeliveryFilter | null }, ctx: WebhooksContext) => {
      requireAccess(ctx, false);
      const limit = pageSize(args);
      const f = checkFilter(args.filter);
      const rows = await listDeliveries(ctx.db, ctx.identity.orgId, f, limit + 1, args);
      return toConnection(rows, limit, args, (r) => [r.created_at.toISOString(), r.id], toDelivery, () => countDeliveries(ctx.db, ctx.identity.orgId, f));
    },
    webhookDeliveryAttempts: async (_: unknown, args: PageArgs & { filter?: DeliveryFilter | null }, ctx: WebhooksContext) => {
      requireAccess(ctx, false);
      const limit = pageSize(args);
      const f = checkFilter(args.filter);
      const rows = await listAttempts(ctx.db, ctx.identity.orgId, f, limit + 1, args);
      return toConnection(
        rows,
        limit,
        args,
        (r) => [r.created_at.toISOString(), r.id],
        (r) => ({
          id: r.id,
          deliveryId: r.delivery_id,
          endpointId: r.endpoint_id,
          eventType: r.event_type,
          attempt: r.attempt,
          requestHeaders: r.request_headers,
          requestBody: r.request_body,
          responseStatus: r.response_status,
          responseBody: r.response_body,
          durationMs: r.duration_ms,
          error: r.error,
          succeeded: r.succeeded,
          nextRetryAt: r.next_retry_at,
          createdAt: r.created_at,
        }),
        () => countAttempts(ctx.db, ctx.identity.orgId, f),
      );
    },
  },
  Mutation: {
    createWebhookEndpoint: async (
      _: unknown,
      { input }: { input: { url: string; eventTypes?: string[] | null; description?: string | null; enabled?: boolean | null } },
      ctx: WebhooksContext,
    ) => {
      requireAccess(ctx, true);
      const types = eventTypes(ctx, 'input.eventTypes', input.eventTypes);
      const description = optionalText('input.description', input.description, 500) ?? null;
      const url = await checkUrl(ctx, input.url);
      const secret = generateSigningSecret();
      const row = await insertEndpoint(ctx.db, { orgId: ctx.identity.orgId, url, description, eventTypes: types, enabled: input.enabled ?? true, secret });
      return { endpoint: toEndpoint(row), signingSecret: secret };
    },
    updateWebhookEndpoint: async (
      _: unknown,
      { id, input }: { id: string; input: { url?: string | null; eventTypes?: string[] | null; description?: string | null; enabled?: boolean | null } },
      ctx: WebhooksContext,
    ) => {
      requireAccess(ctx, true);
      await endpointOf(ctx, 'id', id);
      const changes: Parameters<typeof updateEndpoint>[3] = {};
      if (input.url === null) throw badInput('input.url', 'NOT_NULL', 'must not be null');
      if (input.url !== undefined) changes.url = await checkUrl(ctx, input.url);
      if (input.eventTypes !== undefined) changes.event_types = eventTypes(ctx, 'input.eventTypes', input.eventTypes);
      if (input.description !== undefined) changes.description = optionalText('input.description', input.description, 500) ?? null;
      if (input.enabled === null) throw badInput('input.enabled', 'NOT_NULL', 'must not be null');
      if (input.enabled !== undefined) {
        changes.enabled = input.enabled;
        if (input.enabled) Object.assign(changes, { disabled_reason: null, failing_since: null });
      }
      const row = await updateEndpoint(ctx.db, ctx.identity.orgId, id, changes);
      if (!row) throw notFound('WebhookEndpoint', id);
      return toEndpoint(row);
    },
    deleteWebhookEndpoint: async (_: unknown, { id }: { id: string }, ctx: WebhooksContext) => {
      requireAccess(ctx, true);
      return deleteEndpoint(ctx.db, ctx.identity.orgId, requireId('id', id));
    },
    rotateWebhookSecret: async (_: unknown, { id, input }: { id: string; input?: { windowHours?: number | null } | null }, ctx: WebhooksContext) => {
      requireAccess(ctx, true);
      const hours = input?.windowHours ?? 24;
      if (!Number.isInteger(hours) || hours < 0 || hours > MAX_ROTATION_HOURS) throw badInput('input.windowHours', 'OUT_OF_RANGE', `must be an integer between 0 and ${MAX_ROTATION_HOURS}`);
      const current = await endpointOf(ctx, 'id', id);
      const secret = generateSigningSecret();
      const row = await updateEndpoint(ctx.db, ctx.identity.orgId, id, {
        secret,
        previous_secret: hours > 0 ? current.secret : null,
        previous_secret_expires_at: hours > 0 ? new Date(Date.now() + hours * 3_600_000) : null,
      });
      if (!row) throw notFound('WebhookEndpoint', id);
      return { endpoint: toEndpoint(row), signingSecret: secret };
    },
    redeliverWebhook: async (_: unknown, { id: deliveryId }: { id: string }, ctx: WebhooksContext) => {
      requireAccess(ctx, true);
      requireId('id', deliveryId);
      return ctx.db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('deliveries').selectAll().where('org_id', '=', ctx.identity.orgId).where('id', '=', deliveryId).forUpdate().executeTakeFirst();
        if (!row) throw notFound('WebhookDelivery', deliveryId);
        if (row.status === 'PENDING') throw conflict(`delivery ${deliveryId} is still pending: it will be attempted again`, { field: 'id', rule: 'DELIVERY_PENDING' });
        const updated = await trx
          .updateTable('deliveries')
          .set({ status: 'PENDING', attempts: 0, next_attempt_at: sql<Date>`now()` })
          .where('id', '=', deliveryId)
          .returningAll()
          .executeTakeFirstOrThrow();
        await ctx.services.queue.enqueue(trx, { deliveryId, runAt: new Date() });
        return toDelivery(updated);
      });
    },
    sendTestWebhook: async (_: unknown, { id: endpointId }: { id: string }, ctx: WebhooksContext) => {
      requireAccess(ctx, true);
      const endpoint = await endpointOf(ctx, 'id', endpointId);
      const id = `evt_test_${crypto.randomBytes(8).toString('hex')}`;
      const body = JSON.stringify({ id, type: TEST_EVENT_TYPE, occurredAt: new Date().toISOString(), organizationId: ctx.identity.orgId, data: { endpointId: endpoint.id } });
      return ctx.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('deliveries')
          .values({ org_id: ctx.identity.orgId, endpoint_id: endpoint.id, event_id: null, event_type: TEST_EVENT_TYPE, message_id: `msg_${id.slice(4)}`, body, status: 'PENDING', attempts: 0, next_attempt_at: sql<Date>`now()` })
          .returningAll()
          .executeTakeFirstOrThrow();
        await ctx.services.queue.enqueue(trx, { deliveryId: row.id, runAt: new Date() });
        return toDelivery(row);
      });
    },
  },
};
