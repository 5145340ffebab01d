import type http from 'node:http';
import { HttpError, readJsonBody } from '../../subgraphs/shared/http.ts';
import type { OperationRequest } from '../operation-policy.ts';

/** The operation of a GET (query string) or POST (JSON object body) request; HttpError 400 otherwise. */
export async function readOperationRequest(req: http.IncomingMessage, maxBodyBytes: number): Promise<OperationRequest> {
  if (req.method === 'GET') {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const json = (name: string): unknown => {
      const value = params.get(name);
      if (value === null) return undefined;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        throw new HttpError(400, `${name}: must be JSON`, 'BAD_REQUEST');
      }
    };
    return {
      query: params.get('query') ?? undefined,
      operationName: params.get('operationName') ?? undefined,
      documentId: params.get('documentId') ?? undefined,
      variables: json('variables'),
      extensions: json('extensions'),
    };
  }
  const body = await readJsonBody(req, maxBodyBytes);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const message = Array.isArray(body) ? 'batched operations are not supported; send one operation per request' : 'send a JSON object with query (or documentId), operationName and variables';
    throw new HttpError(400, message, 'BAD_REQUEST');
  }
  return body as OperationRequest;
}

/** The query string of a GET request carrying `operation` (the policy may have rewritten it). */
export function operationSearch(operation: { query: string; operationName: string | null; variables: Record<string, unknown> | null }): string {
  const params = new URLSearchParams({ query: operation.query });
  if (operation.operationName) params.set('operationName', operation.operationName);
  if (operation.variables) params.set('variables', JSON.stringify(operation.variables));
  return `?${params.toString()}`;
}
