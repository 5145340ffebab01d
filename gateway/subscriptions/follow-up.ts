import {
  Kind,
  print,
  visit,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type InlineFragmentNode,
  type SelectionNode,
  type VariableDefinitionNode,
} from 'graphql';

/** How an event type's entity and actor fields are fetched by a follow-up query. */
export interface FollowUpSpec {
  /** Event fields resolved by the follow-up, by name: the root field and its arguments (variables named `$__...`). */
  readonly fields: Readonly<Record<string, { rootField: string; args: Readonly<Record<string, string>>; optional?: string }>>;
  /** Types of the `$__` variables. */
  readonly variables: Readonly<Record<string, string>>;
}

/** A follow-up query for one subscription's selection, and the client variables it uses. */
export interface FollowUp {
  readonly document: DocumentNode;
  /** Printed document: with the variables and visibility, the key of a shared resolution. */
  readonly text: string;
  readonly clientVariables: Record<string, unknown>;
}

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
const variable = (value: string) => ({ kind: Kind.VARIABLE, name: name(value) }) as const;
const includeIf = (flag: string): DirectiveNode => ({
  kind: Kind.DIRECTIVE,
  name: name('include'),
  arguments: [{ kind: Kind.ARGUMENT, name: name('if'), value: variable(flag) }],
});
const inline = (selections: readonly SelectionNode[], directives: readonly DirectiveNode[] = []): InlineFragmentNode => ({
  kind: Kind.INLINE_FRAGMENT,
  directives,
  selectionSet: { kind: Kind.SELECTION_SET, selections },
});

/**
 * Rewrites the selections made on an event object into selections on `Query`: each event
 * field of `spec` becomes its root field under the same response key, with its directives
 * and sub-selection; fragments on the event type are inlined (keeping their directives);
 * plain event fields (cursor, type, ...) are dropped.
 */
function rewrite(selections: readonly SelectionNode[], spec: FollowUpSpec, fragments: Record<string, FragmentDefinitionNode>): SelectionNode[] {
  const out: SelectionNode[] = [];
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const target = spec.fields[selection.name.value];
      if (!target) continue;
      const args: ArgumentNode[] = Object.entries(target.args).map(([arg, v]) => ({ kind: Kind.ARGUMENT, name: name(arg), value: variable(v) }));
      const field: FieldNode = {
        kind: Kind.FIELD,
        alias: name(selection.alias?.value ?? selection.name.value),
        name: name(target.rootField),
        arguments: args,
        directives: selection.directives ?? [],
        ...(selection.selectionSet ? { selectionSet: selection.selectionSet } : {}),
      };
      // An optional entity (a null actor) is skipped by a flag, not by a failing lookup.
      out.push(target.optional ? inline([field], [includeIf(target.optional)]) : field);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = rewrite(selection.selectionSet.selections, spec, fragments);
      if (inner.length > 0) out.push(inline(inner, selection.directives ?? []));
    } else {
      const fragment = fragments[selection.name.value];
      if (!fragment) continue;
      const inner = rewrite(fragment.selectionSet.selections, spec, fragments);
      if (inner.length > 0) out.push(inline(inner, selection.directives ?? []));
    }
  }
  return out;
}

/**
 * The follow-up query for a subscription field: the selections the subscriber made on the
 * event's entity fields, as a query on the root fields that fetch them, with the fragments
 * and client variables it uses. Null when the subscriber selected no entity field.
 */
export function buildFollowUp(info: GraphQLResolveInfo, spec: FollowUpSpec): FollowUp | null {
  const selections = info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
  const rewritten = rewrite(selections, spec, info.fragments);
  if (rewritten.length === 0) return null;

  // Fragments and client variables the rewritten selections still use (transitively).
  const usedFragments = new Set<string>();
  const usedVariables = new Set<string>();
  const collect = (nodes: readonly SelectionNode[]) => {
    visit({ kind: Kind.SELECTION_SET, selections: nodes }, {
      FragmentSpread(node) {
        if (usedFragments.has(node.name.value)) return;
        usedFragments.add(node.name.value);
        const fragment = info.fragments[node.name.value];
        if (fragment) collect(fragment.selectionSet.selections);
      },
      Variable(node) {
        usedVariables.add(node.name.value);
      },
    });
  };
  collect(rewritten);

  const clientDefinitions = (info.operation.variableDefinitions ?? []).filter((d) => usedVariables.has(d.variable.name.value));
  const ownDefinitions: VariableDefinitionNode[] = Object.entries(spec.variables)
    .filter(([v]) => usedVariables.has(v))
    .map(([v, type]) => ({
      kind: Kind.VARIABLE_DEFINITION,
      variable: variable(v),
      type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: name(type.replace(/!$/, '')) } },
    }));
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: 'query' as never,
        name: name('SubscriptionFollowUp'),
        variableDefinitions: [...ownDefinitions, ...clientDefinitions],
        directives: [],
        selectionSet: { kind: Kind.SELECTION_SET, selections: rewritten },
      },
      ...[...usedFragments].map((f) => info.fragments[f]).filter((f): f is FragmentDefinitionNode => f !== undefined),
    ],
  };
  const clientVariables = Object.fromEntries(clientDefinitions.map((d) => [d.variable.name.value, info.variableValues[d.variable.name.value]]));
  return { document, text: print(document), clientVariables };
}
