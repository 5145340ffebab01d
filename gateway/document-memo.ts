import type { DocumentNode } from 'graphql';

/** Results kept per document (distinct keys: operation names, variable values, scopes); then they start over. */
const RESULTS_PER_DOCUMENT = 64;
/** Longest key kept: a result under a longer key (large variable values) is computed for the request alone. */
const MAX_KEY_LENGTH = 2_000;

/**
 * What pure functions of a parsed document give, kept per (scope, document, key): `scope` is
 * what else they read for good (a schema, a cost model), `key` what varies per request. A
 * document handed out again by a parse cache is looked up, not recomputed. Bounded per
 * document (RESULTS_PER_DOCUMENT, MAX_KEY_LENGTH; a null key is never kept); entries go
 * with their scope or document.
 */
export type DocumentMemo = <T>(scope: object, document: DocumentNode, key: string | null, compute: () => T) => T;

export function createDocumentMemo(): DocumentMemo {
  const byScope = new WeakMap<object, WeakMap<DocumentNode, Map<string, unknown>>>();
  return <T>(scope: object, document: DocumentNode, key: string | null, compute: () => T): T => {
    if (key === null || key.length > MAX_KEY_LENGTH) return compute();
    let ofScope = byScope.get(scope);
    if (!ofScope) byScope.set(scope, (ofScope = new WeakMap()));
    let ofDocument = ofScope.get(document);
    if (!ofDocument) ofScope.set(document, (ofDocument = new Map()));
    if (ofDocument.has(key)) return ofDocument.get(key) as T;
    const value = compute();
    if (ofDocument.size >= RESULTS_PER_DOCUMENT) ofDocument.clear();
    ofDocument.set(key, value);
    return value;
  };
}
