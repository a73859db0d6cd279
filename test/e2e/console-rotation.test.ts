// Issue 14 in the console: an Administrator rotates a REST Basic key's secret with the
// overlap chosen, sees the new secret once, both secrets work; rotating again offers to
// revoke the previous secret instead, which then stops working. Screenshots of both dialogs.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSecret, startTestServer, type TestServer } from '../helpers/server.js';
import { browserTabs, screenshot, signInAs } from './browser.js';
import { seedAccount, type E2eAccount } from './fixtures.js';
import { poll } from './poll.js';
import { createKeyInConsole, tokenStatus } from './steps.js';

let server: TestServer;
let acme: E2eAccount;
let page: Page;
const tab = browserTabs(() => server.url);

beforeAll(async () => {
  server = await startTestServer();
  acme = await seedAccount(server, { name: 'Acme Robotics', domain: 'acme.example', verified: true, projects: ['Production'] });
  page = (await tab()).page;
});
afterAll(() => server?.close());

describe('console: Rotate secret', () => {
  it('rotates with the overlap chosen, shows the new secret once, then revokes the previous one', async () => {
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.getByRole('link', { name: 'API Settings', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'API Settings' }).waitFor();
    const key = await createKeyInConsole(page, 'Basic Authentication', 'Rotating service');
    await page.getByRole('button', { name: 'Ok', exact: true }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);

    await page.getByRole('button', { name: 'Rotate secret of Rotating service' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate secret' });
    await rotate.waitFor();
    expect(await rotate.getByLabel('The previous secret keeps working for').inputValue()).toBe('86400s');
    await rotate.getByLabel('The previous secret keeps working for').selectOption('3600s');
    await screenshot(page, 'rotate-secret', { fullPage: false });
    await rotate.getByRole('button', { name: 'Rotate secret' }).click();

    const done = page.getByRole('dialog', { name: 'Your new API secret' });
    await done.waitFor();
    const secret = await done.getByLabel('New API secret', { exact: true }).inputValue();
    recordSecret(secret, key.apiKey);
    expect(secret).toMatch(/^kmsk_/);
    expect(secret).not.toBe(key.apiSecret);
    await expect(done.getByText('The previous secret works until', { exact: false }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'rotate-secret-confirmation', { fullPage: false });
    await done.getByRole('button', { name: 'Ok', exact: true }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await tokenStatus(server, key.apiKey, key.apiSecret)).toBe(200);
    expect(await tokenStatus(server, key.apiKey, secret)).toBe(200);
    // The new secret is not on the page any more.
    expect(await page.content()).not.toContain(secret);

    await page.getByRole('button', { name: 'Rotate secret of Rotating service' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke the previous secret?' });
    await revoke.waitFor();
    await revoke.getByRole('button', { name: 'Revoke previous secret' }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('status').filter({ hasText: 'no longer works' }).waitFor();
    expect(await tokenStatus(server, key.apiKey, key.apiSecret)).toBe(401);
    expect(await tokenStatus(server, key.apiKey, secret)).toBe(200);
  });
});
