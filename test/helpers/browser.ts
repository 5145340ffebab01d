import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Launches a headless Chromium for browser tests, driven by puppeteer-core.
 *
 * By default the browser is the headless shell that `@sparticuz/chromium` ships compressed inside
 * its npm tarball (a devDependency), so `npm ci && npm test` needs nothing else: it is inflated
 * once into the OS temp directory (a few seconds, then reused). Beyond glibc it needs only NSS
 * and expat (libnss3, libnspr4, libexpat1). `CHROMIUM_PATH` names another Chromium or Chrome
 * to use instead (for example Debian's /usr/bin/chromium).
 */
export async function launchBrowser(): Promise<Browser> {
  const fromEnv = process.env['CHROMIUM_PATH'];
  const executablePath = fromEnv && fromEnv.length > 0 ? fromEnv : await chromium.executablePath();
  return puppeteer.launch({
    executablePath,
    // The packaged binary is chrome-headless-shell; a full Chrome runs its new headless mode.
    headless: fromEnv ? true : 'shell',
    // Tests run as root in containers: no setuid sandbox there, and /dev/shm may be tiny.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
  });
}
