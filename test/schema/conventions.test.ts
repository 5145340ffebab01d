// The graph's conventions (docs/conventions.md), checked over the schema clients see: the API
// schema composed from every subgraph's SDL, so a subgraph added later is checked too.
import fs from 'node:fs';
import { composeServices } from '@apollo/composition';
import {
  buildSchema,
  getNamedType,
  GraphQLError,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  parse,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkInputValues } from '../../gateway/input/check-input.ts';
import { subgraphNames } from '../../schema/compose.ts';
import { badInput, INPUT_RULES, isInputRule } from '../../subgraphs/shared/errors.ts';
import { decodeCursor, pageSize } from '../../subgraphs/shared/pagination.ts';
import { requireColour, requireCountry, requireDomainDate, requireEmail, requireIntInRange, requireText, requireTimeZone } from '../../subgraphs/shared/validation.ts';

const root = new URL('../../', import.meta.url);

function composedApiSchema(): GraphQLSchema {
  const services = subgraphNames().map((name) => ({
    name,
    url: `http://${name}.invalid/graphql`,
    typeDefs: parse(fs.readFileSync(new URL(`subgraphs/${name}/schema.graphql`, root), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.schema.toAPISchema().toGraphQLJSSchema();
}

/** Names that spell an active/inactive filter some other way than `status: ActivityStatus`. */
const OTHER_ACTIVITY_SPELLINGS = /^(include|show|with|only)?_?(in)?(active|deactivated|archived|revoked|retired)$/i;

function described(thing: { description?: string | null | undefined }): boolean {
  return typeof thing.description === 'string' && thing.description.trim().length > 0;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function activityProblems(where: string, arg: GraphQLArgument | GraphQLInputField): string[] {
  const problems: string[] = [];
  if (OTHER_ACTIVITY_SPELLINGS.test(arg.name)) problems.push(`${where}: the active filter is spelt \`status: ActivityStatus = ACTIVE\`, not \`${arg.name}\``);
  if (getNamedType(arg.type).name === 'ActivityStatus') {
    if (arg.name !== 'status') problems.push(`${where}: an ActivityStatus filter is named \`status\``);
    if (arg.defaultValue !== 'ACTIVE') problems.push(`${where}: an ActivityStatus filter defaults to ACTIVE`);
  }
  return problems;
}

/**
 * The target a mutation acts on may come first: `id: ID!`, or `<type>: <Type>Ref!` for records
 * that can also be named by SIS id. Everything else is in one `input` of an input object type.
 */
function mutationProblems(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): string[] {
  const where = `Mutation.${field.name}`;
  const args = [...field.args];
  const problems: string[] = [];
  const first = args[0];
  if (first && first.name !== 'input') {
    const named = getNamedType(first.type).name;
    const isId = first.name === 'id' && isNonNullType(first.type) && named === 'ID';
    const refOf = named.endsWith('Ref') ? named.slice(0, -'Ref'.length) : null;
    const isRef = refOf !== null && isNonNullType(first.type) && isObjectType(schema.getType(refOf)) && first.name === lowerFirst(refOf);
    if (isId || isRef) args.shift();
  }
  const input = args.shift();
  if (!input && field.args.length === 0) problems.push(`${where}: takes no argument; give it an \`input\``);
  if (input && (input.name !== 'input' || !isInputObjectType(getNamedType(input.type)))) {
    problems.push(`${where}: argument \`${input.name}\` must be inside \`input\` (an input object type)`);
  }
  for (const extra of args) problems.push(`${where}: argument \`${extra.name}\` must be inside \`input\``);
  return problems;
}

/** Input types that filter reads: reachable from an argument of a field other than a mutation. */
function filterInputs(schema: GraphQLSchema): Set<string> {
  const found = new Set<string>();
  const visit = (name: string): void => {
    const type = schema.getType(name);
    if (!isInputObjectType(type) || found.has(name)) return;
    found.add(name);
    for (const field of Object.values(type.getFields())) visit(getNamedType(field.type).name);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type === schema.getMutationType() || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) for (const arg of field.args) visit(getNamedType(arg.type).name);
  }
  return found;
}

/** Every violation of the schema conventions, one line each. */
export function conventionProblems(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  const filters = filterInputs(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
    if (!described(type)) problems.push(`${type.name}: no description`);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const where = `${type.name}.${field.name}`;
        if (!described(field)) problems.push(`${where}: no description`);
        for (const arg of field.args) {
          if (!described(arg)) problems.push(`${where}(${arg.name}): no description`);
          problems.push(...activityProblems(`${where}(${arg.name})`, arg));
        }
        if (getNamedType(field.type).name.endsWith('Connection')) {
          for (const [name, typeName] of [['first', 'Int'], ['after', 'String']] as const) {
            const arg = field.args.find((a) => a.name === name);
            if (!arg || getNamedType(arg.type).name !== typeName) problems.push(`${where}: a connection takes \`${name}: ${typeName}\``);
          }
        }
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field)) problems.push(`${type.name}.${field.name}: no description`);
        // A mutation's input may set a record's state (`deactivated: true`); only filters are checked.
        if (filters.has(type.name)) problems.push(...activityProblems(`${type.name}.${field.name}`, field));
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) if (!described(value)) problems.push(`${type.name}.${value.name}: no description`);
    }
  }
  const mutation = schema.getMutationType();
  if (mutation) for (const field of Object.values(mutation.getFields())) problems.push(...mutationProblems(schema, field));
  return problems;
}

describe('the schema conventions', () => {
  it('should hold for the composed schema of every subgraph', () => {
    expect(conventionProblems(composedApiSchema())).toEqual([]);
  });

  it('should find every kind of violation in a schema that breaks them', () => {
    const bad = buildSchema(`
      "Reads."
      type Query {
        "A list spelt the old way."
        things("Old filter." includeInactive: Boolean = false, "Page size." first: Int, "Cursor." after: String): ThingConnection!
        "A connection without a cursor."
        pages("Page size." first: Int): ThingConnection!
        "The right spelling under the wrong name and default."
        others("Filter." state: ActivityStatus = ALL, "Page size." first: Int, "Cursor." after: String): ThingConnection!
        "A filter input with a boolean spelling."
        filtered("Filter." filter: ThingFilter, "Page size." first: Int, "Cursor." after: String): ThingConnection!
      }
      "Writes."
      type Mutation {
        "Loose arguments."
        approveThing("Id." id: ID!, "Note." note: String): Thing!
        "A scalar input."
        renameThing("Name." input: String!): Thing!
        "Right: the target and one input."
        updateThing("Id." id: ID!, "Changes." input: UpdateThingInput!): Thing!
        "Right: a Ref target."
        deleteThing("The thing." thing: ThingRef!): Thing!
        "Wrong: a Ref under another name."
        moveThing("The thing." target: ThingRef!, "Where." input: UpdateThingInput!): Thing!
      }
      "A thing."
      type Thing { "Id." id: ID! name: String }
      "A page of things."
      type ThingConnection { "Things." nodes: [Thing!]! }
      "Changes: a state field is not a filter."
      input UpdateThingInput { "Name." name: String "Whether it is deactivated." deactivated: Boolean }
      "Which things."
      input ThingFilter { "Old filter." deactivated: Boolean = false, active: Boolean }
      "A thing by id."
      input ThingRef { "Id." id: ID }
      "Activity."
      enum ActivityStatus { "Active." ACTIVE "Deactivated." DEACTIVATED ALL }
      scalar Undescribed
    `);
    expect(conventionProblems(bad).sort()).toEqual(
      [
        'Query.things(includeInactive): the active filter is spelt `status: ActivityStatus = ACTIVE`, not `includeInactive`',
        'Query.pages: a connection takes `after: String`',
        'Query.others(state): an ActivityStatus filter is named `status`',
        'Query.others(state): an ActivityStatus filter defaults to ACTIVE',
        'Mutation.approveThing: argument `note` must be inside `input` (an input object type)',
        'Mutation.renameThing: argument `input` must be inside `input` (an input object type)',
        'Mutation.moveThing: argument `target` must be inside `input` (an input object type)',
        'Mutation.moveThing: argument `input` must be inside `input`',
        'Thing.name: no description',
        'ThingFilter.deactivated: the active filter is spelt `status: ActivityStatus = ACTIVE`, not `deactivated`',
        'ThingFilter.active: the active filter is spelt `status: ActivityStatus = ACTIVE`, not `active`',
        'ThingFilter.active: no description',
        'ActivityStatus.ALL: no description',
        'Undescribed: no description',
      ].sort(),
    );
  });
});

describe('the rule codes of BAD_USER_INPUT', () => {
  const documented = (): string[] => {
    const text = fs.readFileSync(new URL('docs/conventions.md', root), 'utf8');
    const section = text.slice(text.indexOf('## Rule codes'));
    return [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1] ?? '');
  };

  it('should be documented exactly as INPUT_RULES lists them', () => {
    expect(documented()).toEqual(Object.keys(INPUT_RULES));
  });

  it('should be UPPER_SNAKE codes', () => {
    for (const code of Object.keys(INPUT_RULES)) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
  });

  const thrown = (fn: () => unknown): GraphQLError => {
    try {
      fn();
    } catch (error) {
      if (error instanceof GraphQLError) return error;
      throw error;
    }
    throw new Error('expected a GraphQLError');
  };

  it.each<[string, () => unknown, string]>([
    ['an empty name', () => requireText('input.name', '  ', 1, 100), 'TOO_SHORT'],
    ['a long name', () => requireText('input.name', 'x'.repeat(101), 1, 100), 'TOO_LONG'],
    ['a bad email', () => requireEmail('input.email', 'nobody'), 'INVALID_FORMAT'],
    ['an unknown country', () => requireCountry('input.country', 'XX'), 'INVALID_FORMAT'],
    ['an unknown time zone', () => requireTimeZone('input.timeZone', 'Mars/Olympus'), 'INVALID_FORMAT'],
    ['a bad colour', () => requireColour('input.colour', 'red'), 'INVALID_FORMAT'],
    ['an integer out of range', () => requireIntInRange('input.months', 0, 1, 120), 'OUT_OF_RANGE'],
    ['a date outside the domain', () => requireDomainDate('input.startDate', '1899-12-31'), 'OUT_OF_RANGE'],
    ['a page of 101', () => pageSize({ first: 101 }), 'OUT_OF_RANGE'],
    ['first with last', () => pageSize({ first: 5, last: 5 }), 'INCOMPATIBLE'],
    ['a forged cursor', () => decodeCursor('not-a-cursor', ['text', 'uuid']), 'CURSOR_INVALID'],
  ])('should answer %s with a listed code, the field and the sentence in message', (_, fn, rule) => {
    const error = thrown(fn);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule });
    expect(isInputRule(error.extensions['rule'])).toBe(true);
    expect(error.message).toMatch(new RegExp(`^${String(error.extensions['field']).replace(/[.[\]]/g, '\\$&')}: [a-z]`));
  });

  it('should give the gateway input checks listed codes', () => {
    const schema = composedApiSchema();
    const check = (query: string, variables: Record<string, unknown>) => {
      const document = parse(query);
      const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
      if (!operation || operation.kind !== 'OperationDefinition') throw new Error('no operation');
      return checkInputValues(schema, document, operation, variables);
    };
    const nul = check('query($s: String) { users(filter: { search: $s }) { totalCount } }', { s: 'a\u0000b' });
    expect(nul?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'INVALID_TEXT' });
    const long = check('query($s: String) { users(filter: { search: $s }) { totalCount } }', { s: 'x'.repeat(201) });
    expect(long?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'TOO_LONG' });
    const date = check('{ closureDays(from: "2026-02-30", to: "2026-03-01") { nodes { id } } }', {});
    expect(date?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'INVALID_DATE' });
  });

  it('should refuse a code outside the list at compile time and in the list check', () => {
    // @ts-expect-error: a sentence is not a rule code.
    const error = badInput('input.name', 'must not be empty', 'must not be empty');
    expect(isInputRule(error.extensions['rule'])).toBe(false);
  });
});
