import { Kind, type DocumentNode, type TypeNode } from 'graphql';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import type { FollowUp } from './follow-up.ts';

/** Runs a follow-up's document through the gateway's parse, validation and planning with no subgraph called. */
export type PlanOnly = (document: DocumentNode, variables: Record<string, unknown>, identity: Identity) => Promise<unknown>;

/** Follow-up texts prepared per schema at most; past it, new selections are planned by their first event, as before. */
const DEFAULT_MAX_PREPARED = 1_000;

/** The nil UUID: a well-formed id no entity has. */
const NIL_ID = '00000000-0000-0000-0000-000000000000';

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/**
 * Values for a follow-up's own `$__` variables (the event's ids and flags, filled per event),
 * well-formed for their types, so that the document passes variable coercion and is planned.
 * Plans do not depend on variable values (`@include` becomes a condition in the plan).
 */
export function placeholderVariables(document: DocumentNode): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const { variable, type } of definition.variableDefinitions ?? []) {
      const name = variable.name.value;
      if (!name.startsWith('__')) continue;
      const scalar = namedType(type);
      values[name] = scalar === 'Boolean' ? false : scalar === 'Int' || scalar === 'Float' ? 0 : NIL_ID;
    }
  }
  return values;
}

/**
 * Prepares each distinct follow-up once per schema (`scope()`, null before one is loaded) when
 * its first subscriber subscribes, so that the first event of a new selection finds its query
 * plan built instead of building it on the delivery path. Preparation calls no subgraph and
 * charges nothing; one that fails is forgotten (the first event plans it, as without this).
 */
export function createFollowUpPreparer(planOnly: PlanOnly, scope: () => object | null, options: { maxPrepared?: number } = {}) {
  const maxPrepared = options.maxPrepared ?? DEFAULT_MAX_PREPARED;
  const preparedBySchema = new WeakMap<object, Set<string>>();
  let completed = 0;
  return {
    prepare(followUp: FollowUp, identity: Identity): void {
      const schema = scope();
      if (!schema) return;
      let prepared = preparedBySchema.get(schema);
      if (!prepared) preparedBySchema.set(schema, (prepared = new Set()));
      if (prepared.has(followUp.text) || prepared.size >= maxPrepared) return;
      prepared.add(followUp.text);
      const variables = { ...followUp.clientVariables, ...placeholderVariables(followUp.document) };
      void planOnly(followUp.document, variables, identity).then(
        () => void (completed += 1),
        () => void prepared.delete(followUp.text),
      );
    },
    /** Preparations completed (for tests). */
    prepared: (): number => completed,
  };
}
