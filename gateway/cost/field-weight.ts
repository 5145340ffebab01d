import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type ValueNode,
} from 'graphql';
import type { CostModel, ListSizeSpec } from './cost-model.ts';
import { valueOf, type OperationContext } from './operation-context.ts';

/** What each root field of a mutation adds, once, to its cost (Apollo Router: "Mutation: 10"). */
export const MUTATION_FIELD_WEIGHT = 10;

/** A field of the schema as one selection reaches it. */
export interface FieldInfo {
  readonly definition: GraphQLField<unknown, unknown>;
  /** Coordinates to read weights from, most specific first: `Concrete.field`, then `Static.field`. */
  readonly coordinates: readonly string[];
  readonly namedType: GraphQLNamedType;
  /** Whether the field returns a list (non-null wrappers aside). */
  readonly isList: boolean;
}

/**
 * Field `name` of `parentType` (the runtime or type-condition type), else of `staticType`
 * (the type the selection set was written on); undefined when neither has it, so a field
 * that is not in the schema costs nothing instead of failing.
 */
export function lookupField(parentType: GraphQLCompositeType, staticType: GraphQLCompositeType, name: string): FieldInfo | undefined {
  const coordinates: string[] = [];
  let definition: GraphQLField<unknown, unknown> | undefined;
  for (const type of parentType === staticType ? [parentType] : [parentType, staticType]) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const found = type.getFields()[name];
    if (!found) continue;
    definition ??= found;
    coordinates.push(`${type.name}.${name}`);
  }
  if (!definition) return undefined;
  return {
    definition,
    coordinates,
    namedType: getNamedType(definition.type),
    isList: isListType(getNullableType(definition.type)),
  };
}

function firstOf<V>(map: ReadonlyMap<string, V>, keys: readonly string[]): V | undefined {
  for (const key of keys) {
    const value = map.get(key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The weight the schema sets for a field, if any: `@cost` on the field, else `@cost` on the type it returns. */
export function explicitFieldWeight(model: CostModel, field: FieldInfo): number | undefined {
  return firstOf(model.fieldWeights, field.coordinates) ?? model.typeWeights.get(field.namedType.name);
}

/**
 * The weight of one instance of a field: its explicit weight (see `explicitFieldWeight`),
 * else 1 for an object, interface or union and 0 for a scalar or enum.
 */
export function fieldWeight(model: CostModel, field: FieldInfo): number {
  return explicitFieldWeight(model, field) ?? (isCompositeType(field.namedType) ? 1 : 0);
}

/** The `@listSize` of a field, if it has one. */
export function listSizeOf(model: CostModel, field: FieldInfo): ListSizeSpec | undefined {
  return firstOf(model.listSizes, field.coordinates);
}

/**
 * The size `@listSize` gives a field in this selection: the largest value among its
 * slicing arguments (literal, or variable as given or defaulted; an argument left out or
 * null takes the schema's default value), else `assumedSize`; null when the field has no
 * `@listSize` or neither gives a size. A slicing argument may be a dotted path into an
 * input object (`filter.max`). Negative sizes count as 0. `requireOneSlicingArgument` is
 * not enforced here: validation errors are not the estimator's business.
 */
export function expectedListSize(ctx: OperationContext, spec: ListSizeSpec | undefined, node: FieldNode, field: FieldInfo): number | null {
  if (!spec) return null;
  let size: number | null = null;
  for (const path of spec.slicingArguments) {
    const [argumentName = '', ...rest] = path.split('.');
    const given = node.arguments?.find((a) => a.name.value === argumentName);
    let value: unknown = undefined;
    if (given) {
      const known = valueOf(ctx, given.value);
      if (known.known) value = dig(known.value, rest);
    }
    if (typeof value !== 'number') {
      const definition = field.definition.args.find((a) => a.name === argumentName);
      value = dig(definition?.defaultValue, rest);
    }
    if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, Math.max(0, Math.trunc(value)));
  }
  return size ?? spec.assumedSize;
}

function dig(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * What a field's arguments add to one resolution of it (IBM spec "Field Cost", as Apollo
 * Router scores arguments):
 * - a scalar or enum value costs the weight of its argument or input field, else the
 *   weight of its type, else 0;
 * - an input object value costs that weight, else 1, plus the cost of each of its fields;
 * - a list value costs the sum of its items (Router also adds the weight once more for
 *   the list itself; we do not);
 * - null, and a variable neither given nor defaulted, cost 0.
 * Arguments and input fields the schema does not define cost 0.
 */
export function argumentsCost(ctx: OperationContext, model: CostModel, node: FieldNode, field: FieldInfo): number {
  let cost = 0;
  for (const argument of node.arguments ?? []) {
    const definition = field.definition.args.find((a) => a.name === argument.name.value);
    if (!definition) continue;
    const weight = firstOf(
      model.argumentWeights,
      field.coordinates.map((c) => `${c}(${definition.name}:)`),
    );
    cost += inputCost(ctx, model, argument.value, definition, weight);
  }
  return cost;
}

function inputCost(ctx: OperationContext, model: CostModel, node: ValueNode, definition: GraphQLArgument | { type: GraphQLInputType }, weight: number | undefined): number {
  if (node.kind === Kind.VARIABLE) {
    const known = valueOf(ctx, node);
    return known.known ? jsInputCost(model, known.value, definition.type, weight) : 0;
  }
  if (node.kind === Kind.NULL) return 0;
  const type = getNullableType(definition.type);
  if (node.kind === Kind.LIST) {
    const itemType = isListType(type) ? type.ofType : type;
    return node.values.reduce((sum, item) => sum + inputCost(ctx, model, item, { type: itemType }, weight), 0);
  }
  const named = getNamedType(type);
  if (node.kind === Kind.OBJECT && isInputObjectType(named)) {
    const fields = named.getFields();
    let cost = weight ?? 1;
    for (const field of node.fields) {
      const fieldDefinition = fields[field.name.value];
      if (!fieldDefinition) continue;
      cost += inputCost(ctx, model, field.value, fieldDefinition, inputFieldWeight(model, named.name, fieldDefinition.name));
    }
    return cost;
  }
  return weight ?? model.typeWeights.get(named.name) ?? 0;
}

/** `inputCost` for a JSON value (a variable's). */
function jsInputCost(model: CostModel, value: unknown, inputType: GraphQLInputType, weight: number | undefined): number {
  if (value === null || value === undefined) return 0;
  const type = getNullableType(inputType);
  if (Array.isArray(value)) {
    const itemType = isListType(type) ? type.ofType : type;
    return value.reduce<number>((sum, item) => sum + jsInputCost(model, item, itemType, weight), 0);
  }
  const named = getNamedType(type);
  if (isInputObjectType(named) && typeof value === 'object') {
    const fields = named.getFields();
    let cost = weight ?? 1;
    for (const [key, fieldValue] of Object.entries(value)) {
      const fieldDefinition = fields[key];
      if (!fieldDefinition) continue;
      cost += jsInputCost(model, fieldValue, fieldDefinition.type, inputFieldWeight(model, named.name, key));
    }
    return cost;
  }
  return weight ?? model.typeWeights.get(named.name) ?? 0;
}

function inputFieldWeight(model: CostModel, typeName: string, fieldName: string): number | undefined {
  return model.inputFieldWeights.get(`${typeName}.${fieldName}`);
}
