import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isIsoDate, parseIsoDateTime } from './input-rules.ts';

export { isIsoDate };

/** Where the `Date` and `DateTime` scalars are specified (`@specifiedBy`). */
export const DATE_SPECIFIED_BY = 'https://scalars.graphql.org/andimarek/local-date.html';
export const DATE_TIME_SPECIFIED_BY = 'https://scalars.graphql.org/chillicream/date-time.html';

/** What a bad `Date` breaks, for messages. */
export const DATE_RULE = 'must be a calendar date written YYYY-MM-DD (RFC 3339 full-date), from 0001-01-01 to 9999-12-31';
/** What a bad `DateTime` breaks, for messages. */
export const DATE_TIME_RULE = 'must be an RFC 3339 date-time with seconds and an offset, such as 2026-11-23T10:00:00Z, in years 0001 to 9999';

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new GraphQLError(`Date ${DATE_RULE}, got ${JSON.stringify(value) ?? String(value)}`, {
      extensions: { code: 'BAD_USER_INPUT', rule: 'INVALID_DATE' },
    });
  }
  return value;
}

/** `Date`: a calendar date as a `YYYY-MM-DD` string, validated on input. */
export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'A calendar date without time zone, `YYYY-MM-DD` (RFC 3339 full-date), from 0001-01-01 to 9999-12-31.',
  specifiedByURL: DATE_SPECIFIED_BY,
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : parseDate(value)),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? parseIsoDateTime(value) : null;
  if (!date) {
    throw new GraphQLError(`DateTime ${DATE_TIME_RULE}, got ${JSON.stringify(value) ?? String(value)}`, {
      extensions: { code: 'BAD_USER_INPUT', rule: 'INVALID_DATE' },
    });
  }
  return date;
}

/** `DateTime`: an instant, serialized as ISO 8601 UTC; input must carry a time. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'A point in time, RFC 3339 date-time with offset, e.g. `2026-11-23T10:00:00.000Z`, in years 0001 to 9999.',
  specifiedByURL: DATE_TIME_SPECIFIED_BY,
  serialize: (value) => (value instanceof Date ? value : parseDateTime(value)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
