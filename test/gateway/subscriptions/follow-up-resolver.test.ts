import { GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { classifyFollowUp, createFollowUpResolver, type FollowUpOutcome } from '../../../gateway/subscriptions/follow-up-resolver.ts';
import type { Identity } from '../../../subgraphs/shared/identity.ts';
import type { OutboxEvent } from '../../../subgraphs/shared/outbox.ts';

const notFound = new GraphQLError('no such request', { extensions: { code: 'NOT_FOUND', serviceName: 'leave' } });

describe('classifyFollowUp', () => {
  it('should take only a genuine NOT_FOUND/FORBIDDEN answer for invisibility, and anything else for a failure with its service', () => {
    expect(classifyFollowUp({ leaveRequest: { id: '1' } }, [])).toEqual({ kind: 'delivered', data: { leaveRequest: { id: '1' } } });
    expect(classifyFollowUp(null, [notFound])).toEqual({ kind: 'invisible' });
    expect(classifyFollowUp({ leaveRequest: null }, [])).toEqual({ kind: 'invisible' });
    // A network failure as the gateway hands it on: no extensions, the URL in the message.
    const network = Object.assign(new Error('request to http://leave.test/graphql failed, reason: connect ECONNREFUSED'), { extensions: undefined }) as unknown as GraphQLError;
    expect(classifyFollowUp(null, [network], (m) => (m.includes('http://leave.test/graphql') ? 'leave' : null))).toMatchObject({ kind: 'failed', code: 'SERVICE_UNAVAILABLE', service: 'leave' });
    // A subgraph's HTTP 403 (its signature check) is not a visibility answer.
    const http403 = new GraphQLError('403: Forbidden', { extensions: { code: 'FORBIDDEN', serviceName: 'people', response: { status: 403 } } });
    expect(classifyFollowUp(null, [http403])).toMatchObject({ kind: 'failed', code: 'SUBREQUEST_HTTP_ERROR', service: 'people' });
    // A failure beside a visibility answer is still a failure.
    const internal = new GraphQLError('boom', { extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'people' } });
    expect(classifyFollowUp(null, [notFound, internal])).toMatchObject({ kind: 'failed', service: 'people' });
    expect(classifyFollowUp(null, [])).toMatchObject({ kind: 'failed' });
  });
});

describe('createFollowUpResolver', () => {
  const event = { id: 7 } as OutboxEvent;
  const identity = { orgId: 'o', userId: 'u', role: 'ADMIN', scopes: ['read:leave'] } as unknown as Identity;
  const followUp = { document: parse('{ __typename }'), text: '{ __typename }', clientVariables: {} };

  it('should share a delivered result within a group but never keep a failure: the next attempt runs again', async () => {
    const outcomes: FollowUpOutcome[] = [
      { kind: 'failed', code: 'SERVICE_UNAVAILABLE', service: 'leave', message: 'down' },
      { kind: 'delivered', data: { x: 1 } },
    ];
    let runs = 0;
    const resolver = createFollowUpResolver(async () => outcomes[runs++]!);
    expect(await resolver.resolve(event, identity, followUp, {})).toMatchObject({ kind: 'failed' });
    expect(await resolver.resolve(event, identity, followUp, {})).toMatchObject({ kind: 'delivered' });
    expect(await resolver.resolve(event, identity, followUp, {})).toMatchObject({ kind: 'delivered' });
    expect(runs).toBe(2);
  });

  it('should take a query with no answer within the attempt timeout for a failure, and try again next time', async () => {
    let runs = 0;
    const resolver = createFollowUpResolver(() => (runs++ === 0 ? new Promise<FollowUpOutcome>(() => undefined) : Promise.resolve({ kind: 'invisible' })), { attemptTimeoutMs: 50 });
    expect(await resolver.resolve(event, identity, followUp, {})).toMatchObject({ kind: 'failed', message: 'no answer within 50 ms' });
    expect(await resolver.resolve(event, identity, followUp, {})).toEqual({ kind: 'invisible' });
  });

  it('should turn a query that throws into a failure, not invisibility', async () => {
    const resolver = createFollowUpResolver(async () => {
      throw new Error('socket hang up');
    });
    expect(await resolver.resolve(event, identity, followUp, {})).toMatchObject({ kind: 'failed', code: 'SERVICE_UNAVAILABLE' });
  });
});
