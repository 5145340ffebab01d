import { buildSchema, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sharePayload, subscribeShared } from '../../../gateway/subscriptions/shared-execution.ts';

/** A schema whose one subscription yields the given payloads to every subscriber, counting how often `name` is resolved. */
function schemaOf(payloads: () => object[]): { schema: GraphQLSchema; resolved: () => number } {
  const schema = buildSchema(`
    type Query { ok: Boolean }
    type Person { name: String }
    type Event { cursor: String person: Person }
    type Subscription { events(flag: Boolean): Event }
  `);
  let resolved = 0;
  const event = schema.getType('Person') as unknown as { getFields(): Record<string, { resolve?: unknown }> };
  event.getFields()['name']!.resolve = (source: { name: string }) => {
    resolved += 1;
    return source.name;
  };
  const field = schema.getSubscriptionType()!.getFields()['events']!;
  field.subscribe = async function* () {
    for (const payload of payloads()) yield payload;
  };
  field.resolve = (payload: unknown) => payload;
  return { schema, resolved: () => resolved };
}

async function collect(schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}): Promise<ExecutionResult[]> {
  const stream = await subscribeShared({ schema, document: parse(query), variableValues: variables });
  if (!(Symbol.asyncIterator in stream)) throw new Error(JSON.stringify(stream));
  const out: ExecutionResult[] = [];
  for await (const result of stream) out.push(result);
  return out;
}

describe('subscribeShared', () => {
  const query = 'subscription { events { cursor person { name } } }';

  it('should execute a selection over a shared payload once for every subscriber with the same document and variables', async () => {
    const shared = [sharePayload({ cursor: 'a', person: { name: 'Ada' } }), sharePayload({ cursor: 'b', person: { name: 'Bo' } })];
    const { schema, resolved } = schemaOf(() => shared);
    const document = parse(query);
    const run = async () => {
      const stream = await subscribeShared({ schema, document });
      const out: unknown[] = [];
      if (Symbol.asyncIterator in stream) for await (const result of stream) out.push(result.data);
      return out;
    };
    const results = await Promise.all([run(), run(), run()]);
    for (const data of results) expect(data).toEqual([{ events: { cursor: 'a', person: { name: 'Ada' } } }, { events: { cursor: 'b', person: { name: 'Bo' } } }]);
    expect(resolved()).toBe(2);
  });

  it('should execute again for other variables or another document, and never share an unshared payload', async () => {
    const shared = sharePayload({ cursor: 'a', person: { name: 'Ada' } });
    const { schema, resolved } = schemaOf(() => [shared]);
    const withFlag = 'subscription($f: Boolean!) { events { cursor person @include(if: $f) { name } } }';
    const document = parse(withFlag);
    const on = await subscribeShared({ schema, document, variableValues: { f: true } });
    const off = await subscribeShared({ schema, document, variableValues: { f: false } });
    const first = async (stream: typeof on) => (Symbol.asyncIterator in stream ? (await stream.next()).value?.data : stream);
    expect(await first(on)).toEqual({ events: { cursor: 'a', person: { name: 'Ada' } } });
    expect(await first(off)).toEqual({ events: { cursor: 'a' } });
    expect(resolved()).toBe(1);

    const unshared = schemaOf(() => [{ cursor: 'x', person: { name: 'Cy' } }]);
    await collect(unshared.schema, query);
    await collect(unshared.schema, query);
    expect(unshared.resolved()).toBe(2);
  });

  it('should keep two groups apart: subscribers with the same document but different payloads (visibility) get their own data', async () => {
    let call = 0;
    // Each subscriber's stream yields its own group's payload, as two visibility groups would.
    const groups = [sharePayload({ cursor: 'a', person: { name: 'Seen by admins' } }), sharePayload({ cursor: 'a', person: { name: 'Seen by Bo' } })];
    const { schema } = schemaOf(() => [groups[call++ % 2]!]);
    const document = parse(query);
    const [admin, employee] = await Promise.all([subscribeShared({ schema, document }), subscribeShared({ schema, document })]);
    const next = async (stream: typeof admin) => (Symbol.asyncIterator in stream ? (await stream.next()).value?.data : stream);
    expect(await next(admin)).toEqual({ events: { cursor: 'a', person: { name: 'Seen by admins' } } });
    expect(await next(employee)).toEqual({ events: { cursor: 'a', person: { name: 'Seen by Bo' } } });
  });

  it('should close the source stream when the subscriber leaves', async () => {
    let closed = false;
    const { schema } = schemaOf(() => []);
    schema.getSubscriptionType()!.getFields()['events']!.subscribe = async function* () {
      try {
        yield sharePayload({ cursor: 'a', person: null });
        yield sharePayload({ cursor: 'b', person: null });
      } finally {
        closed = true;
      }
    };
    const stream = await subscribeShared({ schema, document: parse(query) });
    if (!(Symbol.asyncIterator in stream)) throw new Error('no stream');
    expect((await stream.next()).value?.data).toEqual({ events: { cursor: 'a', person: null } });
    await stream.return?.();
    expect(closed).toBe(true);
  });
});
