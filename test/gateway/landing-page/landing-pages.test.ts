import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_QUERY } from '../../../gateway/landing-page/example-query.ts';
import { createLandingPages } from '../../../gateway/landing-page/landing-pages.ts';
import type { LandingPageOptions } from '../../../gateway/landing-page/landing-pages.ts';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

/** A plain node:http server using the handler, with a 404 fallback when the handler declines. */
async function startServer(options?: LandingPageOptions): Promise<{ server: Server; base: string }> {
  const handle = createLandingPages(options);
  const server = createServer((req, res) => {
    if (handle(req, res)) return;
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain');
    res.end('fallback');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/** The src/href of every script and stylesheet the page loads. */
function referencedUrls(html: string): string[] {
  const urls: string[] = [];
  for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) urls.push(match[1]!);
  for (const match of html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g)) urls.push(match[1]!);
  return urls;
}

function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
}

function cspAllowsInlineScript(csp: string, script: string): boolean {
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  const scriptSrc = csp.split(';').find((directive) => directive.trim().startsWith('script-src ')) ?? '';
  return scriptSrc.includes(`'sha256-${hash}'`);
}

describe('createLandingPages', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    ({ server, base } = await startServer());
  });

  afterAll(async () => {
    await stopServer(server);
  });

  describe('Apollo Sandbox on the GraphQL path', () => {
    it('should serve the Sandbox page to browser navigation', async () => {
      const res = await fetch(`${base}/graphql`, { headers: { Accept: BROWSER_ACCEPT } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain(
        'https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js',
      );
      expect(html).toContain('new window.EmbeddedSandbox(');
      expect(html).toContain('initialSubscriptionEndpoint');
      expect(html).toContain('sharedHeaders');
      expect(html).toContain('includeCookies: false');
      expect(html).toContain('Send your API key in the X-Api-Key header (or Authorization: Bearer &lt;key&gt;)');
      // The fallback and the bar link to GraphiQL carry the key when followed.
      expect(html).toContain('<a id="graphiql-fallback" href="/graphiql" data-keep-key>');
      expect(html).toContain('<a class="other-page" href="/graphiql" data-keep-key>Offline GraphiQL</a>');
    });

    it('should send a CSP that allows the Apollo CDN, its iframe and the inline bootstrap only', async () => {
      const res = await fetch(`${base}/graphql`, { headers: { Accept: 'text/html' } });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain('script-src https://embeddable-sandbox.cdn.apollographql.com ');
      expect(csp).toContain('frame-src https://sandbox.embed.apollographql.com');
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      const scripts = inlineScripts(await res.text());
      expect(scripts).toHaveLength(1);
      expect(cspAllowsInlineScript(csp, scripts[0]!)).toBe(true);
    });

    it('should leave JSON requests to the GraphQL server', async () => {
      const res = await fetch(`${base}/graphql`, { headers: { Accept: 'application/json' } });
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('fallback');
    });

    it('should leave requests without a clear HTML preference to the GraphQL server', async () => {
      for (const accept of ['*/*', 'text/html;q=0.5, application/json', 'application/graphql-response+json']) {
        const res = await fetch(`${base}/graphql`, { headers: { Accept: accept } });
        expect(res.status, accept).toBe(404);
      }
      const noAccept = await fetch(`${base}/graphql`, { headers: { Accept: '' } });
      expect(noAccept.status).toBe(404);
    });

    it('should leave GET operations with a query parameter to the GraphQL server', async () => {
      const res = await fetch(`${base}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { Accept: BROWSER_ACCEPT },
      });
      expect(res.status).toBe(404);
    });

    it('should leave POST requests to the GraphQL server', async () => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { Accept: 'text/html', 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(res.status).toBe(404);
    });
  });

  describe('self-contained GraphiQL page', () => {
    it('should serve GraphiQL HTML without any external URL', async () => {
      const res = await fetch(`${base}/graphiql`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).toContain('Send your API key in the X-Api-Key header (or Authorization: Bearer &lt;key&gt;)');
      expect(html).toContain('shouldPersistHeaders: false');
      expect(html).toContain('window.graphqlWs.createClient(');
      expect(html).toContain('window.GraphiQL.createFetcher(');
    });

    it('should open on the example query and keep the key out of the headers editor', async () => {
      const html = await (await fetch(`${base}/graphiql`)).text();
      expect(html).toContain(`"exampleQuery":${JSON.stringify(EXAMPLE_QUERY).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')}`);
      expect(html).toContain('defaultQuery: config.exampleQuery');
      // GraphiQL's headers props would show the key in its Headers tab.
      expect(html).not.toMatch(/props\.(default)?[hH]eaders\s*=/);
      expect(html).toContain("search.has('query')");
      expect(html).toContain('<a class="other-page" href="/graphql" data-keep-key>Apollo Sandbox</a>');
    });

    it('should reference each asset', async () => {
      const html = await (await fetch(`${base}/graphiql`)).text();
      expect(referencedUrls(html).sort()).toEqual(
        [
          '/graphiql/assets/graphiql.min.css',
          '/graphiql/assets/graphiql.min.js',
          '/graphiql/assets/graphql-ws.min.js',
          '/graphiql/assets/react-dom.production.min.js',
          '/graphiql/assets/react.production.min.js',
        ].sort(),
      );
      // React must come before the bundles that read window.React.
      expect(html.indexOf('react.production.min.js')).toBeLessThan(html.indexOf('graphiql.min.js'));
      expect(html.indexOf('react-dom.production.min.js')).toBeLessThan(html.indexOf('graphiql.min.js'));
    });

    it('should send a same-origin CSP that allows the inline bootstrap by hash', async () => {
      const res = await fetch(`${base}/graphiql`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
      expect(csp).toContain("connect-src 'self' ws: wss:");
      expect(csp).not.toMatch(/https?:/);
      const scripts = inlineScripts(await res.text());
      expect(scripts).toHaveLength(1);
      expect(cspAllowsInlineScript(csp, scripts[0]!)).toBe(true);
    });

    it('should answer every asset the page references with its content type', async () => {
      const html = await (await fetch(`${base}/graphiql`)).text();
      for (const url of referencedUrls(html)) {
        const res = await fetch(`${base}${url}`);
        expect(res.status, url).toBe(200);
        const expectedType = url.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
        expect(res.headers.get('content-type'), url).toBe(expectedType);
        expect(res.headers.get('cache-control'), url).toBe('public, max-age=86400');
        expect(res.headers.get('etag'), url).toMatch(/^"[A-Za-z0-9_-]+"$/);
        const body = await res.arrayBuffer();
        expect(body.byteLength, url).toBeGreaterThan(5000);
        expect(Number(res.headers.get('content-length')), url).toBe(body.byteLength);
      }
    });

    it('should serve the real package files', async () => {
      const graphiql = await (await fetch(`${base}/graphiql/assets/graphiql.min.js`)).text();
      expect(graphiql).toContain('.GraphiQL=');
      expect(graphiql).toContain('createFetcher');
      const ws = await (await fetch(`${base}/graphiql/assets/graphql-ws.min.js`)).text();
      expect(ws).toContain('.graphqlWs=');
    });

    it('should answer 404 for an unknown asset', async () => {
      for (const name of ['nope.js', '../package.json', 'graphiql.min.js/x', '']) {
        const res = await fetch(`${base}/graphiql/assets/${name}`);
        expect(res.status, name).toBe(404);
      }
    });

    it('should answer 304 when If-None-Match carries the current ETag', async () => {
      const url = `${base}/graphiql/assets/graphiql.min.css`;
      const first = await fetch(url);
      const etag = first.headers.get('etag');
      expect(etag).toBeTruthy();
      await first.arrayBuffer();

      const again = await fetch(url, { headers: { 'If-None-Match': etag! } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');

      const weak = await fetch(url, { headers: { 'If-None-Match': `"other", W/${etag!}` } });
      expect(weak.status).toBe(304);

      const stale = await fetch(url, { headers: { 'If-None-Match': '"stale"' } });
      expect(stale.status).toBe(200);
      expect((await stale.arrayBuffer()).byteLength).toBeGreaterThan(5000);
    });

    it('should answer HEAD like GET without a body', async () => {
      for (const path of ['/graphiql', '/graphiql/assets/react.production.min.js']) {
        const get = await fetch(`${base}${path}`);
        const getBody = await get.arrayBuffer();
        const head = await fetch(`${base}${path}`, { method: 'HEAD' });
        expect(head.status, path).toBe(200);
        expect(head.headers.get('content-type'), path).toBe(get.headers.get('content-type'));
        expect(Number(head.headers.get('content-length')), path).toBe(getBody.byteLength);
        expect((await head.arrayBuffer()).byteLength, path).toBe(0);
      }
      const sandbox = await fetch(`${base}/graphql`, { method: 'HEAD', headers: { Accept: 'text/html' } });
      expect(sandbox.status).toBe(200);
      expect(sandbox.headers.get('content-type')).toBe('text/html; charset=utf-8');
    });

    it('should leave other paths and methods to the caller', async () => {
      expect((await fetch(`${base}/`)).status).toBe(404);
      expect((await fetch(`${base}/graphiqlx`)).status).toBe(404);
      expect((await fetch(`${base}/graphiql`, { method: 'POST', body: '{}' })).status).toBe(404);
    });
  });

  describe('options', () => {
    it('should use custom paths and header name', async () => {
      const custom = await startServer({ graphqlPath: '/api', graphiqlPath: '/ide', apiKeyHeader: 'X-Leave-Key' });
      try {
        const sandbox = await fetch(`${custom.base}/api`, { headers: { Accept: 'text/html' } });
        expect(sandbox.status).toBe(200);
        const sandboxHtml = await sandbox.text();
        expect(sandboxHtml).toContain('"graphqlPath":"/api"');
        expect(sandboxHtml).toContain('Send your API key in the X-Leave-Key header');

        const page = await (await fetch(`${custom.base}/ide`)).text();
        expect(page).toContain('"apiKeyHeader":"X-Leave-Key"');
        for (const url of referencedUrls(page)) {
          expect(url.startsWith('/ide/assets/'), url).toBe(true);
          expect((await fetch(`${custom.base}${url}`, { method: 'HEAD' })).status, url).toBe(200);
        }
        expect((await fetch(`${custom.base}/graphiql`)).status).toBe(404);
        expect((await fetch(`${custom.base}/graphql`, { headers: { Accept: 'text/html' } })).status).toBe(404);
      } finally {
        await stopServer(custom.server);
      }
    });

    it('should reject paths and header names that could not be used safely', () => {
      expect(() => createLandingPages({ graphqlPath: 'graphql' })).toThrow(TypeError);
      expect(() => createLandingPages({ graphiqlPath: '/ide?x=1' })).toThrow(TypeError);
      expect(() => createLandingPages({ graphiqlPath: '/"><script>' })).toThrow(TypeError);
      expect(() => createLandingPages({ graphqlPath: '/same', graphiqlPath: '/same' })).toThrow(TypeError);
      expect(() => createLandingPages({ apiKeyHeader: 'X-Api-Key\r\nX-Evil: 1' })).toThrow(TypeError);
      expect(() => createLandingPages({ apiKeyHeader: '<b>' })).toThrow(TypeError);
    });
  });
});
