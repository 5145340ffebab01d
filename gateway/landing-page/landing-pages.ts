// Browser IDE pages for the gateway: Apollo Sandbox on the GraphQL path (CDN-hosted) and a
// fully self-contained GraphiQL page whose scripts and styles are served from node_modules
// by this same handler, so it keeps working on machines without internet access.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EXAMPLE_QUERY } from './example-query.ts';

/** Options of {@link createLandingPages}. Every option has a default. */
export interface LandingPageOptions {
  /** Path of the GraphQL endpoint, default '/graphql'. */
  graphqlPath?: string;
  /** Path of the self-contained GraphiQL page, default '/graphiql'. */
  graphiqlPath?: string;
  /** Name of the API-key header shown to visitors, default 'X-Api-Key'. */
  apiKeyHeader?: string;
}

/** A node:http request handler that reports whether it answered the request. */
export type LandingPageHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Where Apollo publishes the embeddable Sandbox loader (always the latest release). */
const SANDBOX_SCRIPT_URL =
  'https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js';
/** Origin of the iframe the Sandbox loader injects into the page. */
const SANDBOX_FRAME_ORIGIN = 'https://sandbox.embed.apollographql.com';
const SANDBOX_SCRIPT_ORIGIN = new URL(SANDBOX_SCRIPT_URL).origin;

const ASSET_CACHE_CONTROL = 'public, max-age=86400';

interface AssetSpec {
  /** Package that ships the file; resolved through its package.json, never a hardcoded node_modules path. */
  readonly pkg: string;
  /** File inside the package. */
  readonly file: string;
  readonly contentType: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * The files the GraphiQL page loads, by the name under `<graphiqlPath>/assets/`.
 * Order of the scripts matters on the page: React, then ReactDOM, then the bundles using them.
 */
const ASSETS: ReadonlyMap<string, AssetSpec> = new Map([
  ['react.production.min.js', { pkg: 'react', file: 'umd/react.production.min.js', contentType: JS }],
  ['react-dom.production.min.js', { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', contentType: JS }],
  // The UMD build of graphiql@3 reads window.React / window.ReactDOM and defines window.GraphiQL
  // (the component, with GraphiQL.createFetcher attached); graphql itself is bundled in it.
  ['graphiql.min.js', { pkg: 'graphiql', file: 'dist/index.umd.js', contentType: JS }],
  // The stylesheet embeds its fonts as data: URLs, so no font is fetched from anywhere.
  ['graphiql.min.css', { pkg: 'graphiql', file: 'dist/style.css', contentType: CSS }],
  // Defines window.graphqlWs (createClient) for subscriptions over graphql-ws.
  ['graphql-ws.min.js', { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js', contentType: JS }],
]);

interface LoadedAsset {
  readonly body: Buffer;
  readonly etag: string;
}

// Shared by all handlers: the files are the same for the whole process, so each is read once.
const assetCache = new Map<string, Promise<LoadedAsset>>();
const requireFromHere = createRequire(import.meta.url);

function loadAsset(name: string, spec: AssetSpec): Promise<LoadedAsset> {
  const cached = assetCache.get(name);
  if (cached) return cached;
  const loading = (async (): Promise<LoadedAsset> => {
    const packageDir = path.dirname(requireFromHere.resolve(`${spec.pkg}/package.json`));
    const body = await readFile(path.join(packageDir, spec.file));
    return { body, etag: etagOf(body) };
  })();
  // Forget failures so that a later request retries instead of failing forever.
  loading.catch(() => assetCache.delete(name));
  assetCache.set(name, loading);
  return loading;
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/** CSP source expression allowing exactly one inline script. */
function cspHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

/** Serialises a value for a `<script>` element: no `</script>`, `<!--`, or line terminators JS rejects. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// Path characters of RFC 3986 (pchar and '/'); anything else (query, fragment, spaces) is a mistake.
const PATH_PATTERN = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
// RFC 9110 token: the only characters a header field name may have.
const HEADER_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function normalisePath(value: string, option: string): string {
  if (!PATH_PATTERN.test(value)) {
    throw new TypeError(`createLandingPages: ${option} must be a URL path starting with '/', got ${JSON.stringify(value)}`);
  }
  // '/graphiql/' and '/graphiql' name the same page; keep '/' as is.
  return value.length > 1 ? value.replace(/\/+$/, '') || '/' : value;
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaType = '', ...params] = part.split(';');
    const [type, subtype] = mediaType.trim().toLowerCase().split('/');
    if (!type || !subtype) continue;
    let q = 1;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=');
      if (key.trim().toLowerCase() === 'q') q = Number(value.trim());
    }
    if (Number.isFinite(q) && q >= 0 && q <= 1) ranges.push({ type, subtype, q });
  }
  return ranges;
}

/** Quality the client gives a media type: that of the most specific matching range, 0 when none. */
function qualityOf(ranges: readonly MediaRange[], type: string, subtype: string): number {
  let best = -1;
  let quality = 0;
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype ? 2
      : range.type === type && range.subtype === '*' ? 1
      : range.type === '*' && range.subtype === '*' ? 0
      : -1;
    if (specificity > best) {
      best = specificity;
      quality = range.q;
    }
  }
  return quality;
}

/**
 * True for browser navigation: text/html is strictly preferred over the GraphQL response types.
 * `*\/*` alone (curl, fetch) is a tie, so it is left to the GraphQL server.
 */
function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  const html = qualityOf(ranges, 'text', 'html');
  const json = Math.max(
    qualityOf(ranges, 'application', 'json'),
    qualityOf(ranges, 'application', 'graphql-response+json'),
  );
  return html > 0 && html > json;
}

function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  // Weak comparison (RFC 9110 §13.1.2): a W/ prefix does not prevent a match.
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body?: Buffer,
): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body !== undefined) res.setHeader('Content-Length', body.byteLength);
  // HEAD gets the same headers (Content-Length included) as GET, without the body.
  if (body === undefined || req.method === 'HEAD') res.end();
  else res.end(body);
}

function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  send(
    req,
    res,
    status,
    { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
    Buffer.from(text, 'utf8'),
  );
}

interface HtmlPage {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

function htmlPage(html: string, csp: string): HtmlPage {
  return {
    body: Buffer.from(html, 'utf8'),
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    },
  };
}

// Shared browser code of both pages: where the key comes from, how it is shown, and how it follows
// the links between the two pages.
// - `#key=<value>` in the fragment: the fragment never reaches the server (nor a log, nor a
//   Referer), and is removed from the address bar at once so that it is not bookmarked or pasted
//   along with the URL.
// - sessionStorage (this tab only, gone when it closes) keeps it across reloads and same-tab links.
// - A link marked data-keep-key gets the key in its fragment at the moment it is followed (so that
//   a new tab has it too), never in its visible href.
// Values a header could not carry (control characters, spaces, non-ASCII) are ignored rather
// than breaking every request. The key is only ever shown masked (prefix, an ellipsis, its last
// four characters), through textContent.
const KEY_SCRIPT = `
  var KEY_STORAGE = 'leave-graph:api-key';
  function validKey(key) {
    if (typeof key !== 'string' || key.length === 0 || key.length > 1024) return false;
    for (var i = 0; i < key.length; i++) {
      var code = key.charCodeAt(i);
      if (code < 0x21 || code > 0x7e) return false;
    }
    return true;
  }
  function readKeyFromFragment() {
    var fragment = window.location.hash.replace(/^#/, '');
    var key = null;
    var found = false;
    fragment.split('&').forEach(function (part) {
      var eq = part.indexOf('=');
      if (eq === -1 || part.slice(0, eq) !== 'key') return;
      found = true;
      try { key = decodeURIComponent(part.slice(eq + 1)); } catch (e) { key = null; }
    });
    if (found && window.history && window.history.replaceState) {
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
    }
    return validKey(key) ? key : null;
  }
  function storeKey(key) {
    try {
      if (key) window.sessionStorage.setItem(KEY_STORAGE, key);
      else window.sessionStorage.removeItem(KEY_STORAGE);
    } catch (e) { /* storage disabled: the key lasts as long as the page */ }
  }
  function initialKey() {
    var fromFragment = readKeyFromFragment();
    if (fromFragment) {
      storeKey(fromFragment);
      return fromFragment;
    }
    var stored = null;
    try { stored = window.sessionStorage.getItem(KEY_STORAGE); } catch (e) { stored = null; }
    return validKey(stored) ? stored : null;
  }
  function maskKey(key) {
    var prefix = /^[A-Za-z]{1,8}_(?:[A-Za-z]{1,8}_)?/.exec(key);
    var shown = prefix ? prefix[0] : '';
    // Short keys show no characters of their secret part at all.
    return key.length - shown.length >= 12 ? shown + '\\u2026' + key.slice(-4) : shown + '\\u2026';
  }
  function endpointUrls(graphqlPath) {
    var url = window.location.origin + graphqlPath;
    var wsUrl = (window.location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + window.location.host + graphqlPath;
    return { url: url, wsUrl: wsUrl };
  }
  function setupKeyBar(config, key, onChange) {
    var byId = function (id) { return document.getElementById(id); };
    var state = byId('key-state');
    var form = byId('key-form');
    var input = byId('key-input');
    var problem = byId('key-problem');
    var change = byId('key-change');
    var forget = byId('key-forget');
    var cancel = byId('key-cancel');
    function show(editing) {
      state.textContent = '';
      if (key) {
        state.appendChild(document.createTextNode('API key '));
        var masked = document.createElement('code');
        masked.id = 'key-masked';
        masked.textContent = maskKey(key);
        state.appendChild(masked);
        state.appendChild(document.createTextNode(' is sent as ' + config.apiKeyHeader + ' with every operation and kept in this tab only.'));
      } else {
        state.textContent = 'No API key: paste one to run operations. It is sent as ' + config.apiKeyHeader + ' and kept in this tab only.';
      }
      form.hidden = !(editing || !key);
      cancel.hidden = !key;
      change.hidden = !key || editing;
      forget.hidden = !key;
      problem.textContent = '';
    }
    change.addEventListener('click', function () { show(true); input.focus(); });
    cancel.addEventListener('click', function () { input.value = ''; show(false); });
    forget.addEventListener('click', function () {
      key = null;
      storeKey(null);
      show(false);
      onChange(null);
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var value = input.value.trim();
      if (!validKey(value)) {
        problem.textContent = 'An API key is one word of printable ASCII characters.';
        return;
      }
      key = value;
      input.value = '';
      storeKey(key);
      show(false);
      onChange(key);
    });
    Array.prototype.forEach.call(document.querySelectorAll('a[data-keep-key]'), function (link) {
      var plain = link.getAttribute('href');
      function carryKey() {
        if (!key) return;
        link.setAttribute('href', plain + '#key=' + encodeURIComponent(key));
        // Back to the plain href once the browser has read it for this navigation.
        window.setTimeout(function () { link.setAttribute('href', plain); }, 0);
      }
      link.addEventListener('click', carryKey);
      link.addEventListener('auxclick', carryKey);
    });
    show(false);
  }`;

const BASE_STYLE = `
      html, body { height: 100%; margin: 0; }
      body { display: grid; grid-template-rows: auto minmax(0, 1fr); font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
      .key-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; margin: 0; padding: 6px 12px; font-size: 13px; line-height: 1.4; background: #fff8e1; color: #3d3200; border-bottom: 1px solid #e8d9a0; }
      .key-bar code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; background: rgba(0, 0, 0, 0.06); padding: 0 3px; border-radius: 3px; }
      .key-bar form { display: inline-flex; align-items: center; gap: 6px; margin: 0; }
      .key-bar input { font: inherit; width: 22em; padding: 1px 4px; }
      .key-bar button { font: inherit; padding: 1px 8px; cursor: pointer; }
      .key-bar .key-problem { color: #a00000; }
      .key-bar .other-page { margin-left: auto; }
      .fallback { padding: 24px; }
      [hidden] { display: none !important; }`;

function keyBarHtml(apiKeyHeader: string, otherPage: { href: string; label: string }): string {
  const header = escapeHtml(apiKeyHeader);
  // The static sentence is what a visitor without JavaScript reads; the script replaces it with the
  // masked key or an input for one.
  return `<div class="key-bar" role="region" aria-label="API key">
      <span id="key-state">Send your API key in the ${header} header (or Authorization: Bearer &lt;key&gt;). Tip: add <code>#key=&lt;your key&gt;</code> to this page's address to prefill it; the fragment never leaves your browser.</span>
      <form id="key-form" hidden>
        <label for="key-input">API key</label>
        <input id="key-input" type="password" autocomplete="off" spellcheck="false" placeholder="lv_live_…">
        <button type="submit">Use key</button>
        <button type="button" id="key-cancel" hidden>Cancel</button>
        <span id="key-problem" class="key-problem" role="alert"></span>
      </form>
      <button type="button" id="key-change" hidden>Change key</button>
      <button type="button" id="key-forget" hidden>Forget key</button>
      <a class="other-page" href="${escapeHtml(otherPage.href)}" data-keep-key>${escapeHtml(otherPage.label)}</a>
    </div>`;
}

function sandboxPage(graphqlPath: string, graphiqlPath: string, apiKeyHeader: string): HtmlPage {
  const config = jsonForScript({ graphqlPath, apiKeyHeader });
  // Only documented EmbeddedSandbox options. The endpoint is computed from `location` so that the
  // page works under whatever host name and scheme the visitor used. A new key reloads the page:
  // Sandbox reads its shared headers once, and the key is in sessionStorage by then.
  const script = `
(function () {
  'use strict';${KEY_SCRIPT}
  var config = ${config};
  var endpoints = endpointUrls(config.graphqlPath);
  var key = initialKey();
  var embedded = typeof window.EmbeddedSandbox === 'function';
  setupKeyBar(config, key, function () { if (embedded) window.location.reload(); });
  if (!embedded) {
    document.getElementById('sandbox-unavailable').hidden = false;
    return;
  }
  var sharedHeaders = {};
  if (key) sharedHeaders[config.apiKeyHeader] = key;
  new window.EmbeddedSandbox({
    target: '#sandbox',
    initialEndpoint: endpoints.url,
    initialSubscriptionEndpoint: endpoints.wsUrl,
    // Pinned: the shared headers carry the visitor's key, which must not follow an edited endpoint.
    endpointIsEditable: false,
    initialState: { sharedHeaders: sharedHeaders, includeCookies: false }
  });
})();
`;
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>GraphQL API · Apollo Sandbox</title>
    <link rel="icon" href="data:,">
    <style>${BASE_STYLE}
      #sandbox { position: relative; min-height: 0; }
      #sandbox iframe { display: block; }
    </style>
  </head>
  <body>
    ${keyBarHtml(apiKeyHeader, { href: graphiqlPath, label: 'Offline GraphiQL' })}
    <div id="sandbox">
      <div id="sandbox-unavailable" class="fallback" hidden>
        <h1>Apollo Sandbox could not be loaded</h1>
        <p>It is served from Apollo's CDN, which this browser cannot reach. The self-contained <a id="graphiql-fallback" href="${escapeHtml(graphiqlPath)}" data-keep-key>GraphiQL page</a> works offline, with the same key.</p>
      </div>
    </div>
    <script src="${SANDBOX_SCRIPT_URL}"></script>
    <script>${script}</script>
  </body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src ${SANDBOX_SCRIPT_ORIGIN} ${cspHash(script)}`,
    "style-src 'unsafe-inline'",
    `frame-src ${SANDBOX_FRAME_ORIGIN}`,
    // Operations run in the iframe are relayed to this page, which sends them to its own origin;
    // 'self' does not cover ws:/wss: in every browser, hence the schemes for subscriptions.
    "connect-src 'self' ws: wss:",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
  return htmlPage(html, csp);
}

function graphiqlPage(graphqlPath: string, graphiqlPath: string, apiKeyHeader: string): HtmlPage {
  const assetBase = `${graphiqlPath === '/' ? '' : graphiqlPath}/assets/`;
  const asset = (name: string): string => escapeHtml(assetBase + name);
  const config = jsonForScript({ graphqlPath, apiKeyHeader, exampleQuery: EXAMPLE_QUERY });
  // The key never enters GraphiQL's headers editor: the fetcher adds it to the editor's headers
  // for every operation (unless the editor sets the key header or Authorization itself).
  // Subscriptions: the same merged headers become the graphql-ws connectionParams, so the server
  // sees e.g. { "X-Api-Key": "<key>" } in connection_init, exactly as Apollo Sandbox sends its
  // headers. connectionParams are only sent when a socket opens, so there is one lazy client per
  // distinct set of headers: a new key takes effect on the next subscription, and idle sockets
  // close by themselves (lazy mode). A new key renders GraphiQL with a new fetcher, which makes it
  // fetch the schema again.
  // URL: `query`, `variables` and `operationName` search parameters open in the editors, and the
  // editors write them back (history.replaceState), as GraphiQL's own examples do; so a reload or
  // a shared link opens the same operation. Headers never go into the URL.
  const script = `
(function () {
  'use strict';${KEY_SCRIPT}
  var config = ${config};
  var root = document.getElementById('graphiql');
  var key = initialKey();
  if (!window.React || !window.ReactDOM || !window.GraphiQL || !window.graphqlWs) {
    setupKeyBar(config, key, function () {});
    document.getElementById('graphiql-unavailable').hidden = false;
    return;
  }
  var endpoints = endpointUrls(config.graphqlPath);
  var wsClients = new Map();
  function stringHeaders(headers) {
    var result = {};
    if (headers && typeof headers === 'object') {
      Object.keys(headers).forEach(function (name) {
        if (typeof headers[name] === 'string') result[name] = headers[name];
      });
    }
    return result;
  }
  function headersWithKey(editorHeaders) {
    var headers = stringHeaders(editorHeaders);
    var keyHeader = config.apiKeyHeader.toLowerCase();
    var explicit = Object.keys(headers).some(function (name) {
      var lower = name.toLowerCase();
      return lower === keyHeader || lower === 'authorization';
    });
    if (key && !explicit) headers[config.apiKeyHeader] = key;
    return headers;
  }
  function wsClientFor(headers) {
    var id = JSON.stringify(headers);
    var client = wsClients.get(id);
    if (!client) {
      client = window.graphqlWs.createClient({
        url: endpoints.wsUrl,
        lazy: true,
        connectionParams: function () { return Object.assign({}, headers); }
      });
      wsClients.set(id, client);
    }
    return client;
  }
  function createFetcher() {
    return function fetcher(params, opts) {
      var headers = headersWithKey(opts && opts.headers);
      // The client is only created when GraphiQL actually runs a subscription.
      var wsClient = { subscribe: function (payload, sink) { return wsClientFor(headers).subscribe(payload, sink); } };
      return window.GraphiQL.createFetcher({ url: endpoints.url, wsClient: wsClient })(params, Object.assign({}, opts, { headers: headers }));
    };
  }
  function syncUrl(name, value) {
    var params = new URLSearchParams(window.location.search);
    if (value) params.set(name, value);
    else params.delete(name);
    var search = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (search ? '?' + search : ''));
  }
  var search = new URLSearchParams(window.location.search);
  var props = {
    // Headers typed into the editor must not be written to localStorage.
    shouldPersistHeaders: false,
    defaultQuery: config.exampleQuery,
    onEditQuery: function (value) { syncUrl('query', value); },
    onEditVariables: function (value) { syncUrl('variables', value); },
    onEditOperationName: function (value) { syncUrl('operationName', value); }
  };
  if (search.has('query')) props.query = search.get('query');
  if (search.has('variables')) {
    props.variables = search.get('variables');
    props.defaultEditorToolsVisibility = 'variables';
  }
  if (search.has('operationName')) props.operationName = search.get('operationName');
  var reactRoot = window.ReactDOM.createRoot(root);
  function render() {
    reactRoot.render(window.React.createElement(window.GraphiQL, Object.assign({}, props, { fetcher: createFetcher() })));
  }
  setupKeyBar(config, key, function (next) { key = next; render(); });
  render();
})();
`;
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>GraphQL API · GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="${asset('graphiql.min.css')}">
    <style>${BASE_STYLE}
      #graphiql { min-height: 0; overflow: hidden; }
    </style>
  </head>
  <body>
    ${keyBarHtml(apiKeyHeader, { href: graphqlPath, label: 'Apollo Sandbox' })}
    <div id="graphiql">
      <noscript><p class="fallback">GraphiQL needs JavaScript.</p></noscript>
      <div id="graphiql-unavailable" class="fallback" hidden>
        <h1>GraphiQL could not be loaded</h1>
        <p>Its scripts under <code>${asset('')}</code> did not load.</p>
      </div>
    </div>
    <script src="${asset('react.production.min.js')}"></script>
    <script src="${asset('react-dom.production.min.js')}"></script>
    <script src="${asset('graphiql.min.js')}"></script>
    <script src="${asset('graphql-ws.min.js')}"></script>
    <script>${script}</script>
  </body>
</html>
`;
  const csp = [
    "default-src 'none'",
    // The inline bootstrap is allowed by its hash, which is stricter than 'unsafe-inline'.
    `script-src 'self' ${cspHash(script)}`,
    // 'unsafe-inline': the page's own <style>, and GraphiQL's dialogs inject <style> elements.
    "style-src 'self' 'unsafe-inline'",
    // The GraphiQL stylesheet embeds its fonts and a few images as data: URLs.
    "font-src 'self' data:",
    "img-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
  return htmlPage(html, csp);
}

/**
 * Creates the handler for the gateway's browser IDEs. It answers only GET and HEAD (HEAD with the
 * GET headers and no body):
 *
 * - `<graphqlPath>` (default `/graphql`) when the `Accept` header strictly prefers `text/html` and
 *   there is no `query` or `extensions` search parameter: an Apollo Sandbox page (loaded from
 *   Apollo's CDN) pointed at the page's own origin + graphqlPath, with the `ws:`/`wss:` equivalent
 *   as subscription endpoint. Any other request on that path is left to the GraphQL server.
 * - `<graphiqlPath>` (default `/graphiql`, trailing slash accepted): a GraphiQL page that loads
 *   nothing from outside this server. Queries go over HTTP POST to graphqlPath, subscriptions over
 *   graphql-ws on the same path with the headers as connectionParams. It opens the `query`,
 *   `variables` and `operationName` search parameters (kept in sync with the editors), or else
 *   {@link EXAMPLE_QUERY}.
 * - `<graphiqlPath>/assets/<name>`: the page's scripts and stylesheet, read lazily from the
 *   installed packages, cached in memory, and served with `Cache-Control: public, max-age=86400`
 *   and an ETag (`If-None-Match` gives 304). Unknown names get 404.
 *
 * Both pages show how to send the key (the `apiKeyHeader`, default `X-Api-Key`, or
 * `Authorization: Bearer <key>`), take it from a `#key=<value>` URL fragment (then removed from
 * the address bar) or an input, keep it in the tab's sessionStorage, show it only masked
 * (`lv_live_…1a2b`), and carry it in the fragment of the link to the other page. GraphiQL adds it
 * to every request itself, so it never appears in its headers editor.
 * HTML is sent with `Cache-Control: no-store` and a Content-Security-Policy per page.
 *
 * @throws TypeError when a path is not a plain URL path, both paths are equal, or the header name
 *   is not a valid HTTP field name.
 * @returns a handler that returns true when it answered (or will answer) the request, and false,
 *   without touching the response, to let the caller go on.
 */
export function createLandingPages(options: LandingPageOptions = {}): LandingPageHandler {
  const graphqlPath = normalisePath(options.graphqlPath ?? '/graphql', 'graphqlPath');
  const graphiqlPath = normalisePath(options.graphiqlPath ?? '/graphiql', 'graphiqlPath');
  const apiKeyHeader = options.apiKeyHeader ?? 'X-Api-Key';
  if (graphqlPath === graphiqlPath) {
    throw new TypeError(`createLandingPages: graphqlPath and graphiqlPath must differ, both are ${graphqlPath}`);
  }
  if (!HEADER_NAME_PATTERN.test(apiKeyHeader)) {
    throw new TypeError(`createLandingPages: apiKeyHeader is not a valid header name: ${JSON.stringify(apiKeyHeader)}`);
  }

  // The pages depend only on the options, so they are rendered once.
  const sandbox = sandboxPage(graphqlPath, graphiqlPath, apiKeyHeader);
  const graphiql = graphiqlPage(graphqlPath, graphiqlPath, apiKeyHeader);
  const assetPrefix = `${graphiqlPath === '/' ? '' : graphiqlPath}/assets/`;

  return function handleLandingPages(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    // Split by hand: new URL() would read a request target like '//host/x' as a host name.
    const target = req.url ?? '/';
    const queryStart = target.indexOf('?');
    const pathname = queryStart === -1 ? target : target.slice(0, queryStart);
    const search = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));

    if (pathname === graphqlPath) {
      // GET with a query (or a persisted-query hash in extensions) is a GraphQL request.
      if (search.has('query') || search.has('extensions')) return false;
      if (!prefersHtml(req.headers.accept)) return false;
      send(req, res, 200, sandbox.headers, sandbox.body);
      return true;
    }

    if (pathname === graphiqlPath || pathname === `${graphiqlPath}/`) {
      send(req, res, 200, graphiql.headers, graphiql.body);
      return true;
    }

    if (pathname.startsWith(assetPrefix)) {
      const name = pathname.slice(assetPrefix.length);
      const spec = ASSETS.get(name);
      if (!spec) {
        sendText(req, res, 404, 'Not found');
        return true;
      }
      loadAsset(name, spec).then(
        (asset) => {
          const headers = {
            'Content-Type': spec.contentType,
            'Cache-Control': ASSET_CACHE_CONTROL,
            ETag: asset.etag,
            'X-Content-Type-Options': 'nosniff',
          };
          const ifNoneMatch = req.headers['if-none-match'];
          if (etagMatches(ifNoneMatch, asset.etag)) send(req, res, 304, headers);
          else send(req, res, 200, headers, asset.body);
        },
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          process.emitWarning(`landing pages: cannot load asset ${name} from package ${spec.pkg}: ${reason}`);
          sendText(req, res, 500, 'Asset unavailable');
        },
      );
      return true;
    }

    return false;
  };
}
