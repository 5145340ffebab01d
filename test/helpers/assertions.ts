import { expect } from 'vitest';
import type { GraphQLBody } from './graph.ts';

type Body = GraphQLBody<unknown>;

/** The first error of a response; fails the test when there is none. */
export function errorOf(res: { body: Body }) {
  const error = res.body.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${JSON.stringify(res.body)}`);
  return error;
}

/** Asserts the first error's `extensions.code` and, when given, its `extensions.field`; returns the error. */
export function expectError(res: { body: Body }, code: string, field?: string) {
  const error = errorOf(res);
  expect(error.extensions?.['code'], error.message).toBe(code);
  if (field !== undefined) expect(error.extensions?.['field'], error.message).toBe(field);
  return error;
}

/** The response's data; fails the test on any error or missing data. */
export function dataOf<T>(res: { body: GraphQLBody<T> }): T {
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  if (!res.body.data) throw new Error('no data');
  return res.body.data;
}
