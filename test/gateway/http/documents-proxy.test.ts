import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentsProxy, type DocumentsProxy } from '../../../gateway/http/documents-proxy.ts';
import { close, listen } from '../../../subgraphs/shared/http.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let upstream: http.Server;
let upstreamUrl: string;
let front: http.Server;
let frontUrl: string;
let seen: Seen[] = [];

/** Serves `proxy` and answers 404 for whatever it leaves alone. */
async function serve(proxy: DocumentsProxy): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    proxy(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404, { 'x-fell-through': 'yes' });
        res.end();
      }
    }, () => res.destroy());
  });
  return { server, url: await listen(server, 0, '127.0.0.1') };
}

beforeAll(async () => {
  upstream = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    if (req.method === 'PUT') {
      res.writeHead(201, { 'content-type': 'application/json', connection: 'keep-alive', 'x-upstream': 'leave' });
      res.end(JSON.stringify({ bytes: body.length, sha256: crypto.createHash('sha256').update(body).digest('hex') }));
      return;
    }
    const payload = Buffer.alloc(3 * 1024 * 1024, 7);
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="a.pdf"', 'content-length': String(payload.length) });
    res.end(req.method === 'HEAD' ? undefined : payload);
  });
  upstreamUrl = await listen(upstream, 0, '127.0.0.1');
  ({ server: front, url: frontUrl } = await serve(createDocumentsProxy({ leaveUrl: `${upstreamUrl}/graphql`, cors: { origins: ['https://app.example.com'] } })));
});
afterAll(async () => {
  await close(front);
  await close(upstream);
});

describe('the documents proxy', () => {
  it('should stream a download from the leave subgraph with its headers', async () => {
    seen = [];
    const res = await fetch(`${frontUrl}/documents/abc?op=download&expires=1&signature=s%2Bx`, { headers: { 'x-api-key': 'secret-key', authorization: 'Bearer t', cookie: 'c=1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="a.pdf"');
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(3 * 1024 * 1024);
    expect(body.every((b) => b === 7)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/documents/abc?op=download&expires=1&signature=s%2Bx' });
    // Credentials stay at the gateway: the signature in the URL is all leave needs.
    expect(seen[0]!.headers['x-api-key']).toBeUndefined();
    expect(seen[0]!.headers['authorization']).toBeUndefined();
    expect(seen[0]!.headers['cookie']).toBeUndefined();
  });

  it('should stream an upload body to the leave subgraph', async () => {
    seen = [];
    const bytes = crypto.randomBytes(2 * 1024 * 1024 + 17);
    const res = await fetch(`${frontUrl}/documents/abc?op=upload`, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: bytes });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-upstream')).toBe('leave');
    expect(await res.json()).toEqual({ bytes: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
    expect(seen[0]!.headers['content-type']).toBe('image/png');
    expect(seen[0]!.headers['content-length']).toBe(String(bytes.length));
    expect(seen[0]!.headers['x-forwarded-for']).toContain('127.0.0.1');
  });

  it('should stream a chunked upload', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(1000).fill(i));
        controller.close();
      },
    });
    const res = await fetch(`${frontUrl}/documents/abc`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body, duplex: 'half' } as RequestInit);
    expect((await res.json()) as { bytes: number }).toMatchObject({ bytes: 4000 });
  });

  it('should answer HEAD without a body', async () => {
    const res = await fetch(`${frontUrl}/documents/abc`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(3 * 1024 * 1024));
  });

  it('should refuse other methods and leave other paths alone', async () => {
    seen = [];
    const post = await fetch(`${frontUrl}/documents/abc`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, PUT, OPTIONS');
    expect((await fetch(`${frontUrl}/graphql`)).headers.get('x-fell-through')).toBe('yes');
    expect((await fetch(`${frontUrl}/documents`)).headers.get('x-fell-through')).toBe('yes');
    // Dot segments are resolved first: this is not a document path.
    const sneaky = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const { hostname, port } = new URL(frontUrl);
      // Options, not a URL string: a URL would resolve the dot segments before sending.
      http.get({ hostname, port, path: '/documents/../graphql' }, resolve).on('error', reject);
    });
    sneaky.resume();
    expect(sneaky.headers['x-fell-through']).toBe('yes');
    expect(seen).toEqual([]);
  });

  it('should answer CORS preflights allowing PUT for allowed origins only', async () => {
    const ok = await fetch(`${frontUrl}/documents/abc`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-allow-methods')).toContain('PUT');
    const refused = await fetch(`${frontUrl}/documents/abc`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com' } });
    expect(refused.status).toBe(403);
    const get = await fetch(`${frontUrl}/documents/abc`, { headers: { origin: 'https://app.example.com' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    await get.arrayBuffer();
  });

  it('should answer 502 when the leave subgraph cannot be reached', async () => {
    const dead = http.createServer();
    const deadUrl = await listen(dead, 0, '127.0.0.1');
    await close(dead);
    const { server, url } = await serve(createDocumentsProxy({ leaveUrl: deadUrl, cors: { origins: ['*'] } }));
    try {
      const res = await fetch(`${url}/documents/abc`);
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({ error: 'the documents service cannot be reached' });
    } finally {
      await close(server);
    }
  });
});
