/**
 * Paging this graph's connections with Apollo Client when a query selects `nodes`.
 *
 * Apollo's `relayStylePagination()` merges pages by their `edges`; a query that selects
 * only `nodes` (the style the guides use) would see page 2 replace page 1. This field
 * policy merges by `nodes` instead:
 *
 * - a page requested with `after` (forward, `fetchMore({ variables: { after: endCursor } })`)
 *   is appended, and takes `hasNextPage` and `endCursor` from the new page;
 * - a page requested with `before` (backward, `last`/`before: startCursor`) is prepended,
 *   and takes `hasPreviousPage` and `startCursor` from the new page;
 * - a page with neither cursor (the first page, or `last` alone: the end of the list)
 *   replaces what the cache holds;
 * - a node already in the list (same cache reference or `id`) is not added twice.
 *
 * Other fields of the connection (`totalCount`) come from the latest page. Select
 * `pageInfo { hasNextPage hasPreviousPage startCursor endCursor }` with `nodes`.
 *
 * ```ts
 * const cache = new InMemoryCache({
 *   typePolicies: {
 *     Query: { fields: { users: nodesPagination(['filter']) } },
 *     Department: { fields: { members: nodesPagination() } },
 *   },
 * });
 * ```
 *
 * `keyArgs` are the arguments that make a different list (filters), as for Apollo's own
 * pagination helpers; the paging arguments (`first`, `after`, `last`, `before`) never are.
 */
import { isReference, type FieldPolicy, type Reference } from '@apollo/client';

/** `pageInfo` of a connection of this graph. */
export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/** A connection as the cache holds it: `nodes`, `pageInfo` and whatever else was selected. */
export interface NodesConnection<TNode = Reference> {
  readonly nodes: readonly TNode[];
  readonly pageInfo: PageInfo;
  readonly [field: string]: unknown;
}

type KeyArgs = FieldPolicy['keyArgs'];

/** A field policy that merges pages of a connection by `nodes`, forward and backward. */
export function nodesPagination<TNode = Reference>(keyArgs: KeyArgs = false): FieldPolicy<NodesConnection<TNode>> {
  return {
    keyArgs,
    read(existing, { canRead }) {
      if (!existing) return existing;
      // Nodes evicted from the cache since they were merged are left out, as Apollo's own policies do.
      return { ...existing, nodes: existing.nodes.filter((node) => canRead(node as Reference)) };
    },
    merge(existing, incoming, { args, readField }) {
      const after = typeof args?.after === 'string' ? args.after : null;
      const before = typeof args?.before === 'string' ? args.before : null;
      if (!existing || (after === null && before === null)) return incoming;
      const identity = (node: TNode): string => {
        if (isReference(node)) return node.__ref;
        const id = readField('id', node as Reference);
        return id === undefined ? JSON.stringify(node) : String(id);
      };
      const joined = before !== null && after === null ? [...incoming.nodes, ...existing.nodes] : [...existing.nodes, ...incoming.nodes];
      const seen = new Set<string>();
      const nodes = joined.filter((node) => {
        const id = identity(node);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      const pageInfo: PageInfo =
        before !== null && after === null
          ? { ...existing.pageInfo, hasPreviousPage: incoming.pageInfo.hasPreviousPage, startCursor: incoming.pageInfo.startCursor ?? existing.pageInfo.startCursor }
          : { ...existing.pageInfo, hasNextPage: incoming.pageInfo.hasNextPage, endCursor: incoming.pageInfo.endCursor ?? existing.pageInfo.endCursor };
      return { ...existing, ...incoming, nodes, pageInfo };
    },
  };
}
