import fs from 'node:fs';
import { buildSchema, parse, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { authorizeOperation, nullRefusedFields, violationError } from '../../../gateway/auth/authorize-operation.ts';
import { readScopeRequirements, stripSecurityDirectives } from '../../../gateway/auth/scope-requirements.ts';
import type { Identity } from '../../../subgraphs/shared/identity.ts';
import { SUPERGRAPH_PATH } from '../../../schema/compose.ts';

const SDL = `
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
type Query {
  me: User @authenticated
  users(first: Int): [User!]! @requiresScopes(scopes: [["read:people"]])
  requests(userId: ID): [Request!]! @requiresScopes(scopes: [["read:leave"]])
  secret: Secret
}
type Mutation {
  approve(id: ID!): Request! @requiresScopes(scopes: [["approve:leave"]])
  create(note: String): Request! @requiresScopes(scopes: [["write:leave"]])
}
type User { id: ID! name: String! notes: [String!]! @requiresScopes(scopes: [["read:people", "write:people"], ["admin"]]) requests: [Request!]! @requiresScopes(scopes: [["read:leave"]]) }
type Request { id: ID! status: String! user: User! }
type Secret @requiresScopes(scopes: [["admin"]]) { value: String! }
`;
const schema = buildSchema(SDL);
const requirements = readScopeRequirements([SDL]);

function identity(scopes: string[]): Identity {
  return { orgId: 'o', userId: 'u', role: 'EMPLOYEE', scopes, keyId: 'k', authMethod: 'api-key' };
}

function check(query: string, scopes: string[], operationName?: string) {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const result = authorizeOperation(schema, document, operationName, identity(scopes), requirements);
  // Whatever was removed, what is left must still be a valid document.
  expect(validate(schema, result.document)).toEqual([]);
  return result;
}

describe('authorizeOperation', () => {
  it('should leave an operation the caller may run untouched', () => {
    const document = parse('{ users { id requests { id } } requests { status } }');
    const result = authorizeOperation(schema, document, undefined, identity(['read:people', 'read:leave']), requirements);
    expect(result.violations).toEqual([]);
    expect(result.document).toBe(document);
  });

  it('should drop a mutation field without its scope and keep its sibling', () => {
    const result = check('mutation { a: approve(id: "1") { id } create { id status } }', ['write:leave']);
    expect(result.violations).toEqual([{ path: ['a'], coordinate: 'Mutation.approve', requirement: { authenticated: false, scopes: [['approve:leave']] } }]);
    expect(print(result.document)).not.toContain('approve');
    expect(print(result.document)).toContain('create');
    expect(result.empty).toBe(false);
  });

  it('should report every refused field with its response path, through fragments and aliases', () => {
    const result = check(
      `query Q { people: users { ...P } requests { user { ... on User { notes } } } }
       fragment P on User { name notes mine: requests { id } }`,
      ['read:people', 'read:leave'],
    );
    expect(result.violations.map((v) => [v.path.join('.'), v.coordinate])).toEqual([
      ['people.notes', 'User.notes'],
      ['requests.user.notes', 'User.notes'],
    ]);
  });

  it('should satisfy a requirement by any one of its scope sets, and admin by implication', () => {
    expect(check('{ users { notes } }', ['read:people', 'write:people']).violations).toEqual([]);
    expect(check('{ users { notes } }', ['admin']).violations).toEqual([]);
    expect(check('{ users { notes } }', ['read:people']).violations).toHaveLength(1);
  });

  it('should refuse a field whose type requires a scope', () => {
    const result = check('{ secret { value } users { id } }', ['read:people']);
    expect(result.violations.map((v) => v.coordinate)).toEqual(['Secret']);
  });

  it('should remove a parent left with nothing selected, and unused fragments and variables', () => {
    const result = check(
      'query Q($id: ID, $n: Int) { requests(userId: $id) { id } users(first: $n) { id ...N } me { ...N } } fragment N on User { notes }',
      ['read:people'],
    );
    const printed = print(result.document);
    expect(printed).not.toContain('fragment N');
    expect(printed).not.toContain('$id');
    expect(printed).toContain('$n');
    expect(printed).not.toContain('requests');
    expect(printed).not.toContain('me');
    expect(result.violations.map((v) => v.path.join('.'))).toEqual(['requests', 'users.notes', 'me.notes']);
  });

  it('should say when nothing of the operation is left', () => {
    const result = check('mutation { approve(id: "1") { id } }', ['read:leave']);
    expect(result.empty).toBe(true);
  });

  it('should not loop on a fragment cycle', () => {
    const document = parse('{ users { ...A } } fragment A on User { requests { user { ...A } } }');
    const result = authorizeOperation(schema, document, undefined, identity(['read:people']), requirements);
    expect(result.violations.map((v) => v.coordinate)).toEqual(['User.requests']);
  });
});

describe('violationError', () => {
  it('should name the field and the missing scope with code FORBIDDEN', () => {
    const error = violationError({ path: ['a'], coordinate: 'Mutation.approve', requirement: { authenticated: false, scopes: [['approve:leave']] } });
    expect(error.message).toContain('Mutation.approve requires the scope approve:leave');
    expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Mutation.approve', requiredScopes: [['approve:leave']] });
    expect(error.path).toEqual(['a']);
  });
});

describe('nullRefusedFields', () => {
  it('should null a refused field in every list item and leave absent parents alone', () => {
    const data = { users: [{ id: '1' }, { id: '2' }], gone: null } as Record<string, unknown>;
    nullRefusedFields(data, [
      { path: ['users', 'notes'], coordinate: 'User.notes', requirement: { authenticated: false, scopes: [['admin']] } },
      { path: ['gone', 'x'], coordinate: 'X.x', requirement: { authenticated: false, scopes: [['admin']] } },
    ]);
    expect(data).toEqual({ users: [{ id: '1', notes: null }, { id: '2', notes: null }], gone: null });
  });
});

describe('the supergraph', () => {
  const supergraph = fs.readFileSync(SUPERGRAPH_PATH, 'utf8');

  it('should declare the scopes of the leave and people root fields', () => {
    const fromSupergraph = readScopeRequirements([supergraph]);
    expect(fromSupergraph.get('Mutation.approveLeaveRequest')?.scopes).toEqual([['approve:leave']]);
    expect(fromSupergraph.get('Mutation.createLeaveRequest')?.scopes).toEqual([['write:leave']]);
    expect(fromSupergraph.get('Query.leaveRequests')?.scopes).toEqual([['read:leave']]);
    expect(fromSupergraph.get('Query.users')?.scopes).toEqual([['read:people']]);
    expect(fromSupergraph.get('Mutation.createApiKey')?.scopes).toEqual([['admin']]);
    expect(fromSupergraph.get('User.leaveRequests')?.scopes).toEqual([['read:leave']]);
    expect(fromSupergraph.get('Query.me')).toEqual({ authenticated: true, scopes: null });
  });

  it('should give every root field a requirement', () => {
    const requirementsOf = readScopeRequirements([supergraph]);
    const api = buildSchema(stripSecurityDirectives(supergraph).replace(/^\s*@link[^\n]*$/gm, ''), { assumeValid: true, assumeValidSDL: true });
    for (const type of [api.getQueryType(), api.getMutationType()]) {
      for (const field of Object.keys(type?.getFields() ?? {})) {
        expect(requirementsOf.get(`${type?.name}.${field}`), `${type?.name}.${field}`).toBeDefined();
      }
    }
  });

  it('should strip the security features the gateway enforces itself', () => {
    const stripped = stripSecurityDirectives(supergraph);
    expect(stripped).not.toMatch(/requiresScopes|@authenticated|specs\.apollo\.dev\/authenticated/);
    expect(stripped).toContain('https://specs.apollo.dev/join/');
  });
});
