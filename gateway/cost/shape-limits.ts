import {
  GraphQLError,
  Kind,
  parse,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { appError, type ErrorCode } from '../../subgraphs/shared/errors.ts';

/** Limits on the shape of a document, checked before validation and planning. */
export interface ShapeLimits {
  /** Deepest field nesting, fragments expanded (a root field is depth 1). */
  readonly maxDepth: number;
  /** Aliased fields, fragments expanded as often as they are spread. */
  readonly maxAliases: number;
  /** Fields selected at the root of the operation, fragments expanded. */
  readonly maxRootFields: number;
  /** Lexical tokens of the document; parsing stops past it. */
  readonly maxTokens: number;
  /** Directive uses in the document. */
  readonly maxDirectives: number;
}

/** Defaults: room for any realistic frontend or dashboard query, not for a hostile one. */
export const DEFAULT_SHAPE_LIMITS: ShapeLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxRootFields: 20,
  maxTokens: 5_000,
  maxDirectives: 50,
};

function limitError(code: ErrorCode, message: string, limit: number, actual?: number): GraphQLError {
  return appError(code, message, actual === undefined ? { limit } : { limit, actual });
}

/**
 * Parses `query` with at most `limits.maxTokens` tokens: `MAX_TOKENS_LIMIT` past it, and
 * graphql-js's syntax error (GRAPHQL_PARSE_FAILED) for a malformed document.
 */
export function parseWithinLimits(query: string, limits: ShapeLimits): DocumentNode {
  try {
    return parse(query, { maxTokens: limits.maxTokens });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    // graphql-js 16 words it "contains more that N tokens".
    if (/contains more th\w+ \d+ tokens/.test(error.message)) {
      throw limitError('MAX_TOKENS_LIMIT', `The document has more than ${limits.maxTokens} tokens`, limits.maxTokens);
    }
    throw new GraphQLError(error.message, {
      source: error.source,
      positions: error.positions,
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  }
}

interface Measure {
  depth: number;
  aliases: number;
}

/**
 * Checks depth, aliases, root fields of every operation in the document, and its
 * directives, before it is validated (validation of a hostile document is itself costly).
 * Fragments are measured once each (memoised), so a document that spreads a fragment many
 * times costs little to check; fragment cycles count as too deep. Aliases are also counted
 * once per use in the whole text, so unused fragments cannot hide an alias bomb.
 * Returns the first limit exceeded, or null.
 */
export function checkShape(document: DocumentNode, limits: ShapeLimits): GraphQLError | null {
  let directives = 0;
  let writtenAliases = 0;
  visit(document, {
    Directive() {
      directives += 1;
    },
    Field(node) {
      if (node.alias) writtenAliases += 1;
    },
  });
  if (directives > limits.maxDirectives) {
    return limitError('MAX_DIRECTIVES_LIMIT', `The document uses ${directives} directives; the limit is ${limits.maxDirectives}`, limits.maxDirectives, directives);
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, Measure>();
  const visiting = new Set<string>();

  const measure = (selectionSet: SelectionSetNode): Measure => {
    let depth = 0;
    let aliases = 0;
    for (const selection of selectionSet.selections) {
      let inner: Measure;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? measure(selection.selectionSet) : { depth: 0, aliases: 0 };
        inner = { depth: below.depth + 1, aliases: below.aliases + (selection.alias ? 1 : 0) };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const known = memo.get(name);
        const definition = fragments.get(name);
        if (known) inner = known;
        else if (!definition) inner = { depth: 0, aliases: 0 };
        else if (visiting.has(name)) inner = { depth: Infinity, aliases: 0 };
        else {
          visiting.add(name);
          inner = measure(definition.selectionSet);
          visiting.delete(name);
          memo.set(name, inner);
        }
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
    }
    return { depth, aliases };
  };

  for (const operation of document.definitions) {
    if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
    const error = checkOperation(operation, measure, fragments, limits);
    if (error) return error;
  }
  if (writtenAliases > limits.maxAliases) {
    return limitError('MAX_ALIASES_LIMIT', `The document uses ${writtenAliases} aliases; the limit is ${limits.maxAliases}`, limits.maxAliases, writtenAliases);
  }
  return null;
}

function checkOperation(
  operation: OperationDefinitionNode,
  measure: (selectionSet: SelectionSetNode) => Measure,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  limits: ShapeLimits,
): GraphQLError | null {
  const { depth, aliases } = measure(operation.selectionSet);
  if (depth > limits.maxDepth) {
    const shown = Number.isFinite(depth) ? depth : 'unbounded (a fragment spreads itself)';
    return limitError('MAX_DEPTH_LIMIT', `The operation is ${shown} levels deep; the limit is ${limits.maxDepth}`, limits.maxDepth, Number.isFinite(depth) ? depth : undefined);
  }
  if (aliases > limits.maxAliases) {
    return limitError('MAX_ALIASES_LIMIT', `The operation uses ${aliases} aliases; the limit is ${limits.maxAliases}`, limits.maxAliases, aliases);
  }
  const rootFields = countRootFields(operation.selectionSet, fragments, new Set());
  if (rootFields > limits.maxRootFields) {
    return limitError('MAX_ROOT_FIELDS_LIMIT', `The operation selects ${rootFields} root fields; the limit is ${limits.maxRootFields}`, limits.maxRootFields, rootFields);
  }
  return null;
}

function countRootFields(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, fragments, seen);
    else {
      const definition = fragments.get(selection.name.value);
      if (!definition || seen.has(selection.name.value)) continue;
      seen.add(selection.name.value);
      count += countRootFields(definition.selectionSet, fragments, seen);
    }
  }
  return count;
}

/**
 * Deepest bracket nesting (`{`, `[`, `(`) of a document's text, scanned iteratively before
 * it is parsed: graphql-js parses values and selections recursively, so a literal nested
 * thousands of levels deep would overflow the stack. Strings, block strings and comments
 * are skipped. Stops counting once `limit` is passed.
 */
export function textNesting(query: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  const n = query.length;
  for (let i = 0; i < n; i += 1) {
    const c = query.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < n && query.charCodeAt(i) !== 0x0a && query.charCodeAt(i) !== 0x0d) i += 1;
    } else if (c === 0x22 /* " */) {
      if (query.startsWith('"""', i)) {
        i += 3;
        while (i < n && !query.startsWith('"""', i)) i += query.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i += 1;
        while (i < n && query.charCodeAt(i) !== 0x22 && query.charCodeAt(i) !== 0x0a) i += query.charCodeAt(i) === 0x5c ? 2 : 1;
      }
    } else if (c === 0x7b || c === 0x5b || c === 0x28) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d || c === 0x29) {
      depth = Math.max(0, depth - 1);
    }
  }
  return deepest;
}

/**
 * Deepest nesting of arrays and objects in a JSON value (a scalar is 0), measured
 * iteratively so that no recursive walk ever sees a value deeper than `limit`. Stops once
 * `limit` is passed.
 */
export function valueDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    const inner = depth + 1;
    if (inner > deepest) {
      deepest = inner;
      if (deepest > limit) return deepest;
    }
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, inner]);
    }
  }
  return deepest;
}

/**
 * MAX_VALUE_DEPTH_LIMIT when the text nests brackets more than `maxTextNesting` deep, or a
 * variable nests lists and objects more than `maxValueDepth` deep; else null. Runs before
 * the parse and before anything walks the variables.
 */
export function checkNesting(query: string, variables: Readonly<Record<string, unknown>> | null, maxTextNesting: number, maxValueDepth: number): GraphQLError | null {
  const text = textNesting(query, maxTextNesting);
  if (text > maxTextNesting) {
    return limitError('MAX_VALUE_DEPTH_LIMIT', `The document nests brackets more than ${maxTextNesting} levels deep`, maxTextNesting);
  }
  for (const [name, value] of Object.entries(variables ?? {})) {
    // A top-level list is depth 1, as it is in the document.
    if (valueDepth(value, maxValueDepth) > maxValueDepth) {
      return appError('MAX_VALUE_DEPTH_LIMIT', `Variable $${name} nests lists and objects more than ${maxValueDepth} levels deep`, { limit: maxValueDepth, field: name, variable: name });
    }
  }
  return null;
}
