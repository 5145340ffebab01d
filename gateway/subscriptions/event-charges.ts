import type { GraphQLSchema } from 'graphql';
import { actualCost } from '../cost/actual-cost.ts';
import type { CostModel } from '../cost/cost-model.ts';
import { budgetSubject } from '../operation-policy.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import { createSpendBatcher } from '../rate-limit/spend-batcher.ts';
import { eventThrottled, type SubscriptionRuntime } from './subscription-schema.ts';
import { serviceLogger } from '../../subgraphs/shared/logger.ts';

const log = serviceLogger('gateway');

type ResolveFollowUp = SubscriptionRuntime['resolveFollowUp'];
type Spent = Awaited<ReturnType<ReturnType<typeof createSpendBatcher>>> | null;

export interface EventChargeOptions {
  /** Resolves a payload (shared per group of subscribers: one outcome object per group). */
  readonly resolve: ResolveFollowUp;
  readonly limiter: Pick<RateLimiter, 'spend'>;
  readonly costModel: CostModel;
  /** The API schema follow-ups run against (null until loaded). */
  readonly schema: () => GraphQLSchema | null;
}

/**
 * Wraps payload resolution so each delivered event is charged what the system spent on it:
 * its actual cost, once per budget subject (key) and selection group, however many
 * subscriptions of that key share the group (their result is computed once). Charges of one
 * key coalesce into one statement per turn (see `createSpendBatcher`). An event the budget
 * cannot pay for throws `eventThrottled` to every subscription of the group (each ends with
 * RATE_LIMITED and a resumable cursor); accounting that fails (database unreachable) is
 * logged and does not hold back the event. Failed and invisible outcomes cost nothing.
 */
export function chargeEvents(options: EventChargeOptions): ResolveFollowUp {
  const spend = createSpendBatcher(options.limiter);
  // Keyed by the shared outcome object: gone with it when the group's resolution expires.
  const costs = new WeakMap<object, number>();
  const charges = new WeakMap<object, Map<string, Promise<Spent>>>();
  return async (event, identity, followUp, variables) => {
    const outcome = await options.resolve(event, identity, followUp, variables);
    const schema = options.schema();
    if (outcome.kind !== 'delivered' || !schema) return outcome;
    let cost = costs.get(outcome);
    if (cost === undefined) costs.set(outcome, (cost = actualCost(schema, followUp.document, options.costModel, outcome.data, { variables })));
    const subject = budgetSubject(identity);
    let ofGroup = charges.get(outcome);
    if (!ofGroup) charges.set(outcome, (ofGroup = new Map()));
    let charge = ofGroup.get(subject);
    if (!charge) {
      charge = spend(subject, cost).catch((error: unknown) => {
        log.error({ err: error }, 'charging an event failed');
        return null;
      });
      ofGroup.set(subject, charge);
    }
    const spent = await charge;
    // A refusal is not kept: a subscription resumed once the budget refills is charged anew.
    if (spent && !spent.allowed && ofGroup.get(subject) === charge) ofGroup.delete(subject);
    if (spent && !spent.allowed) throw eventThrottled(event, cost, spent.budget, spent.retryAfterSeconds ?? 1);
    return outcome;
  };
}
