import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  BREAK,
  type ASTNode,
  type DocumentNode,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { badInput } from '../../subgraphs/shared/errors.ts';
import { isIsoDate, maxLengthOf, MAX_LIST_LENGTH, parseIsoDateTime, stringProblem, type InputProblem } from '../../subgraphs/shared/input-rules.ts';
import { DATE_RULE, DATE_TIME_RULE } from '../../subgraphs/shared/scalars.ts';

/** Scalars the gateway parses itself (the supergraph gives it only their names). */
const SCALAR_RULES: Readonly<Record<string, { readonly valid: (value: string) => boolean; readonly problem: InputProblem }>> = {
  Date: { valid: isIsoDate, problem: { rule: 'INVALID_DATE', detail: DATE_RULE } },
  DateTime: { valid: (value) => parseIsoDateTime(value) !== null, problem: { rule: 'INVALID_DATE', detail: DATE_TIME_RULE } },
};

function lastName(path: readonly (string | number)[]): string | undefined {
  for (let i = path.length - 1; i >= 0; i -= 1) {
    const part = path[i];
    if (typeof part === 'string') return part;
  }
  return undefined;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The rule a leaf value (a scalar or enum of `type`, a JSON value) breaks, or null. */
function leafProblem(typeName: string, value: unknown, name: string | undefined): InputProblem | null {
  const scalar = SCALAR_RULES[typeName];
  if (scalar) return typeof value === 'string' && scalar.valid(value) ? stringProblem(value, maxLengthOf(name)) : scalar.problem;
  return typeof value === 'string' ? stringProblem(value, maxLengthOf(name)) : null;
}

/**
 * Checks one variable's JSON value against its type: every string (no NUL, no lone
 * surrogate, within its length), every `Date`/`DateTime`, every list's size. Types and
 * nullability are left to graphql-js; the value's depth was bounded before (checkNesting).
 */
function checkValue(value: unknown, type: GraphQLInputType, path: (string | number)[], usedAs?: string): GraphQLError | null {
  if (value === null || value === undefined) return null;
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return checkValue(value, nullable.ofType, path, usedAs);
    if (value.length > MAX_LIST_LENGTH) return badInput(formatPath(path), 'TOO_LONG', `must have at most ${MAX_LIST_LENGTH} items`);
    for (let i = 0; i < value.length; i += 1) {
      const error = checkValue(value[i], nullable.ofType, [...path, i], usedAs);
      if (error) return error;
    }
    return null;
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== 'object' || Array.isArray(value)) return null;
    const fields = nullable.getFields();
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (!field) continue;
      const error = checkValue(inner, field.type, [...path, key]);
      if (error) return error;
    }
    return null;
  }
  const problem = leafProblem(nullable.name, value, path.length === 1 && usedAs !== undefined ? usedAs : lastName(path));
  return problem ? badInput(formatPath(path), problem.rule, problem.detail) : null;
}

function literalValue(node: ValueNode): unknown {
  return node.kind === Kind.STRING ? node.value : node.kind === Kind.NULL ? null : node;
}

/**
 * The gateway's check of every input value of `operation` (its literal arguments, with
 * the fragments it may spread, and its variables) against the shared input rules
 * (subgraphs/shared/input-rules.ts): strings without NUL or lone surrogates and within
 * their maximum length, real `Date`s and `DateTime`s, lists of at most MAX_LIST_LENGTH
 * items. Returns the first BAD_USER_INPUT, naming the argument (dotted path) or the
 * variable, or null. Runs after validation and before any subgraph is called.
 */
export function checkInputValues(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null,
): GraphQLError | null {
  let found: GraphQLError | null = null;
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [];
  const usedAs = new Map<string, string>();
  const onValue = (node: ValueNode): typeof BREAK | undefined => {
    if (node.kind === Kind.VARIABLE || node.kind === Kind.NULL) return undefined;
    const expected = typeInfo.getInputType();
    if (!expected) return undefined;
    const nullable = getNullableType(expected);
    const field = path.join('.') || '(argument)';
    if (isListType(nullable)) {
      if (node.kind === Kind.LIST && node.values.length > MAX_LIST_LENGTH) found = badInput(field, 'TOO_LONG', `must have at most ${MAX_LIST_LENGTH} items`);
    } else if (!isInputObjectType(nullable)) {
      if (node.kind === Kind.LIST || node.kind === Kind.OBJECT) {
        // A list in place of a scalar is a validation error, except for custom scalars the gateway knows only by name.
        const scalar = SCALAR_RULES[getNamedType(expected).name];
        if (scalar) found = badInput(field, scalar.problem.rule, scalar.problem.detail);
        return found ? BREAK : undefined;
      }
      const problem = leafProblem(getNamedType(expected).name, literalValue(node), path[path.length - 1]);
      if (problem) found = badInput(field, problem.rule, problem.detail);
    }
    return found ? BREAK : undefined;
  };
  const roots: ASTNode[] = [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)];
  for (const root of roots) {
    visit(
      root,
      visitWithTypeInfo(typeInfo, {
        Argument: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
        ObjectField: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
        Variable: (node, _key, parent) => {
          // A variable's length limit is that of the argument or input field it stands for.
          if (parent && !Array.isArray(parent) && (parent as ASTNode).kind === Kind.VARIABLE_DEFINITION) return;
          const at = path[path.length - 1];
          if (at !== undefined && !usedAs.has(node.name.value)) usedAs.set(node.name.value, at);
        },
        VariableDefinition: { enter: (node) => void path.push(node.variable.name.value), leave: () => void path.pop() },
        StringValue: onValue,
        IntValue: onValue,
        FloatValue: onValue,
        BooleanValue: onValue,
        EnumValue: onValue,
        ListValue: onValue,
        ObjectValue: onValue,
      }),
    );
    if (found) return found;
  }

  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (!variables || !(name in variables)) continue;
    const type = typeFromAST(schema, definition.type);
    if (!type) continue;
    const error = checkValue(variables[name], type as GraphQLInputType, [name], usedAs.get(name));
    if (error) {
      error.extensions['variable'] = name;
      return error;
    }
  }

  return null;
}
