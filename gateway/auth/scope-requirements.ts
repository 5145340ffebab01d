import { Kind, parse, print, visit, type ConstDirectiveNode, type DirectiveNode, type DocumentNode } from 'graphql';

/**
 * What a field or type asks of its caller, from `@authenticated` and `@requiresScopes`.
 * `scopes` is a disjunction of conjunctions, as in the federation spec: `[["a"], ["b", "c"]]`
 * is satisfied by `a`, or by both `b` and `c`.
 */
export interface Requirement {
  readonly authenticated: boolean;
  readonly scopes: readonly (readonly string[])[] | null;
}

/** Requirements by schema coordinate: `Type` for types, `Type.field` for fields. */
export type ScopeRequirements = ReadonlyMap<string, Requirement>;

const SECURITY_DIRECTIVES = new Set(['authenticated', 'requiresScopes']);
const SECURITY_LINKS = ['https://specs.apollo.dev/authenticated/', 'https://specs.apollo.dev/requiresScopes/'];

function requirementOf(directives: readonly (ConstDirectiveNode | DirectiveNode)[] | undefined): Requirement | null {
  let authenticated = false;
  let scopes: string[][] | null = null;
  for (const directive of directives ?? []) {
    if (directive.name.value === 'authenticated') authenticated = true;
    if (directive.name.value !== 'requiresScopes') continue;
    const argument = directive.arguments?.find((a) => a.name.value === 'scopes');
    if (argument?.value.kind !== Kind.LIST) continue;
    scopes = argument.value.values.map((group) =>
      group.kind === Kind.LIST ? group.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : [],
    );
  }
  return authenticated || scopes ? { authenticated, scopes } : null;
}

function merge(a: Requirement | undefined, b: Requirement): Requirement {
  if (!a) return b;
  // Two declarations of one coordinate (a type in several documents) must both hold:
  // the conjunction of two disjunctions is the product of their groups.
  const [left, right] = [a.scopes, b.scopes];
  const scopes = left && right ? left.flatMap((x) => right.map((y) => [...new Set([...x, ...y])])) : (left ?? right);
  return { authenticated: a.authenticated || b.authenticated, scopes };
}

/**
 * Reads `@authenticated` and `@requiresScopes` from SDL documents (the supergraph, and the
 * gateway's own subscription schema) into requirements by schema coordinate.
 */
export function readScopeRequirements(sdls: readonly string[]): ScopeRequirements {
  const requirements = new Map<string, Requirement>();
  const add = (coordinate: string, requirement: Requirement | null) => {
    if (requirement) requirements.set(coordinate, merge(requirements.get(coordinate), requirement));
  };
  for (const sdl of sdls) {
    for (const definition of parse(sdl).definitions) {
      if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
      const typeName = definition.name.value;
      add(typeName, requirementOf(definition.directives));
      if ('fields' in definition) {
        for (const field of definition.fields ?? []) add(`${typeName}.${field.name.value}`, requirementOf(field.directives));
      }
    }
  }
  return requirements;
}

/**
 * The SDL without the security features (`@authenticated`, `@requiresScopes`, their links,
 * definitions and uses). `@apollo/gateway` refuses a supergraph that links a `for: SECURITY`
 * feature it does not enforce itself; this gateway enforces them before execution.
 */
export function stripSecurityDirectives(sdl: string): string {
  return print(stripSecurityDirectivesFromDocument(parse(sdl)));
}

/** {@link stripSecurityDirectives} on a parsed document. */
export function stripSecurityDirectivesFromDocument(document: DocumentNode): DocumentNode {
  return visit(document, {
    Directive(node) {
      if (SECURITY_DIRECTIVES.has(node.name.value)) return null;
      if (node.name.value === 'link') {
        const url = node.arguments?.find((a) => a.name.value === 'url')?.value;
        if (url?.kind === Kind.STRING && SECURITY_LINKS.some((prefix) => url.value.startsWith(prefix))) return null;
      }
      return undefined;
    },
    DirectiveDefinition(node) {
      return SECURITY_DIRECTIVES.has(node.name.value) ? null : undefined;
    },
    ScalarTypeDefinition(node) {
      return node.name.value === 'requiresScopes__Scope' ? null : undefined;
    },
  });
}
