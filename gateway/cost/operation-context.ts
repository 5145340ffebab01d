import {
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';

/** Options shared by `estimateCost` and `actualCost`. */
export interface CostOptions {
  /**
   * The operation to price. Without it, a document of one operation prices that one; a
   * document of several prices the most expensive (never less than what could run).
   */
  readonly operationName?: string | null;
  /** The request's variables; a variable left out takes its default from the operation. */
  readonly variables?: Readonly<Record<string, unknown>> | null;
}

/** What pricing one operation needs besides the schema and the model. */
export interface OperationContext {
  readonly schema: GraphQLSchema;
  readonly operation: OperationDefinitionNode;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly variableDefaults: ReadonlyMap<string, ValueNode>;
}

/** A value that may be unknown (a variable neither given nor defaulted). */
export type Known = { readonly known: true; readonly value: unknown } | { readonly known: false };

/** The operations of `document` that `operationName` may mean (see `CostOptions.operationName`). */
export function selectOperations(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode[] {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName === null || operationName === undefined || operationName === '') return operations;
  const named = operations.find((o) => o.name?.value === operationName);
  return named ? [named] : [];
}

/** The context of `operation`; fragments are indexed once (the first definition of a name wins). */
export function createOperationContext(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): OperationContext {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(definition.name.value)) {
      fragments.set(definition.name.value, definition);
    }
  }
  const variableDefaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, definition.defaultValue);
  }
  return { schema, operation, fragments, variables: variables ?? {}, variableDefaults };
}

/** The root type an operation runs on, or undefined when the schema has none for it. */
export function rootTypeOf(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLObjectType | undefined {
  return schema.getRootType(operation.operation) ?? undefined;
}

/** The value of variable `name`: as given, else the operation's default, else unknown. */
export function variableValue(ctx: OperationContext, name: string): Known {
  if (Object.hasOwn(ctx.variables, name)) return { known: true, value: ctx.variables[name] };
  const fallback = ctx.variableDefaults.get(name);
  return fallback ? { known: true, value: valueFromASTUntyped(fallback) } : { known: false };
}

/** The JavaScript value of a literal or variable, or unknown. */
export function valueOf(ctx: OperationContext, node: ValueNode): Known {
  if (node.kind === Kind.VARIABLE) return variableValue(ctx, node.name.value);
  return { known: true, value: valueFromASTUntyped(node, ctx.variables) };
}

/**
 * Whether `@skip`/`@include` leave a selection in. A condition whose value is unknown
 * (a variable neither given nor defaulted) keeps the selection: estimates must not go
 * below what could run.
 */
export function isIncluded(ctx: OperationContext, directives: readonly DirectiveNode[] | undefined): boolean {
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const condition = directive.arguments?.find((a) => a.name.value === 'if');
    if (!condition) continue;
    const value = valueOf(ctx, condition.value);
    if (!value.known || typeof value.value !== 'boolean') continue;
    if (name === 'skip' && value.value) return false;
    if (name === 'include' && !value.value) return false;
  }
  return true;
}
