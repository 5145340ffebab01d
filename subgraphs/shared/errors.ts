import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { currentRequestId, serviceLogger } from './logger.ts';

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

/** `BAD_USER_INPUT` naming the input field (dotted path) and the rule it broke. */
export function badInput(field: string, rule: string): GraphQLError {
  return appError('BAD_USER_INPUT', `${field}: ${rule}`, { field, rule });
}

/** `NOT_FOUND` for a missing id; ids of other organizations get exactly the same answer. */
export function notFound(typename: string, id: string): GraphQLError {
  return appError('NOT_FOUND', `${typename} ${id} not found`, { typename, id });
}

export function forbidden(message: string): GraphQLError {
  return appError('FORBIDDEN', message);
}

export function conflict(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return appError('CONFLICT', message, extensions);
}

/**
 * Apollo `formatError` hook: errors with a known code pass through; anything else (a
 * bug, a database failure) is logged and masked as INTERNAL_SERVER_ERROR.
 */
export function maskUnexpectedError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && KNOWN_CODES.has(code)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  // Validation errors of variables/arguments come from graphql-js without our code.
  if (code === 'BAD_USER_INPUT' || code === 'BAD_REQUEST') return formatted;
  log.error({ err: error, requestId: currentRequestId() }, 'unexpected error (answered as INTERNAL_SERVER_ERROR)');
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
