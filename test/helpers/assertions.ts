import { expect } from 'vitest';
import { INPUT_RULES } from '../../subgraphs/shared/errors.ts';
import type { GraphQLBody } from './graph.ts';

type Body = GraphQLBody<unknown>;

/** The first error of a response; fails the test when there is none. */
export function errorOf(res: { body: Body }) {
  const error = res.body.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${JSON.stringify(res.body)}`);
  return error;
}

/** Extensions an error is expected to carry besides its code. */
interface ExpectedExtensions {
  readonly field?: string;
  readonly rule?: string;
}

/**
 * Asserts the first error's `extensions.code` and, when given, its `extensions.field` (a
 * string is the field) and `extensions.rule`; returns the error. Every BAD_USER_INPUT must
 * carry a rule code of the documented closed list (INPUT_RULES), whatever the test asks.
 */
export function expectError(res: { body: Body }, code: string, fieldOrExtensions?: string | ExpectedExtensions) {
  const error = errorOf(res);
  const expected = typeof fieldOrExtensions === 'string' ? { field: fieldOrExtensions } : (fieldOrExtensions ?? {});
  expect(error.extensions?.['code'], error.message).toBe(code);
  if (expected.field !== undefined) expect(error.extensions?.['field'], error.message).toBe(expected.field);
  if (expected.rule !== undefined) expect(error.extensions?.['rule'], error.message).toBe(expected.rule);
  if (code === 'BAD_USER_INPUT') expect(Object.keys(INPUT_RULES), `${error.message}: extensions.rule`).toContain(error.extensions?.['rule']);
  // A CONFLICT names its domain rule as a code (docs/conventions.md), never a sentence.
  if (code === 'CONFLICT') expect(error.extensions?.['rule'], `${error.message}: extensions.rule`).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  return error;
}

/** The response's data; fails the test on any error or missing data. */
export function dataOf<T>(res: { body: GraphQLBody<T> }): T {
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  if (!res.body.data) throw new Error('no data');
  return res.body.data;
}

/** `text` with each id of `ids` replaced by `<id>` (the longest first, so that no id is cut by a shorter one). */
export function maskIds(text: string, ids: readonly string[]): string {
  return [...ids].sort((x, y) => y.length - x.length).reduce((t, id) => t.split(id).join('<id>'), text);
}

/**
 * Every error of a response as `{ path, code, field, message }`, each id of `ids` replaced
 * by `<id>`, ordered by path: root fields resolve concurrently, so the order in which their
 * errors arrive is not part of the answer.
 */
export function maskedErrors(res: { body: Body }, ids: readonly string[]) {
  return (res.body.errors ?? [])
    .map((e) => ({ path: (e.path ?? []).join('.'), code: e.extensions?.['code'], field: e.extensions?.['field'], message: maskIds(e.message, ids) }))
    .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
