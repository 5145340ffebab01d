import type { ApolloServerPlugin } from '@apollo/server';
import { nullRefusedFields, violationError } from '../auth/authorize-operation.ts';
import type { GatewayContext } from '../context.ts';
import type { OperationPolicy } from '../operation-policy.ts';
import { actualCost } from './actual-cost.ts';
import type { CostModel } from './cost-model.ts';

export interface CostReportOptions {
  readonly policy: OperationPolicy;
  readonly costModel: CostModel;
  /** Most an operation may be estimated to cost (reported as `extensions.cost.maximum`). */
  readonly maxCost: number;
}

/**
 * Completes every admitted response: fields refused for lack of scope become null with a
 * FORBIDDEN error naming the field and the scope; the actual cost is measured on the data,
 * the difference from the estimate is credited back to the caller's budget, and
 * `extensions.cost` reports the estimate, the actual cost, the maximum and the budget
 * (Shopify's throttleStatus: maximum, remaining, restore rate).
 */
export function createCostReportPlugin(options: CostReportOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const admitted = contextValue.admitted;
          if (!admitted || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (admitted.violations.length > 0) {
            if (result.data) nullRefusedFields(result.data, admitted.violations);
            result.errors = [...admitted.violations.map((v) => violationError(v).toJSON()), ...(result.errors ?? [])];
          }
          const { schema, document, operationName, variables } = admitted;
          const actual = result.data ? actualCost(schema, document, options.costModel, result.data, { operationName, variables }) : 0;
          if (contextValue.access) contextValue.access.actualCost = actual;
          const budget = await options.policy.settle(admitted, actual);
          result.extensions = {
            ...result.extensions,
            cost: { estimated: admitted.estimatedCost, actual, maximum: options.maxCost, budget },
          };
        },
      };
    },
  };
}
