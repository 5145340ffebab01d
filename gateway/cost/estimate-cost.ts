import { isCompositeType, isObjectType, type DocumentNode, type GraphQLCompositeType, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { collectFields, selectionSetsKey, type CollectedField } from './collect-fields.ts';
import type { CostModel } from './cost-model.ts';
import { argumentsCost, expectedListSize, fieldWeight, listSizeOf, lookupField, MUTATION_FIELD_WEIGHT } from './field-weight.ts';
import { createOperationContext, rootTypeOf, selectOperations, type CostOptions, type OperationContext } from './operation-context.ts';

/** Nesting past which selections cost nothing more (a guard; validated documents never get near it). */
const MAX_DEPTH = 256;

/** Sizes that a parent's `@listSize(sizedFields:)` hands to its child fields. */
interface Sizing {
  /** The parent's coordinate, to tell sizings apart in the memo. */
  readonly owner: string;
  readonly size: number | null;
  readonly fields: readonly string[];
}

/**
 * Static cost of an operation, before it runs: an upper bound following the IBM GraphQL
 * cost specification the way Apollo Router's demand control applies it (its
 * "static_estimated" strategy, scored on the supergraph's API schema):
 *
 * - Operation: a query or subscription costs the sum of its root fields. Each root field of
 *   a mutation (a write) adds 10 to its ordinary cost. (Router adds 10 once per mutation
 *   operation: the same number for the usual one-write mutation, while here every aliased
 *   extra write in one operation costs 10 more.)
 * - Field weight: `@cost(weight:)` on the field, else `@cost` on the type it returns
 *   (object, scalar, enum), else 1 for an object, interface or union and 0 for a scalar or
 *   enum. `__typename` and introspection fields (`__schema`, `__type`) cost 0.
 * - Field cost: `count × (weight + cost of its selections) + cost of its arguments` (+ 10
 *   for a mutation's root field), never below 0 (IBM: a negative field cost rounds up to 0).
 * - count: 1 for a field that does not return a list. For a list:
 *   the size its parent connection hands down when the field is one of the parent's
 *   `@listSize(sizedFields:)`; else its own `@listSize`: the largest value among its
 *   `slicingArguments` (literal, variable, or the argument's default value), else its
 *   `assumedSize`; else the model's default list size (10 unless configured). A field
 *   with `sizedFields` (a connection) applies its slicing size to those child fields
 *   (`nodes`, `edges`) instead of to itself: the connection object still counts once.
 *   Lists of lists count the outer list only, as Router does.
 * - Arguments: see `argumentsCost` (input objects 1 each unless weighted, scalars and enums
 *   their argument's, input field's or type's weight). They count once per resolution of
 *   the field, i.e. multiplied by the enclosing lists but not by the field's own count.
 * - Fragments: named and inline fragments are expanded, and fields with one response key
 *   are merged into one resolution, as execution does. On an interface or union, the cost
 *   is computed for each possible concrete type with the fragments that apply to it, and
 *   the maximum is taken: only one concrete type is returned per object. (Router instead
 *   sums every fragment's selections whatever their type condition, and does not merge
 *   repeated fields; for documents without either this gives the same number, otherwise a
 *   tighter but still upper bound.)
 * - `@skip`/`@include` remove a selection when their condition is known (literal, given
 *   variable, or the variable's default); an unknown condition keeps it. (Router honors
 *   literal conditions only.)
 *
 * Never throws on a document the schema does not support: unknown fields, arguments,
 * fragments and types cost 0, a missing root type or an unknown `operationName` gives 0,
 * and fragment cycles stop. Without `operationName`, a document of several operations is
 * priced as its most expensive one. Cost is memoized per selection within one call, so a
 * fragment spread many times is priced once; nothing is cached across calls.
 */
export function estimateCost(schema: GraphQLSchema, document: DocumentNode, model: CostModel, options: CostOptions = {}): number {
  let max = 0;
  for (const operation of selectOperations(document, options.operationName)) {
    const root = rootTypeOf(schema, operation);
    if (!root) continue;
    const estimator = new Estimator(createOperationContext(schema, document, operation, options.variables), model);
    max = Math.max(max, estimator.selectionSet([operation.selectionSet], root, null, operation.operation === 'mutation', 0));
  }
  return max;
}

const IN_PROGRESS = -1;

class Estimator {
  private readonly memo = new Map<string, number>();

  constructor(
    private readonly ctx: OperationContext,
    private readonly model: CostModel,
  ) {}

  /** Cost of one object of `staticType` with these selections: the most expensive concrete type. */
  selectionSet(selectionSets: readonly SelectionSetNode[], staticType: GraphQLCompositeType, sizing: Sizing | null, mutationRoot: boolean, depth: number): number {
    if (depth > MAX_DEPTH || selectionSets.length === 0) return 0;
    const key = `${selectionSetsKey(selectionSets)}|${staticType.name}|${sizing ? `${sizing.owner}:${sizing.size}` : ''}|${mutationRoot}`;
    const memoized = this.memo.get(key);
    // A key met again while it is being computed is a fragment cycle: it adds nothing.
    if (memoized !== undefined) return memoized === IN_PROGRESS ? 0 : memoized;
    this.memo.set(key, IN_PROGRESS);
    const runtimeTypes: readonly (GraphQLObjectType | null)[] = isObjectType(staticType) ? [staticType] : this.ctx.schema.getPossibleTypes(staticType);
    let best = 0;
    for (const runtimeType of runtimeTypes.length > 0 ? runtimeTypes : [null]) {
      let sum = 0;
      for (const field of collectFields(this.ctx, selectionSets, staticType, runtimeType).values()) {
        sum += this.field(field, staticType, sizing, mutationRoot, depth);
      }
      best = Math.max(best, sum);
    }
    this.memo.set(key, best);
    return best;
  }

  private field(collected: CollectedField, staticType: GraphQLCompositeType, sizing: Sizing | null, mutationRoot: boolean, depth: number): number {
    const node = collected.nodes[0];
    if (!node || node.name.value.startsWith('__')) return 0;
    const field = lookupField(collected.parentType, staticType, node.name.value);
    if (!field) return 0;
    const spec = listSizeOf(this.model, field);
    const expected = expectedListSize(this.ctx, spec, node, field);
    const handedDown = sizing && sizing.fields.includes(node.name.value) ? sizing.size : null;
    const count = field.isList ? (handedDown ?? expected ?? this.model.defaultListSize) : 1;
    let children = 0;
    if (isCompositeType(field.namedType)) {
      const selectionSets = collected.nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
      const childSizing = spec && spec.sizedFields.length > 0 ? { owner: field.coordinates[0] ?? '', size: expected, fields: spec.sizedFields } : null;
      children = this.selectionSet(selectionSets, field.namedType, childSizing, false, depth + 1);
    }
    const write = mutationRoot ? MUTATION_FIELD_WEIGHT : 0;
    const cost = write + count * (fieldWeight(this.model, field) + children) + argumentsCost(this.ctx, this.model, node, field);
    return Math.max(0, cost);
  }
}
