import { isCompositeType, isObjectType, type DocumentNode, type GraphQLCompositeType, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { collectFields, selectionSetsKey, type CollectedField } from '../../../gateway/cost/collect-fields.ts';
import type { CostModel } from '../../../gateway/cost/cost-model.ts';
import { argumentsCost, explicitFieldWeight, fieldWeight, lookupField, MUTATION_FIELD_WEIGHT, type FieldInfo } from '../../../gateway/cost/field-weight.ts';
import { createOperationContext, rootTypeOf, selectOperations, type CostOptions, type OperationContext } from '../../../gateway/cost/operation-context.ts';

/** Nesting past which response data costs nothing more (a guard against pathological input). */
const MAX_DEPTH = 256;

/**
 * The actual-cost walk as it was before plans (one object per field per item): kept as the
 * oracle the planned walk of gateway/cost/actual-cost.ts must agree with, and as the
 * baseline of the protection benchmark.
 *
 * Original documentation follows.
 *
 * Cost of what an operation actually returned (IBM "Query Response Analysis", Apollo
 * Router's actual cost): the response `data` is walked along the operation, matching
 * response keys (aliases, else names), with the weights of `estimateCost` and the real
 * list lengths instead of estimated ones:
 *
 * - An object costs its field's weight (see `fieldWeight`: `@cost` on the field or its type,
 *   else 1) plus the cost of its fields; a list costs the sum of its items, so an empty list
 *   costs 0; a scalar or enum costs its explicit weight, else 0.
 * - A null value costs its field's explicit weight (`@cost` on the field or its type: the
 *   resolver ran) and 0 otherwise, as in Router: a null object with default weights costs
 *   nothing, and its selections are not counted.
 * - Each root field of a mutation present in the data adds 10, null or not: the write was
 *   attempted. (Router leaves the operation's 10 out of the actual cost; we keep it so that
 *   actual and estimate differ only by list sizes and nulls.)
 * - Keys the operation does not select, keys missing from the data (skipped, or cut by an
 *   error) and fields unknown to the schema cost 0; `__typename` and introspection cost 0.
 * - Arguments cost once per resolution of their field (each list item resolves it again),
 *   as in the estimate; Router does the same.
 * - Fragments apply by the object's `__typename` when the data has it; without it, on an
 *   interface or union every fragment's fields may match the keys present (the data has
 *   one value per key, so nothing is counted twice). Router ignores type conditions.
 *
 * Never throws: data that is not an object, an unknown operation or root type give 0.
 * Without `operationName`, a document of several operations is priced as the most expensive
 * reading of the data.
 */
export function referenceActualCost(schema: GraphQLSchema, document: DocumentNode, model: CostModel, data: unknown, options: CostOptions = {}): number {
  if (!isRecord(data)) return 0;
  let max = 0;
  for (const operation of selectOperations(document, options.operationName)) {
    const root = rootTypeOf(schema, operation);
    if (!root) continue;
    const walker = new ResponseWalker(createOperationContext(schema, document, operation, options.variables), model);
    max = Math.max(max, walker.object(data, [operation.selectionSet], root, operation.operation === 'mutation', 0));
  }
  return max;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class ResponseWalker {
  /** Collected fields per (selection sets, static type, runtime type): list items share them. */
  private readonly collected = new Map<string, Map<string, CollectedField>>();

  constructor(
    private readonly ctx: OperationContext,
    private readonly model: CostModel,
  ) {}

  /** Cost of the fields of one response object (not its own weight). */
  object(value: Record<string, unknown>, selectionSets: readonly SelectionSetNode[], staticType: GraphQLCompositeType, mutationRoot: boolean, depth: number): number {
    if (depth > MAX_DEPTH) return 0;
    const runtimeType = this.runtimeType(staticType, value['__typename']);
    let cost = 0;
    for (const [key, collected] of this.fields(selectionSets, staticType, runtimeType)) {
      if (!Object.hasOwn(value, key)) continue;
      cost += this.field(collected, value[key], staticType, mutationRoot, depth);
    }
    return cost;
  }

  private field(collected: CollectedField, value: unknown, staticType: GraphQLCompositeType, mutationRoot: boolean, depth: number): number {
    const node = collected.nodes[0];
    if (!node || node.name.value.startsWith('__')) return 0;
    const field = lookupField(collected.parentType, staticType, node.name.value);
    if (!field) return 0;
    const selectionSets = collected.nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
    const write = mutationRoot ? MUTATION_FIELD_WEIGHT : 0;
    const cost = write + this.value(value, field, selectionSets, depth) + argumentsCost(this.ctx, this.model, node, field);
    return Math.max(0, cost);
  }

  private value(value: unknown, field: FieldInfo, selectionSets: readonly SelectionSetNode[], depth: number): number {
    if (value === null || value === undefined) return explicitFieldWeight(this.model, field) ?? 0;
    if (Array.isArray(value)) {
      return value.reduce<number>((sum, item) => sum + this.value(item, field, selectionSets, depth), 0);
    }
    const weight = fieldWeight(this.model, field);
    if (isCompositeType(field.namedType) && isRecord(value)) {
      return weight + this.object(value, selectionSets, field.namedType, false, depth + 1);
    }
    return weight;
  }

  private runtimeType(staticType: GraphQLCompositeType, typename: unknown): GraphQLObjectType | null {
    if (isObjectType(staticType)) return staticType;
    if (typeof typename !== 'string') return null;
    const type = this.ctx.schema.getType(typename);
    return isObjectType(type) && this.ctx.schema.isSubType(staticType, type) ? type : null;
  }

  private fields(selectionSets: readonly SelectionSetNode[], staticType: GraphQLCompositeType, runtimeType: GraphQLObjectType | null): Map<string, CollectedField> {
    const key = `${selectionSetsKey(selectionSets)}|${staticType.name}|${runtimeType?.name ?? ''}`;
    let fields = this.collected.get(key);
    if (!fields) {
      fields = collectFields(this.ctx, selectionSets, staticType, runtimeType);
      this.collected.set(key, fields);
    }
    return fields;
  }
}
