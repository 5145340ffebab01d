import type { GraphQLSchema } from 'graphql';
import { actualCost } from '../cost/actual-cost.ts';
import type { CostModel } from '../cost/cost-model.ts';
import { budgetSubject } from '../operation-policy.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import { createSpendBatcher } from '../rate-limit/spend-batcher.ts';
import { eventThrottled, type SubscriptionRuntime } from './subscription-schema.ts';

type ResolveFollowUp = SubscriptionRuntime['resolveFollowUp'];

export interface EventChargeOptions {
  /** Resolves a payload (shared per group of subscribers). */
  readonly resolve: ResolveFollowUp;
  readonly limiter: Pick<RateLimiter, 'spend'>;
  readonly costModel: CostModel;
  /** The API schema follow-ups run against (null until loaded). */
  readonly schema: () => GraphQLSchema | null;
}

/**
 * Wraps payload resolution so each delivered event is charged its actual cost to the
 * subscriber's budget: measured once per shared result, charged in one statement per key
 * and turn (see `createSpendBatcher`). An event the budget cannot pay for throws
 * `eventThrottled` (the subscription ends with RATE_LIMITED and a resumable cursor);
 * accounting that fails (database unreachable) is logged and does not hold back the event.
 */
export function chargeEvents(options: EventChargeOptions): ResolveFollowUp {
  const spend = createSpendBatcher(options.limiter);
  const costs = new WeakMap<object, number>();
  return async (event, identity, followUp, variables) => {
    const data = await options.resolve(event, identity, followUp, variables);
    const schema = options.schema();
    if (data === null || !schema) return data;
    let cost = costs.get(data);
    if (cost === undefined) costs.set(data, (cost = actualCost(schema, followUp.document, options.costModel, data, { variables })));
    const spent = await spend(budgetSubject(identity), cost).catch((error: unknown) => {
      console.error('gateway: charging an event failed', error);
      return null;
    });
    if (spent && !spent.allowed) throw eventThrottled(event, cost, spent.budget, spent.retryAfterSeconds ?? 1);
    return data;
  };
}
