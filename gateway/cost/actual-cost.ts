import { isCompositeType, isObjectType, visit, type DocumentNode, type GraphQLCompositeType, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { collectFields, selectionSetsKey } from './collect-fields.ts';
import type { CostModel } from './cost-model.ts';
import { argumentsCost, explicitFieldWeight, fieldWeight, lookupField, MUTATION_FIELD_WEIGHT } from './field-weight.ts';
import { createOperationContext, rootTypeOf, selectOperations, type CostOptions, type OperationContext } from './operation-context.ts';
import { createDocumentMemo, type DocumentMemo } from '../document-memo.ts';

/** Nesting past which response data costs nothing more (a guard against pathological input). */
const MAX_DEPTH = 256;

/**
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
 * The walk itself allocates nothing: the weights of every field are compiled once into a
 * plan per document, operation and the values of the variables the document uses (in
 * arguments or `@skip`/`@include`), kept with the document (a parsed document is cached
 * per text by the operation policy, so a repeated query reuses its plan). Selections of an
 * interface or union are compiled per concrete `__typename` the first time one is met.
 *
 * Never throws: data that is not an object, an unknown operation or root type give 0.
 * Without `operationName`, a document of several operations is priced as the most expensive
 * reading of the data.
 */
export function actualCost(schema: GraphQLSchema, document: DocumentNode, model: CostModel, data: unknown, options: CostOptions = {}): number {
  if (!isRecord(data)) return 0;
  let max = 0;
  for (const root of operationPlans(schema, document, model, options)) {
    max = Math.max(max, objectCost(data, root, 0));
  }
  return max;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What one response key adds to its object's cost, precomputed. */
interface FieldPlan {
  readonly key: string;
  /** Per resolution: the mutation root's 10 and the arguments' cost. */
  readonly base: number;
  /** What a null (or undefined) value costs: the explicit weight, else 0. */
  readonly nullWeight: number;
  /** What a non-null value costs before its own fields (`fieldWeight`). */
  readonly weight: number;
  /** The selections of a composite field; null for a scalar or enum. */
  readonly child: SelectionPlan | null;
}

/** The fields an object selected on one composite type costs, per concrete type. */
class SelectionPlan {
  private byType: FieldPlan[] | null = null;
  private unknownType: FieldPlan[] | null = null;
  private readonly byTypename = new Map<string, FieldPlan[]>();

  constructor(
    private readonly compiler: PlanCompiler,
    private readonly selectionSets: readonly SelectionSetNode[],
    private readonly staticType: GraphQLCompositeType,
    private readonly mutationRoot: boolean,
  ) {}

  /** The field plans for an object whose `__typename` is `typename` (read only for interfaces and unions). */
  fieldsFor(typename: unknown): readonly FieldPlan[] {
    const { staticType } = this;
    if (isObjectType(staticType)) return (this.byType ??= this.compiler.fields(this.selectionSets, staticType, staticType, this.mutationRoot));
    if (typeof typename === 'string') {
      const known = this.byTypename.get(typename);
      if (known) return known;
      const type = this.compiler.ctx.schema.getType(typename);
      if (isObjectType(type) && this.compiler.ctx.schema.isSubType(staticType, type)) {
        const fields = this.compiler.fields(this.selectionSets, staticType, type, this.mutationRoot);
        this.byTypename.set(typename, fields);
        return fields;
      }
    }
    return (this.unknownType ??= this.compiler.fields(this.selectionSets, staticType, null, this.mutationRoot));
  }
}

/** Compiles the plans of one operation under one set of variable values; shares plans of identical selections. */
class PlanCompiler {
  private readonly plans = new Map<string, SelectionPlan>();

  constructor(
    readonly ctx: OperationContext,
    private readonly model: CostModel,
  ) {}

  plan(selectionSets: readonly SelectionSetNode[], staticType: GraphQLCompositeType, mutationRoot: boolean): SelectionPlan {
    const key = `${selectionSetsKey(selectionSets)}|${staticType.name}|${mutationRoot ? 'm' : ''}`;
    let plan = this.plans.get(key);
    if (!plan) this.plans.set(key, (plan = new SelectionPlan(this, selectionSets, staticType, mutationRoot)));
    return plan;
  }

  fields(selectionSets: readonly SelectionSetNode[], staticType: GraphQLCompositeType, runtimeType: GraphQLObjectType | null, mutationRoot: boolean): FieldPlan[] {
    const fields: FieldPlan[] = [];
    for (const [key, collected] of collectFields(this.ctx, selectionSets, staticType, runtimeType)) {
      const node = collected.nodes[0];
      if (!node || node.name.value.startsWith('__')) continue;
      const field = lookupField(collected.parentType, staticType, node.name.value);
      if (!field) continue;
      const childSets = collected.nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
      fields.push({
        key,
        base: (mutationRoot ? MUTATION_FIELD_WEIGHT : 0) + argumentsCost(this.ctx, this.model, node, field),
        nullWeight: explicitFieldWeight(this.model, field) ?? 0,
        weight: fieldWeight(this.model, field),
        child: isCompositeType(field.namedType) ? this.plan(childSets, field.namedType, false) : null,
      });
    }
    return fields;
  }
}

function objectCost(value: Record<string, unknown>, plan: SelectionPlan, depth: number): number {
  if (depth > MAX_DEPTH) return 0;
  const fields = plan.fieldsFor(value['__typename']);
  let cost = 0;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as FieldPlan;
    if (!Object.hasOwn(value, field.key)) continue;
    const fieldCost = field.base + valueCost(value[field.key], field, depth);
    if (fieldCost > 0) cost += fieldCost;
  }
  return cost;
}

function valueCost(value: unknown, field: FieldPlan, depth: number): number {
  if (value === null || value === undefined) return field.nullWeight;
  if (Array.isArray(value)) {
    let sum = 0;
    for (let i = 0; i < value.length; i++) sum += valueCost(value[i], field, depth);
    return sum;
  }
  if (field.child !== null && typeof value === 'object') return field.weight + objectCost(value as Record<string, unknown>, field.child, depth + 1);
  return field.weight;
}

/** Plans per cost model, then per (schema, document, operation name and the variable values a plan reads). */
const plansOf = new WeakMap<CostModel, DocumentMemo>();

function variablesUsed(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    VariableDefinition: () => false,
    Variable: (node) => void names.add(node.name.value),
  });
  return [...names].sort();
}

function operationPlans(schema: GraphQLSchema, document: DocumentNode, model: CostModel, options: CostOptions): readonly SelectionPlan[] {
  let memo = plansOf.get(model);
  if (!memo) plansOf.set(model, (memo = createDocumentMemo()));
  // Variables the document reads (in arguments and directives), sorted: the rest cannot change a plan.
  const used = memo(schema, document, '\u0000variables', () => variablesUsed(document));
  const given = options.variables ?? {};
  let key = options.operationName ?? '';
  // Only the variables the document reads shape a plan; a plan keeps just their values.
  const relevant: Record<string, unknown> = {};
  for (const name of used) {
    if (!Object.hasOwn(given, name)) continue;
    relevant[name] = given[name];
    key += `\u0000${name}=${JSON.stringify(given[name]) ?? 'u'}`;
  }
  return memo(schema, document, key, () => {
    const compiled: SelectionPlan[] = [];
    for (const operation of selectOperations(document, options.operationName)) {
      const root = rootTypeOf(schema, operation);
      if (!root) continue;
      const compiler = new PlanCompiler(createOperationContext(schema, document, operation, relevant), model);
      compiled.push(compiler.plan([operation.selectionSet], root, operation.operation === 'mutation'));
    }
    return compiled;
  });
}
