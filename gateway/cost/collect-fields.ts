import {
  isAbstractType,
  isCompositeType,
  Kind,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type SelectionSetNode,
} from 'graphql';
import { isIncluded, type OperationContext } from './operation-context.ts';

/** The fields a selection asks under one response key (alias, else name), merged as execution merges them. */
export interface CollectedField {
  /** Every field node with this response key; the first gives the name and arguments. */
  readonly nodes: readonly FieldNode[];
  /** The type the first node was selected on: the runtime type when known, else the innermost type condition. */
  readonly parentType: GraphQLCompositeType;
}

/**
 * The fields `selectionSets` select on an object of type `runtimeType`, by response key,
 * in the order of the GraphQL spec's CollectFields: named and inline fragments are
 * expanded, a fragment applies when its type condition is the runtime type or an abstract
 * type containing it, and `@skip`/`@include` are honored when their value is known.
 *
 * With `runtimeType` null (an abstract type whose concrete type is not known) every
 * fragment applies. Each fragment is expanded at most once per collection (as in the
 * spec), which also stops fragment cycles and exponential re-spreading; fragments that are
 * undefined or whose type condition is unknown are skipped.
 */
export function collectFields(
  ctx: OperationContext,
  selectionSets: readonly SelectionSetNode[],
  staticType: GraphQLCompositeType,
  runtimeType: GraphQLObjectType | null,
): Map<string, CollectedField> {
  const fields = new Map<string, { nodes: FieldNode[]; parentType: GraphQLCompositeType }>();
  const visited = new Set<string>();

  const applies = (condition: GraphQLNamedType | undefined): condition is GraphQLCompositeType => {
    if (!condition || !isCompositeType(condition)) return false;
    if (runtimeType === null || condition === runtimeType) return true;
    return isAbstractType(condition) && ctx.schema.isSubType(condition, runtimeType);
  };

  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType): void => {
    for (const selection of selectionSet.selections) {
      if (!isIncluded(ctx, selection.directives)) continue;
      switch (selection.kind) {
        case Kind.FIELD: {
          const key = selection.alias?.value ?? selection.name.value;
          const entry = fields.get(key);
          if (entry) entry.nodes.push(selection);
          else fields.set(key, { nodes: [selection], parentType });
          break;
        }
        case Kind.INLINE_FRAGMENT: {
          const condition = selection.typeCondition ? ctx.schema.getType(selection.typeCondition.name.value) : parentType;
          if (applies(condition)) walk(selection.selectionSet, runtimeType ?? condition);
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (visited.has(name)) break;
          visited.add(name);
          const fragment = ctx.fragments.get(name);
          if (!fragment) break;
          const condition = ctx.schema.getType(fragment.typeCondition.name.value);
          if (applies(condition)) walk(fragment.selectionSet, runtimeType ?? condition);
          break;
        }
      }
    }
  };

  for (const selectionSet of selectionSets) walk(selectionSet, runtimeType ?? staticType);
  return fields;
}

const ids = new WeakMap<SelectionSetNode, number>();
let nextId = 1;

/** A short key naming a list of selection set nodes (by identity), for per-call memos. */
export function selectionSetsKey(selectionSets: readonly SelectionSetNode[]): string {
  return selectionSets
    .map((s) => {
      let id = ids.get(s);
      if (id === undefined) {
        id = nextId++;
        ids.set(s, id);
      }
      return id;
    })
    .join(',');
}
