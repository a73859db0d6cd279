// Headless Chromium for the console's end-to-end tests: Debian's chromium driven by
// playwright-core (never a downloaded browser). Each page records Content-Security-Policy
// violations and uncaught errors, which the tests then require to be none.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { recordSecret } from '../helpers/server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const launch = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** CSP violations and uncaught page errors seen so far. */
  problems: string[];
}

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

export async function openTab(browser: Browser, baseURL: string, viewport = DESKTOP): Promise<Tab> {
  const context = await browser.newContext({ baseURL, viewport, deviceScaleFactor: 1 });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(7_000);
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (/content.security.policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { context, page, problems };
}

// `npm run screenshots` writes the README's pictures; other runs take them into a
// temporary folder, so that a test run leaves the working tree as it was.
const SCREENSHOTS = process.env.KEYMINT_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : join(tmpdir(), 'keymint-console-screenshots');

/** The whole page, or only the viewport (a modal dialog's backdrop covers the viewport). */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: opts.fullPage ?? true, animations: 'disabled', caret: 'hide' });
}

/** Signs in through the form; the session's cookie and CSRF token are recorded as secrets. */
export async function signInAs(page: Page, email: string, password: string, opts: { goto?: boolean } = {}): Promise<void> {
  if (opts.goto ?? true) await page.goto('/console/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const body = (await (await answer).json()) as { csrfToken?: string };
  recordSecret(body.csrfToken);
  for (const cookie of await page.context().cookies()) recordSecret(cookie.value);
  await page.locator('h1').filter({ hasNotText: 'Sign in' }).waitFor();
}

/**
 * A browser for a test file, and `tab(viewport?)` to open a tab on the server `url()`
 * names. After each test no tab may have seen a CSP violation or a page error; the browser
 * closes after the file.
 */
export function browserTabs(url: () => string): (viewport?: { width: number; height: number }) => Promise<Tab> {
  let browser: Browser | undefined;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    browser = await launch();
  });
  afterEach(() => {
    for (const t of tabs) expect(t.problems).toEqual([]);
  });
  afterAll(() => browser?.close());
  return async (viewport) => {
    const t = await openTab(browser!, url(), viewport);
    tabs.push(t);
    return t;
  };
}
