import {
  getNamedType,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  visit,
  type ASTNode,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { hasScope, type Identity } from '../../subgraphs/shared/identity.ts';
import type { Requirement, ScopeRequirements } from './scope-requirements.ts';

/** A field (or fragment) the caller may not see, and where it sits in the response. */
export interface ScopeViolation {
  /** Response keys (aliases) from the root to the field; list items are not indexed. */
  readonly path: readonly string[];
  /** Schema coordinate that carries the requirement, e.g. `Mutation.approveLeaveRequest`. */
  readonly coordinate: string;
  readonly requirement: Requirement;
}

/** The outcome of checking an operation against the caller's scopes. */
export interface Authorization {
  readonly violations: readonly ScopeViolation[];
  /** The document to execute: the original when nothing was refused, else without the refused parts. */
  readonly document: DocumentNode;
  /** True when nothing of the operation is left to execute. */
  readonly empty: boolean;
}

/** True when `identity` meets `requirement` (`admin` implies every scope). */
export function satisfies(identity: Identity | null, requirement: Requirement): boolean {
  if (!identity) return !requirement.authenticated && !requirement.scopes;
  return !requirement.scopes || requirement.scopes.some((group) => group.every((scope) => hasScope(identity, scope)));
}

/** The operation `operationName` selects (or the only one); null when there is none. */
export function selectOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName) ?? null;
  return operations.length === 1 ? (operations[0] ?? null) : null;
}

/**
 * Checks every field of the selected operation against `@authenticated`/`@requiresScopes`
 * (on the field and on its type; on type conditions of fragments), as Apollo Router does:
 * refused fields are removed from the document, each with a violation naming its path and
 * coordinate, and the rest still runs. A field whose whole selection was refused goes too.
 * The returned document holds only the selected operation and the fragments it still uses.
 * Fragments are walked at each spread (so each violation has its response path), with a
 * guard against cycles.
 */
export function authorizeOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  identity: Identity | null,
  requirements: ScopeRequirements,
): Authorization {
  const operation = selectOperation(document, operationName);
  const rootType = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !rootType || requirements.size === 0) return { violations: [], document, empty: false };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const violations = new Map<string, ScopeViolation>();
  const removed = new Set<ASTNode>();
  const refused = (coordinate: string): Requirement | null => {
    const requirement = requirements.get(coordinate);
    return requirement && !satisfies(identity, requirement) ? requirement : null;
  };
  const refuse = (node: ASTNode, path: readonly string[], coordinate: string, requirement: Requirement) => {
    removed.add(node);
    violations.set(`${path.join('.')}|${coordinate}`, { path, coordinate, requirement });
  };

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLNamedType, path: readonly string[], inFragments: readonly string[]) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) continue;
        const field = parent.getFields()[name];
        if (!field) continue;
        const responsePath = [...path, selection.alias?.value ?? name];
        const type = getNamedType(field.type);
        const coordinate = `${parent.name}.${name}`;
        const onField = refused(coordinate);
        if (onField) {
          refuse(selection, responsePath, coordinate, onField);
          continue;
        }
        const onType = refused(type.name);
        if (onType) {
          refuse(selection, responsePath, type.name, onType);
          continue;
        }
        if (selection.selectionSet) walk(selection.selectionSet, type, responsePath, inFragments);
      } else {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const spreadName = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
        if (spreadName && inFragments.includes(spreadName)) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
        if (!condition) continue;
        const onType = refused(condition.name);
        if (onType) {
          refuse(selection, path, condition.name, onType);
          continue;
        }
        walk(fragment.selectionSet, condition, path, spreadName ? [...inFragments, spreadName] : inFragments);
      }
    }
  };
  walk(operation.selectionSet, rootType, [], []);
  if (removed.size === 0) return { violations: [], document, empty: false };
  const filtered = pruneDocument(document, operation, removed);
  const remaining = selectOperation(filtered, operation.name?.value);
  return { violations: [...violations.values()], document: filtered, empty: !remaining || remaining.selectionSet.selections.length === 0 };
}

/**
 * Removes `removed` nodes, then fields and fragments left with empty selections, spreads of
 * emptied fragments, fragments no longer spread and variables no longer used, so the
 * result still validates. Keeps only `operation` of the document.
 */
function pruneDocument(document: DocumentNode, operation: OperationDefinitionNode, removed: ReadonlySet<ASTNode>): DocumentNode {
  let current: DocumentNode = {
    ...document,
    definitions: document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION),
  };
  current = visit(current, { enter: (node) => (removed.has(node) ? null : undefined) });
  // Emptied selections cascade upwards; emptied fragments take their spreads with them.
  for (;;) {
    const emptied = new Set<string>();
    for (const d of current.definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION && d.selectionSet.selections.length === 0) emptied.add(d.name.value);
    }
    let changed = false;
    current = visit(current, {
      FragmentSpread: (node) => (emptied.has(node.name.value) ? ((changed = true), null) : undefined),
      FragmentDefinition: (node) => (emptied.has(node.name.value) ? ((changed = true), null) : undefined),
      Field: {
        leave: (node) => (node.selectionSet && node.selectionSet.selections.length === 0 ? ((changed = true), null) : undefined),
      },
      InlineFragment: {
        leave: (node) => (node.selectionSet.selections.length === 0 ? ((changed = true), null) : undefined),
      },
    });
    if (!changed) break;
  }
  // Fragments reachable from the operation, and the variables still referenced.
  const definitions = new Map<string, FragmentDefinitionNode>();
  for (const d of current.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) definitions.set(d.name.value, d);
  const used = new Set<string>();
  const variables = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const definition = definitions.get(name);
        if (used.has(name) || !definition) return;
        used.add(name);
        collect(definition);
      },
      Variable(variable) {
        variables.add(variable.name.value);
      },
      VariableDefinition: () => false,
    });
  const op = current.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (op) collect(op.selectionSet);
  if (op) for (const directive of op.directives ?? []) collect(directive);
  return {
    ...current,
    definitions: current.definitions.flatMap((d): DefinitionNode[] => {
      if (d.kind === Kind.FRAGMENT_DEFINITION) return used.has(d.name.value) ? [d] : [];
      if (d.kind !== Kind.OPERATION_DEFINITION) return [d];
      return [{ ...d, variableDefinitions: d.variableDefinitions?.filter((v) => variables.has(v.variable.name.value)) }];
    }),
  };
}

function describe(requirement: Requirement): string {
  if (!requirement.scopes) return 'an authenticated caller';
  const groups = requirement.scopes.map((g) => g.join(' and '));
  return groups.length === 1 ? `the scope ${groups[0]}` : `one of the scope sets: ${groups.join('; or ')}`;
}

/** The FORBIDDEN error of a violation, naming the field and the missing scope. */
export function violationError(violation: ScopeViolation): GraphQLError {
  return new GraphQLError(`Forbidden: ${violation.coordinate} requires ${describe(violation.requirement)}, which this key or token lacks`, {
    path: [...violation.path],
    extensions: {
      code: 'FORBIDDEN',
      field: violation.coordinate,
      requiredScopes: violation.requirement.scopes ?? [],
    },
  });
}

/**
 * Sets each refused field to null in `data` (walking through lists), where its parent
 * object is present, so the response shows the field and its error.
 */
export function nullRefusedFields(data: unknown, violations: readonly ScopeViolation[]): void {
  const apply = (value: unknown, path: readonly string[]): void => {
    if (Array.isArray(value)) {
      for (const item of value) apply(item, path);
      return;
    }
    if (!value || typeof value !== 'object' || path.length === 0) return;
    const [head, ...rest] = path as [string, ...string[]];
    const object = value as Record<string, unknown>;
    if (rest.length === 0) object[head] ??= null;
    else apply(object[head], rest);
  };
  for (const violation of violations) apply(data, violation.path);
}
