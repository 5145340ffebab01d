// Schema-driven hostile input: every root query and mutation field of the gateway's schema,
// read by introspection (so a subgraph added later is covered with no edit here), gets
// hostile values generated from each argument's type. No call may answer HTTP 5xx, an
// error without a code or with INTERNAL_SERVER_ERROR, or hang.
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../helpers/graph.ts';

const CALL_TIMEOUT_MS = 15_000;
const PARALLEL = 4;

let graph: TestGraph;
let org: TestOrg;
let schema: GraphQLSchema;
beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
  await org.addUser({ role: 'MANAGER' });
  await org.addDepartment('Fuzz department');
  const res = await graph.gql<IntrospectionQuery>(org.admin.key, getIntrospectionQuery());
  expect(res.body.errors).toBeUndefined();
  schema = buildClientSchema(res.body.data as IntrospectionQuery);
}, 120_000);
afterAll(() => graph.stop());

interface Call {
  readonly label: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

interface Outcome {
  readonly call: Call;
  readonly problem: string | null;
  readonly data: unknown;
}

/** Ids seen so far, by typename, so that id arguments can name real entities of the organization. */
const idsByType = new Map<string, string[]>();
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
let counter = 0;

function rememberIds(value: unknown): void {
  const stack = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current !== 'object' || current === null) continue;
    const record = current as Record<string, unknown>;
    if (typeof record['id'] === 'string' && typeof record['__typename'] === 'string') {
      const list = idsByType.get(record['__typename']) ?? [];
      if (!list.includes(record['id'])) list.push(record['id']);
      idsByType.set(record['__typename'], list);
    }
    stack.push(...Object.values(record));
  }
}

/** An id for an argument or input field named `name` (`leaveTypeId` looks for a LeaveType). */
function idFor(name: string): string {
  const wanted = name.replace(/Ids?$/, '').toLowerCase();
  for (const [typename, ids] of idsByType) {
    if (typename.toLowerCase() === wanted || typename.toLowerCase().endsWith(wanted)) return ids[0] ?? UNKNOWN_ID;
  }
  for (const [typename, ids] of idsByType) if (typename !== 'ApiKey' && ids[0] && ids[0] !== org.admin.id) return ids[0];
  return UNKNOWN_ID;
}

/** A plausible string for a field named `name`, so that a baseline call gets past the obvious rules. */
function plausibleString(name: string): string {
  const n = (counter += 1);
  const lower = name.toLowerCase();
  if (lower.includes('email')) return `fuzz${n}@example.com`;
  if (lower.includes('colour') || lower.includes('color')) return '#336699';
  if (lower === 'country') return 'GB';
  if (lower.includes('timezone')) return 'Europe/London';
  if (lower === 'scopes' || lower === 'scope') return 'read:people';
  if (lower === 'code') return `FZ${n}`;
  if (lower.includes('url')) return 'https://example.com/hook';
  return `Fuzz ${n}`;
}

/** A value of `type` that a resolver could accept, for the arguments not under attack. */
function baseline(type: GraphQLInputType, name: string, depth = 0): unknown {
  if (isNonNullType(type)) return baseline(type.ofType, name, depth);
  if (isListType(type)) return [baseline(type.ofType, name, depth)];
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    if (depth > 4) return value;
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = baseline(field.type, field.name, depth + 1);
    }
    return value;
  }
  if (isEnumType(type)) return type.getValues()[0]?.value ?? null;
  switch (type.name) {
    case 'Int':
      return name === 'year' ? 2026 : 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    case 'ID':
      return idFor(name);
    case 'Date':
      return name.toLowerCase().includes('end') || name === 'to' ? '2026-06-05' : '2026-06-01';
    case 'DateTime':
      return '2027-06-01T10:00:00Z';
    default:
      return plausibleString(name);
  }
}

function deepList(levels: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
}

const HOSTILE_STRINGS: readonly unknown[] = [
  '',
  'a\u0000b',
  'x\udfff',
  'x'.repeat(100_000),
  "'; drop table users; --",
  '%_\\%',
  '${7*7}{{7*7}}<script>alert(1)</script>../../etc/passwd',
  'jose\u0301@example.com',
];
const HOSTILE_DATES: readonly unknown[] = ['2026-02-30', '0000-00-00', '99999-01-01', '0001-01-01', '9999-12-31', '2027-01-01T25:61:00Z', ''];
const HOSTILE_NUMBERS: readonly unknown[] = [-1, 2_147_483_648, 1e308, 1e-9, 1e-300, 0.5];
const WRONG_TYPES: readonly unknown[] = [null, 'x', 0, []];

/** Hostile values for a position of `type`. */
function hostileValues(type: GraphQLInputType): readonly unknown[] {
  const named = getNamedType(type);
  const nullable = getNullableType(type);
  const values: unknown[] = [...WRONG_TYPES];
  if (isListType(nullable)) values.push(Array.from({ length: 1_001 }, () => 'x'), deepList(40));
  if (isInputObjectType(named) && !isListType(nullable)) return values;
  if (isEnumType(named)) values.push('NOT_A_VALUE', 'x'.repeat(10_000));
  else if (isScalarType(named)) {
    if (named.name === 'Int' || named.name === 'Float') values.push(...HOSTILE_NUMBERS);
    else if (named.name === 'Date' || named.name === 'DateTime') values.push(...HOSTILE_DATES, {});
    else if (named.name === 'ID') values.push(UNKNOWN_ID, 'not-a-uuid', 'a\u0000b', 'x'.repeat(10_000));
    else if (named.name !== 'Boolean') values.push(...HOSTILE_STRINGS);
  }
  return values;
}

function selectionFor(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (isScalarType(named) || isEnumType(named)) return '';
  if (isObjectType(named)) {
    const fields = named.getFields();
    const parts = ['__typename'];
    if (fields['id'] && isScalarType(getNamedType(fields['id'].type))) parts.push('id');
    for (const inner of ['nodes', 'node', 'apiKey', 'secret']) {
      const f = fields[inner];
      if (f && isObjectType(getNamedType(f.type)) && (getNamedType(f.type) as { getFields(): Record<string, unknown> }).getFields()['id']) parts.push(`${inner} { __typename id }`);
    }
    return ` { ${parts.join(' ')} }`;
  }
  return ' { __typename }';
}

/** A call of `field` with every argument a variable: `values` for some, baseline for the other required ones. */
function callOf(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, label: string, overrides: Record<string, unknown>): Call {
  const args = field.args.filter((a) => a.name in overrides || (isNonNullType(a.type) && a.defaultValue === undefined));
  const variables: Record<string, unknown> = {};
  for (const arg of args) variables[arg.name] = arg.name in overrides ? overrides[arg.name] : baseline(arg.type, arg.name);
  const definitions = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const argumentList = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const query = `${kind}${definitions ? `(${definitions})` : ''} { ${field.name}${argumentList ? `(${argumentList})` : ''}${selectionFor(field)} }`;
  return { label, query, variables };
}

/** Every hostile call of one argument: the argument itself, then each field of an input object (one level). */
function hostileCalls(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, arg: GraphQLArgument): Call[] {
  const calls: Call[] = [];
  const label = (what: string, value: unknown) => `${kind} ${field.name}(${what}: ${JSON.stringify(value)?.slice(0, 60)})`;
  for (const value of hostileValues(arg.type)) calls.push(callOf(kind, field, label(arg.name, value), { [arg.name]: value }));
  const named = getNamedType(arg.type);
  if (isInputObjectType(named)) {
    const base = baseline(arg.type, arg.name) as Record<string, unknown> | unknown[];
    for (const inner of Object.values(named.getFields())) {
      for (const value of hostileValues(inner.type)) {
        const object = { ...(Array.isArray(base) ? (base[0] as Record<string, unknown>) : base), [inner.name]: value };
        calls.push(callOf(kind, field, label(`${arg.name}.${inner.name}`, value), { [arg.name]: isListType(getNullableType(arg.type)) ? [object] : object }));
      }
    }
  }
  return calls;
}

/** Inline literals: text-level nesting and a few impossible literals, which variables cannot express. */
function literalCalls(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): Call[] {
  const arg = field.args[0];
  if (!arg) return [];
  const others = field.args.filter((a) => a !== arg && isNonNullType(a.type) && a.defaultValue === undefined);
  const rest = others.map((a) => `, ${a.name}: $${a.name}`).join('');
  const definitions = others.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const variables = Object.fromEntries(others.map((a) => [a.name, baseline(a.type, a.name)]));
  const literals = [`${'['.repeat(2_000)}"x"${']'.repeat(2_000)}`, '"a\\u0000b"', '"\\ud800"', '"2026-02-30"', '-99999999999999999999999', '1e999', '{a: {b: {c: 1}}}'];
  return literals.map((literal) => ({
    label: `${kind} ${field.name}(${arg.name}: ${literal.slice(0, 40)}) literal`,
    query: `${kind}${definitions ? `(${definitions})` : ''} { ${field.name}(${arg.name}: ${literal}${rest})${selectionFor(field)} }`,
    variables,
  }));
}

async function run(call: Call): Promise<Outcome> {
  try {
    const response = await fetch(`${graph.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key },
      body: JSON.stringify({ query: call.query, variables: call.variables }),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await response.text();
    if (response.status >= 500) return { call, problem: `HTTP ${response.status}: ${text.slice(0, 200)}`, data: null };
    let body: { data?: unknown; errors?: { message: string; extensions?: { code?: unknown } }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return { call, problem: `HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`, data: null };
    }
    for (const error of body.errors ?? []) {
      const code = error.extensions?.code;
      if (typeof code !== 'string' || code === 'INTERNAL_SERVER_ERROR') return { call, problem: `${String(code)}: ${error.message}`, data: null };
    }
    return { call, problem: null, data: body.data };
  } catch (error) {
    return { call, problem: `no answer within ${CALL_TIMEOUT_MS} ms (${String(error)})`, data: null };
  }
}

async function runAll(calls: readonly Call[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < calls.length) {
        const call = calls[next];
        next += 1;
        if (call) outcomes.push(await run(call));
      }
    }),
  );
  return outcomes;
}

describe('hostile input, generated from the schema', () => {
  it('should answer every hostile call to every root query and mutation without a 5xx, an internal error or a hang', async () => {
    const roots = (['query', 'mutation'] as const).flatMap((kind) => {
      const type = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
      return type ? Object.values(type.getFields()).map((field) => ({ kind, field })) : [];
    });
    // Fixtures, found generically: every query without required arguments, then every create mutation with baseline values.
    const fixtures = await runAll(roots.filter((r) => r.kind === 'query').map((r) => callOf(r.kind, r.field, `fixture ${r.field.name}`, {})));
    for (const outcome of fixtures) rememberIds(outcome.data);
    const creates = await runAll(roots.filter((r) => r.kind === 'mutation' && r.field.name.startsWith('create')).map((r) => callOf(r.kind, r.field, `fixture ${r.field.name}`, {})));
    for (const outcome of creates) rememberIds(outcome.data);

    const calls: Call[] = [];
    for (const { kind, field } of roots) {
      for (const arg of field.args) calls.push(...hostileCalls(kind, field, arg));
      calls.push(...literalCalls(kind, field));
    }
    const started = Date.now();
    const outcomes = [...fixtures, ...creates, ...(await runAll(calls))];
    const failures = outcomes.filter((o) => o.problem !== null);
    console.log(
      `hostile input: ${outcomes.length} calls over ${roots.length} root fields (${idsByType.size} entity types as fixtures) in ${Date.now() - started} ms; ${failures.length} failed`,
    );
    expect(failures.map((f) => `${f.call.label}: ${f.problem}`).slice(0, 30)).toEqual([]);
    expect(roots.length).toBeGreaterThan(50);
    expect(outcomes.length).toBeGreaterThan(1_500);
  }, 300_000);
});
