import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { sendJson } from '../../subgraphs/shared/http.ts';
import { applyCors, type CorsOptions } from './cors.ts';
import { REQUEST_ID_HEADER } from '../../subgraphs/shared/logger.ts';

/** Path prefix of signed document URLs, served by the leave subgraph. */
export const DOCUMENTS_PATH_PREFIX = '/documents/';

export interface DocumentsProxyOptions {
  /** A URL of the leave subgraph (its `/graphql` URL will do): requests go to its origin. */
  readonly leaveUrl: string;
  /** CORS origins, as for the GraphQL endpoint. */
  readonly cors: CorsOptions;
}

/** Answers the request if it is for a document; resolves to false (untouched) otherwise. */
export type DocumentsProxy = (req: http.IncomingMessage, res: http.ServerResponse, requestId?: string) => Promise<boolean>;

const METHODS = new Set(['GET', 'HEAD', 'PUT']);
// Only what the leave routes use; credentials (API keys, cookies) never leave the gateway.
const FORWARDED_REQUEST_HEADERS = ['content-type', 'content-length', 'accept', 'user-agent'];
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

// Browsers upload directly: the preflight allows PUT with a content type.
const DOCUMENTS_CORS = { methods: 'GET, HEAD, PUT, OPTIONS', allowedHeaders: 'content-type' } as const;

/**
 * Reverse-proxies `GET|HEAD|PUT /documents/*` to the leave subgraph, streaming bodies both
 * ways. No authentication here: the signature in the URL is the credential and the leave
 * subgraph checks it. Only a few request headers are forwarded (never API keys); the
 * response passes through without hop-by-hop headers. 405 for other methods, 502 when the
 * subgraph cannot be reached. CORS preflights allow PUT so browsers can upload directly.
 */
export function createDocumentsProxy(options: DocumentsProxyOptions): DocumentsProxy {
  const target = new URL(options.leaveUrl);
  return async (req, res, requestId) => {
    // Normalized path: `/documents/../graphql` is not a document path.
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(DOCUMENTS_PATH_PREFIX)) return false;
    if (applyCors(options.cors, req, res, DOCUMENTS_CORS)) return true;
    if (!METHODS.has(req.method ?? '')) {
      res.setHeader('Allow', 'GET, HEAD, PUT, OPTIONS');
      sendJson(req, res, 405, { error: 'use PUT to upload a document, GET to download one' });
      return true;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    // The gateway's request id, so that leave's access line carries it too.
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;

    await new Promise<void>((resolve) => {
      const upstream = http.request(
        { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: `${url.pathname}${url.search}`, headers },
        (answer) => {
          const out: http.OutgoingHttpHeaders = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
          }
          res.writeHead(answer.statusCode ?? 502, out);
          pipeline(answer, res).then(resolve, () => {
            res.destroy();
            resolve();
          });
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) sendJson(req, res, 502, { error: 'the documents service cannot be reached' });
        else res.destroy();
        resolve();
      });
      // The client went away: stop the upstream transfer too.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      if (req.method === 'PUT') {
        pipeline(req, upstream).catch(() => upstream.destroy());
      } else {
        upstream.end();
      }
    });
    return true;
  };
}
