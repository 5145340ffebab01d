import type { Browser, BrowserContext, HTTPRequest, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_QUERY } from '../../../gateway/landing-page/example-query.ts';
import { seedDemoOrganization } from '../../../subgraphs/people/db/seed/demo-organization.ts';
import { launchBrowser } from '../../helpers/browser.ts';
import { createKey, startTestGraph, type TestGraph } from '../../helpers/graph.ts';

// GraphiQL and the Sandbox page in a real headless Chromium against the whole graph on the demo
// organization. One browser for the file; each test gets its own browser context (its own
// sessionStorage). Requests that leave the gateway's origin (Apollo's CDN) are refused by the
// test, as they would be on a machine without internet access.

let graph: TestGraph;
let browser: Browser;
let key: string;
let origin: string;

interface PageWatch {
  readonly page: Page;
  /** Every request the page made: the URL sent (without fragment) and its Referer. */
  readonly requests: { url: string; referer: string | undefined }[];
}

beforeAll(async () => {
  [graph, browser] = await Promise.all([startTestGraph(), launchBrowser()]);
  const demo = await seedDemoOrganization(graph.peopleDb);
  await graph.leave.catchUpDirectory();
  key = (await createKey(graph.peopleDb, demo.orgId, demo.adminUserId)).secret;
  origin = new URL(graph.gateway.url).origin;
});

afterAll(async () => {
  await browser?.close();
  await graph?.stop();
});

async function openPage(context: BrowserContext, page?: Page): Promise<PageWatch> {
  const opened = page ?? (await context.newPage());
  const requests: PageWatch['requests'] = [];
  await opened.setRequestInterception(true);
  opened.on('request', (request: HTTPRequest) => {
    // Puppeteer reports a navigation's URL with its fragment, which HTTP never sends: drop it.
    requests.push({ url: request.url().split('#')[0]!, referer: request.headers()['referer'] });
    if (request.url().startsWith(`${origin}/`) || request.url().startsWith('data:')) void request.continue();
    else void request.abort('internetdisconnected');
  });
  // CSP violations of the page, collected before any of its scripts run.
  await opened.evaluateOnNewDocument(`
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', function (e) {
      window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
    });
  `);
  return { page: opened, requests };
}

/** Waits for GraphiQL with its schema loaded (the docs explorer has the Query type). */
async function waitForGraphiql(page: Page): Promise<void> {
  await page.waitForFunction(`(() => {
    const editor = document.querySelector('.graphiql-query-editor .CodeMirror');
    return editor !== null && editor.CodeMirror !== undefined;
  })()`);
}

function editorValue(page: Page, selector: string): Promise<string> {
  return page.evaluate(`document.querySelector(${JSON.stringify(selector)}).CodeMirror.getValue()`) as Promise<string>;
}

/** Every CodeMirror editor on the page (query, variables, headers, result), by its value. */
function allEditorValues(page: Page): Promise<string[]> {
  return page.evaluate(`Array.from(document.querySelectorAll('.CodeMirror')).map((e) => e.CodeMirror.getValue())`) as Promise<string[]>;
}

/** Clicks run and resolves to the parsed JSON of the result pane once it shows `expected`. */
async function run(page: Page, expected: string): Promise<{ data?: Record<string, unknown> | null; errors?: unknown[] }> {
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    `document.querySelector('.result-window .CodeMirror').CodeMirror.getValue().includes(${JSON.stringify(expected)})`,
  );
  return JSON.parse(await editorValue(page, '.result-window .CodeMirror')) as { data?: Record<string, unknown> | null; errors?: unknown[] };
}

function masked(secret: string): string {
  return `lv_live_\u2026${secret.slice(-4)}`;
}

async function expectKeyHidden(watch: PageWatch): Promise<void> {
  const { page } = watch;
  // Neither in the text, nor anywhere in the DOM (attributes included), nor in any editor.
  expect(await page.evaluate('document.body.innerText')).not.toContain(key);
  expect(await page.evaluate('document.documentElement.outerHTML')).not.toContain(key);
  for (const value of await allEditorValues(page)) expect(value).not.toContain(key);
  expect(await page.evaluate('window.location.href')).not.toContain(key);
  // And never sent to the server in a URL or a Referer.
  for (const request of watch.requests) {
    expect(request.url).not.toContain(key);
    expect(request.referer ?? '').not.toContain(key);
  }
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate('window.__cspViolations') as Promise<string[]>;
}

describe('GraphiQL in a browser', () => {
  it('should take the key from the fragment, show it only masked, and open on the example query that runs on the demo data', async () => {
    const context = await browser.createBrowserContext();
    try {
      const watch = await openPage(context);
      const { page } = watch;
      await page.goto(`${origin}/graphiql#key=${encodeURIComponent(key)}`);
      await waitForGraphiql(page);
      expect(await page.evaluate('window.location.hash')).toBe('');
      expect(await page.$eval('#key-masked', (e) => e.textContent)).toBe(masked(key));
      expect(await editorValue(page, '.graphiql-query-editor .CodeMirror')).toBe(EXAMPLE_QUERY);

      const result = await run(page, '"departments"');
      expect(result.errors).toBeUndefined();
      const data = result.data as { me: { name: string }; departments: { totalCount: number; nodes: { name: string; members: { nodes: unknown[] } }[] } };
      expect(data.me.name).toBe('Alex Morgan');
      expect(data.departments.totalCount).toBe(4);
      expect(data.departments.nodes).toHaveLength(3);
      for (const department of data.departments.nodes) expect(department.members.nodes.length).toBeGreaterThan(0);

      await expectKeyHidden(watch);
      expect(await cspViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('should run the query, variables and operation name of the URL, keep the key across a reload, and write edits back to the URL', async () => {
    const context = await browser.createBrowserContext();
    try {
      const watch = await openPage(context);
      const { page } = watch;
      await page.goto(`${origin}/graphiql#key=${encodeURIComponent(key)}`);
      await waitForGraphiql(page);
      // A shared link: the key is not in it; this tab has it in sessionStorage.
      const query = 'query Me { me { name } }\nquery FirstUsers($first: Int!) { users(first: $first) { totalCount nodes { name } } }';
      const search = new URLSearchParams({ query, variables: '{"first": 2}', operationName: 'FirstUsers' });
      await page.goto(`${origin}/graphiql?${search.toString()}`);
      await waitForGraphiql(page);
      expect(await editorValue(page, '.graphiql-query-editor .CodeMirror')).toBe(query);
      expect(await page.$eval('#key-masked', (e) => e.textContent)).toBe(masked(key));

      const result = await run(page, '"users"');
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ users: { totalCount: 40, nodes: [expect.objectContaining({ name: expect.any(String) }), expect.objectContaining({ name: expect.any(String) })] } });

      await page.evaluate(`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ me { role } }')`);
      await page.waitForFunction(`new URLSearchParams(window.location.search).get('query') === '{ me { role } }'`);
      expect(await page.evaluate(`new URLSearchParams(window.location.search).get('variables')`)).toBe('{"first": 2}');

      await expectKeyHidden(watch);
      expect(await cspViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('should run without a key only after one is entered, and forget it on request', async () => {
    const context = await browser.createBrowserContext();
    try {
      const watch = await openPage(context);
      const { page } = watch;
      await page.goto(`${origin}/graphiql?query=${encodeURIComponent('{ me { name } }')}`);
      await waitForGraphiql(page);
      expect(await page.$eval('#key-state', (e) => e.textContent)).toContain('No API key');
      const refused = await run(page, 'UNAUTHENTICATED');
      expect(refused.data ?? null).toBeNull();

      await page.type('#key-input', key);
      await page.click('#key-form button[type=submit]');
      expect(await page.$eval('#key-masked', (e) => e.textContent)).toBe(masked(key));
      expect(await page.$eval('#key-input', (e) => (e as unknown as { value: string }).value)).toBe('');
      const answered = await run(page, 'Alex Morgan');
      expect(answered.errors).toBeUndefined();
      expect(answered.data).toEqual({ me: { name: 'Alex Morgan' } });
      await expectKeyHidden(watch);

      await page.click('#key-forget');
      expect(await page.$eval('#key-state', (e) => e.textContent)).toContain('No API key');
      expect(await page.evaluate(`window.sessionStorage.length`)).toBe(0);
      expect(await cspViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the Sandbox page without Apollo\'s CDN', () => {
  it('should offer GraphiQL, and its link should carry the key to the same tab and to a new one', async () => {
    const context = await browser.createBrowserContext();
    try {
      const watch = await openPage(context);
      const { page } = watch;
      await page.goto(`${origin}/graphql#key=${encodeURIComponent(key)}`);
      await page.waitForSelector('#sandbox-unavailable:not([hidden])');
      expect(await page.$eval('#key-masked', (e) => e.textContent)).toBe(masked(key));
      expect(await page.$eval('#graphiql-fallback', (e) => e.getAttribute('href'))).toBe('/graphiql');
      await expectKeyHidden(watch);
      expect(watch.requests.some((r) => r.url.startsWith('https://embeddable-sandbox.cdn.apollographql.com/'))).toBe(true);

      // A new tab shares no sessionStorage: the key travels in the fragment of the followed link.
      const opened = new Promise<Page>((resolve) => {
        context.once('targetcreated', (target: { page(): Promise<Page | null> }) => void target.page().then((p) => p && resolve(p)));
      });
      await page.click('#graphiql-fallback', { button: 'middle' });
      const tab = await opened;
      await waitForGraphiql(tab);
      expect(await tab.$eval('#key-masked', (e) => e.textContent)).toBe(masked(key));
      expect(await tab.evaluate('document.documentElement.outerHTML')).not.toContain(key);
      expect(tab.url()).not.toContain(key);

      await Promise.all([page.waitForNavigation(), page.click('#graphiql-fallback')]);
      expect(new URL(page.url()).pathname).toBe('/graphiql');
      await waitForGraphiql(page);
      expect(await page.$eval('#key-masked', (e) => e.textContent)).toBe(masked(key));
      const result = await run(page, '"departments"');
      expect(result.errors).toBeUndefined();
      await expectKeyHidden(watch);
      expect(await cspViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
