import { describe, expect, it } from 'vitest';
import { maskUnexpectedError } from '../../../subgraphs/shared/errors.ts';
import { failedPaths, formatGatewayError, subgraphFailureResponse, SubgraphHttpError } from '../../../gateway/http/subgraph-failure.ts';

describe('failedPaths', () => {
  it('should name each root field (by alias) of a root fetch', () => {
    expect(failedPaths('mutation { a: createLeaveRequest(input: {}) { id } __typename }', {})).toEqual([['a']]);
    expect(failedPaths('{ me { id } organization { name } }', undefined)).toEqual([['me'], ['organization']]);
  });

  it('should name each field asked of each entity of an entity fetch', () => {
    const query = 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { name email } } }';
    expect(failedPaths(query, { representations: [{}, {}] })).toEqual([
      ['_entities', 0, 'name'],
      ['_entities', 0, 'email'],
      ['_entities', 1, 'name'],
      ['_entities', 1, 'email'],
    ]);
  });
});

describe('subgraphFailureResponse', () => {
  it('should pass a 4xx GraphQL answer through with its own codes and the service, never as an internal error', () => {
    const body = { errors: [{ message: 'input.startDate: bad', extensions: { code: 'BAD_USER_INPUT', field: 'input.startDate' } }] };
    expect(subgraphFailureResponse('leave', new SubgraphHttpError(400, body), [['createLeaveRequest']])).toEqual({
      errors: [{ message: 'input.startDate: bad', extensions: { code: 'BAD_USER_INPUT', field: 'input.startDate', service: 'leave' } }],
    });
  });

  it('should report a 401 as the refused identity signature, with the status but no URL or body', () => {
    const response = subgraphFailureResponse('people', new SubgraphHttpError(401, { errors: [{ message: 'people accepts requests only from the gateway (bad signature)' }] }), [['me']]);
    expect(response).toEqual({
      errors: [
        {
          message: "The people service failed: people refused the gateway's identity signature: IDENTITY_SECRET differs?",
          path: ['me'],
          extensions: { code: 'SUBREQUEST_HTTP_ERROR', service: 'people', reason: "people refused the gateway's identity signature: IDENTITY_SECRET differs?", http: { status: 401 } },
        },
      ],
    });
  });

  it('should report a 502 with an HTML page as SUBREQUEST_HTTP_ERROR', () => {
    const [error] = subgraphFailureResponse('leave', new SubgraphHttpError(502, '<html>Bad gateway</html>'), [['leaveTypes']]).errors;
    expect(error).toMatchObject({ path: ['leaveTypes'], extensions: { code: 'SUBREQUEST_HTTP_ERROR', service: 'leave', http: { status: 502 } } });
    expect(JSON.stringify(error)).not.toContain('html');
  });

  it('should report an answer that is not JSON as SUBREQUEST_MALFORMED_RESPONSE', () => {
    const [error] = subgraphFailureResponse('leave', new Error('Expected JSON response body, but received: <html>'), [['leaveTypes']]).errors;
    expect(error).toEqual({
      message: 'The leave service failed: leave did not answer with a GraphQL response',
      path: ['leaveTypes'],
      extensions: { code: 'SUBREQUEST_MALFORMED_RESPONSE', service: 'leave', reason: 'leave did not answer with a GraphQL response' },
    });
  });

  it('should name a refused connection without the address', () => {
    const refused = Object.assign(new Error('request to http://127.0.0.1:4001/graphql failed, reason: connect ECONNREFUSED 127.0.0.1:4001'), { code: 'ECONNREFUSED' });
    const [error] = subgraphFailureResponse('people', refused, [['me']]).errors;
    expect(error!.extensions).toEqual({ code: 'SUBREQUEST_HTTP_ERROR', service: 'people', reason: 'people is unreachable (ECONNREFUSED)' });
    expect(JSON.stringify(error)).not.toContain('127.0.0.1');
  });
});

describe('formatGatewayError', () => {
  const format = formatGatewayError(maskUnexpectedError);

  it("should name a subgraph's error by extensions.service instead of serviceName", () => {
    expect(format({ message: 'nope', path: ['user'], extensions: { code: 'NOT_FOUND', serviceName: 'people' } }, null)).toEqual({
      message: 'nope',
      path: ['user'],
      extensions: { code: 'NOT_FOUND', service: 'people' },
    });
  });

  it('should mask an unknown error but still say which service it came from', () => {
    expect(format({ message: 'relation "x" does not exist', path: ['user'], extensions: { serviceName: 'people' } }, null)).toEqual({
      message: 'Internal server error',
      path: ['user'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', service: 'people' },
    });
  });
});
