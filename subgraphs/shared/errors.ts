import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin, GraphQLRequest, GraphQLRequestListener } from '@apollo/server';
import { serviceLogger } from './logger.ts';

const log = serviceLogger('errors');

/** Every `extensions.code` the graph answers with. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'COST_ESTIMATED_TOO_EXPENSIVE'
  | 'MAX_DEPTH_LIMIT'
  | 'MAX_ALIASES_LIMIT'
  | 'MAX_ROOT_FIELDS_LIMIT'
  | 'MAX_TOKENS_LIMIT'
  | 'MAX_DIRECTIVES_LIMIT'
  | 'MAX_VALUE_DEPTH_LIMIT'
  | 'PERSISTED_QUERY_NOT_IN_LIST'
  | 'PERSISTED_QUERY_ID_REQUIRED'
  | 'INTERNAL_SERVER_ERROR';

const KNOWN_CODES: ReadonlySet<string> = new Set<string>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'COST_ESTIMATED_TOO_EXPENSIVE',
  'MAX_DEPTH_LIMIT',
  'MAX_ALIASES_LIMIT',
  'MAX_ROOT_FIELDS_LIMIT',
  'MAX_TOKENS_LIMIT',
  'MAX_DIRECTIVES_LIMIT',
  'MAX_VALUE_DEPTH_LIMIT',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'PERSISTED_QUERY_ID_REQUIRED',
  // graphql-js and Apollo's own validation codes pass through unmasked.
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** A GraphQLError with a typed code and optional extra extensions. */
export function appError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/**
 * The closed list of `extensions.rule` codes a `BAD_USER_INPUT` error carries, each with
 * what it means. A client switches on the code; the sentence in `message` is for people
 * and may change. docs/conventions.md lists the same codes (a test keeps them equal).
 */
export const INPUT_RULES = {
  REQUIRED: 'A value must be given here (always, or in this case).',
  NOT_NULL: 'An explicit null is refused: omit the field to leave it as it is.',
  TOO_SHORT: 'A string or list is shorter than its minimum (an empty or blank string included).',
  TOO_LONG: 'A string or list is longer than its maximum.',
  INVALID_TEXT: 'A string holds a NUL character or a lone surrogate (it is not Unicode text).',
  INVALID_FORMAT: 'A value is not written as its format requires (an email, a colour, a country, a time zone, a code, a time of day, a GraphQL document, an IP range, a file name).',
  INVALID_DATE: 'A `Date` or `DateTime` value is not a real date (or instant) in the written form.',
  INVALID_VALUE: 'A value is not one of those allowed here (an enum value, a scope, an event type, a reason).',
  INVALID_ID: 'A value is not an id of this graph (a malformed id).',
  UNKNOWN_REFERENCE: "An id or reference names no record of the caller's organization (ids of other organizations get the same answer).",
  AMBIGUOUS_REFERENCE: 'A reference (such as an external id) matches more than one record.',
  INACTIVE_REFERENCE: 'A reference names a deactivated, retired or otherwise closed record that cannot be used here.',
  OUT_OF_RANGE: 'A number, date or count lies outside its allowed range.',
  MUST_BE_POSITIVE: 'A number must be more than 0.',
  MUST_NOT_BE_NEGATIVE: 'A number must be 0 or more.',
  MUST_NOT_BE_ZERO: 'A number must not be 0.',
  TOO_MANY_DECIMALS: 'A number has more decimal places than are kept.',
  TOO_EARLY: 'A date or time is earlier than allowed (for example in the past).',
  TOO_LATE: 'A date or time is later than allowed (for example in the future, or too far ahead).',
  BEFORE_START: 'An end (or later bound) lies before the start it must follow.',
  RANGE_TOO_LONG: 'A range spans more than the longest allowed.',
  NO_WORKING_DAY: 'A date range holds no working day, so it would count nothing.',
  EXACTLY_ONE_OF: 'Exactly one of a set of fields must be given.',
  AT_LEAST_ONE_OF: 'At least one of a set of fields must be given.',
  NOT_APPLICABLE: 'A field does not apply given the other fields or the record (omit it, or use the field named in the message).',
  INCOMPATIBLE: 'A combination of values (with each other, or with the record) that the domain refuses.',
  DUPLICATE: 'A value is already used where it must be unique.',
  UNSAFE_URL: 'A URL the webhook worker will not call (malformed, not https, with credentials, or not a public address).',
  CYCLE: 'A change would make a hierarchy loop (a manager chain, a parent tree).',
  TOO_DEEP: 'A change would make a tree deeper than allowed.',
  CURSOR_INVALID: 'A cursor was not returned by this connection or subscription.',
  CURSOR_AHEAD: 'A subscription cursor is beyond the newest event: no event has it.',
  CURSOR_EXPIRED: 'A subscription cursor is older than the events still kept (retention).',
  HASH_MISMATCH: "A persisted query's hash is not the SHA-256 of its document.",
  NOT_PROCESSED: 'A bulk item was not processed because another item of the batch failed first.',
} as const;

/** One `extensions.rule` code of a `BAD_USER_INPUT` error. */
export type InputRule = keyof typeof INPUT_RULES;

/** True for a code of the closed list. */
export function isInputRule(value: unknown): value is InputRule {
  return typeof value === 'string' && Object.hasOwn(INPUT_RULES, value);
}

/**
 * `BAD_USER_INPUT` naming the input field (dotted path) and the rule it broke: `rule` is a
 * code of `INPUT_RULES`, `detail` the human sentence (`message` is `<field>: <detail>`).
 */
export function badInput(field: string, rule: InputRule, detail: string): GraphQLError {
  return appError('BAD_USER_INPUT', `${field}: ${detail}`, { field, rule });
}

/** `NOT_FOUND` for a missing id; ids of other organizations get exactly the same answer. */
export function notFound(typename: string, id: string): GraphQLError {
  return appError('NOT_FOUND', `${typename} ${id} not found`, { typename, id });
}

export function forbidden(message: string): GraphQLError {
  return appError('FORBIDDEN', message);
}

/**
 * `CONFLICT`: the input is well formed but the state refuses it. `extensions.rule` is always a
 * domain code (UPPER_SNAKE, e.g. `OVERLAPPING_REQUEST`), beside the facts that decided it.
 */
export function conflict(message: string, extensions: { readonly rule: Uppercase<string> } & Record<string, unknown>): GraphQLError {
  return appError('CONFLICT', message, extensions);
}

/** The request id each error of a request was met in (requestIdPlugin), for the log line of an unexpected one. */
const requestIdOfError = new WeakMap<object, string>();

/**
 * Notes the request id of every error a request meets, before Apollo formats them
 * (`maskUnexpectedError` is called with the same error objects), so that an unexpected
 * error's log line carries the id of the request it was met in. `idOf` reads the id from
 * the request (a header) or from the context.
 */
export function requestIdPlugin<TContext extends object>(idOf: (request: GraphQLRequest, context: TContext) => string | undefined): ApolloServerPlugin<TContext> {
  // One listener for every request: it reads all it needs from the request's context.
  const listener: GraphQLRequestListener<TContext> = {
    async didEncounterErrors({ errors, request, contextValue }) {
      const requestId = idOf(request, contextValue);
      if (requestId === undefined) return;
      for (const error of errors) requestIdOfError.set(error, requestId);
    },
  };
  return { requestDidStart: async () => listener };
}

/**
 * Apollo `formatError` hook: errors with a known code pass through; anything else (a
 * bug, a database failure) is logged and masked as INTERNAL_SERVER_ERROR.
 */
export function maskUnexpectedError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && KNOWN_CODES.has(code)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    // graphql-js's own coercion errors (a string for an Int, an unknown enum value) carry no rule.
    if (code === 'BAD_USER_INPUT' && extensions['rule'] === undefined) extensions['rule'] = 'INVALID_VALUE';
    return { ...formatted, extensions };
  }
  // Validation errors of variables/arguments come from graphql-js without our code.
  if (code === 'BAD_REQUEST') return formatted;
  log.error({ err: error, requestId: typeof error === 'object' && error !== null ? requestIdOfError.get(error) : undefined }, 'unexpected error (answered as INTERNAL_SERVER_ERROR)');
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/** True for a PostgreSQL unique violation (SQLSTATE 23505), optionally of one constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== '23505') return false;
  if (constraint === undefined) return true;
  return e.constraint === constraint || (typeof e.message === 'string' && e.message.includes(constraint));
}
