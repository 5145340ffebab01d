import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createFollowUpPreparer, placeholderVariables } from '../../../gateway/subscriptions/follow-up-preparer.ts';
import type { FollowUp } from '../../../gateway/subscriptions/follow-up.ts';
import type { Identity } from '../../../subgraphs/shared/identity.ts';

const identity: Identity = { orgId: '11111111-1111-4111-8111-111111111111', userId: null, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };

function followUp(text: string, clientVariables: Record<string, unknown> = {}): FollowUp {
  const document = parse(text);
  return { document, text: print(document), clientVariables };
}

const A = followUp('query SubscriptionFollowUp($__id: ID!, $__withActor: Boolean!, $n: Int) { leaveRequest(id: $__id) { id } actor: user(id: $__id) @include(if: $__withActor) { name } }', { n: 3 });
const B = followUp('query SubscriptionFollowUp($__id: ID!) { leaveRequest(id: $__id) { status } }');

describe('placeholderVariables', () => {
  it("should give each of a follow-up's own $__ variables a well-formed value of its type, and leave the client's alone", () => {
    expect(placeholderVariables(parse('query Q($__id: ID!, $__withActor: Boolean!, $__n: Int!, $__x: Float, $mine: String) { a }'))).toEqual({
      __id: '00000000-0000-0000-0000-000000000000',
      __withActor: false,
      __n: 0,
      __x: 0,
    });
  });
});

describe('createFollowUpPreparer', () => {
  it('should plan each distinct follow-up once per schema, with its client variables and placeholders', async () => {
    const runs: { text: string; variables: Record<string, unknown> }[] = [];
    let schema: object | null = {};
    const preparer = createFollowUpPreparer(async (document, variables) => void runs.push({ text: print(document), variables }), () => schema);
    preparer.prepare(A, identity);
    preparer.prepare(A, identity);
    preparer.prepare(B, identity);
    await new Promise((r) => setImmediate(r));
    expect(runs.map((r) => r.text)).toEqual([A.text, B.text]);
    expect(runs[0]!.variables).toEqual({ n: 3, __id: '00000000-0000-0000-0000-000000000000', __withActor: false });
    expect(preparer.prepared()).toBe(2);
    // A new schema's plans are new: prepared again.
    schema = {};
    preparer.prepare(A, identity);
    await new Promise((r) => setImmediate(r));
    expect(runs).toHaveLength(3);
    // Before a schema is loaded there is nothing to plan against.
    schema = null;
    preparer.prepare(B, identity);
    await new Promise((r) => setImmediate(r));
    expect(runs).toHaveLength(3);
  });

  it('should forget a preparation that failed, so that a later subscriber tries again', async () => {
    let fail = true;
    let attempts = 0;
    const schema = {};
    const preparer = createFollowUpPreparer(async () => {
      attempts += 1;
      if (fail) throw new Error('no schema yet');
    }, () => schema);
    preparer.prepare(A, identity);
    await new Promise((r) => setImmediate(r));
    expect(preparer.prepared()).toBe(0);
    fail = false;
    preparer.prepare(A, identity);
    await new Promise((r) => setImmediate(r));
    expect(attempts).toBe(2);
    expect(preparer.prepared()).toBe(1);
  });

  it('should prepare at most maxPrepared follow-ups per schema (later ones are planned by their first event)', async () => {
    let runs = 0;
    const schema = {};
    const preparer = createFollowUpPreparer(async () => void (runs += 1), () => schema, { maxPrepared: 2 });
    for (let i = 0; i < 5; i += 1) preparer.prepare(followUp(`query SubscriptionFollowUp($__id: ID!) { leaveRequest(id: $__id) { id f${i}: status } }`), identity);
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
  });
});
