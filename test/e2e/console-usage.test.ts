// Usage in the console, in Chromium, from real counts: tokens issued to two keys (and a
// wrong secret) show in the project's stacked chart's table and the key's chart's table,
// exactly; the Access keys list shows each key's 24-hour total with a spark line and sorts
// by volume and by last use; the page works under the console's CSP (no violation) and at phone width.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSecret, startTestServer, type TestServer } from '../helpers/server.js';
import { signIn } from '../helpers/session.js';
import { tokenRequest } from '../helpers/api-client.js';
import { browserTabs, PHONE, screenshot, signInAs } from './browser.js';
import { seedAccount, type E2eAccount } from './fixtures.js';

let server: TestServer;
let acme: E2eAccount;
const tab = browserTabs(() => server.url);

beforeAll(async () => {
  server = await startTestServer({ USAGE_FLUSH_MS: '600000' });
  acme = await seedAccount(server, { name: 'Acme Usage', domain: 'usage.example', verified: true, projects: ['Production'] });
  const admin = await signIn(server, acme.emails.administrator, acme.password);
  const url = `${server.url}/api/projects/${acme.projects[0].projectId}/credentials`;
  const counts: Record<string, number> = { 'Billing service': 7, 'Report job': 3, 'Old importer': 0 };
  for (const [label, n] of Object.entries(counts)) {
    const res = await fetch(url, { method: 'POST', headers: admin.headers({ 'content-type': 'application/json' }), body: JSON.stringify({ kind: 'basic', label }) });
    const created = (await res.json()) as { apiKey: string; apiSecret: string };
    expect(res.status).toBe(201);
    recordSecret(created.apiSecret, created.apiKey);
    for (let i = 0; i < n; i++) expect((await tokenRequest(server, created.apiKey, created.apiSecret)).status).toBe(200);
    if (label === 'Billing service') expect((await tokenRequest(server, created.apiKey, 'wrong')).status).toBe(401);
  }
  await server.running.usage!.recorder.flush();
  // A key made 10 days ago and never used, in an account that calls 5 days unused.
  await server.sql.query(`UPDATE access_keys SET create_time = now() - interval '10 days' WHERE display_name = 'Old importer'`);
  // Report job used last (Billing service two hours ago), whatever the batched last-use writes add.
  await server.sql.query(`UPDATE access_keys SET last_use_time = now() - interval '2 hours' WHERE display_name = 'Billing service'`);
  await server.sql.query(`UPDATE access_keys SET last_use_time = now() WHERE display_name = 'Report job'`);
  const set = await fetch(`${server.url}/api/account/usage-settings`, { method: 'PUT', headers: admin.headers({ 'content-type': 'application/json' }), body: JSON.stringify({ unusedKeyDays: 5 }) });
  expect(set.status).toBe(200);
}, 60_000);
afterAll(() => server?.close());

const totalsOf = async (table: import('playwright-core').Locator) =>
  Object.fromEntries(
    await table.locator('tfoot td').evaluateAll((cells) => cells.map((c) => [c.getAttribute('data-total'), Number(c.textContent)])),
  );

describe('usage in the console', () => {
  it("draws a project's tokens stacked by key and a key's tokens and failures, with tables of the same numbers", async () => {
    const { page } = await tab();
    await signInAs(page, acme.emails.basic, acme.password);
    const card = page.getByRole('region', { name: 'Production' });
    await card.locator('td[data-tokens="7"]').waitFor();
    // Spark lines are drawn (uPlot's canvas) for keys with tokens, and totals are exact.
    expect(await card.locator('.spark canvas').count()).toBe(2);
    await card.getByLabel('Sort by').selectOption('volume');
    expect(await card.locator('tbody th').evaluateAll((ths) => ths.map((t) => t.firstChild?.textContent))).toEqual(['Billing service', 'Report job', 'Old importer']);
    await card.getByLabel('Sort by').selectOption('last-use');
    expect(await card.locator('tbody th').evaluateAll((ths) => ths.map((t) => t.firstChild?.textContent))).toEqual(['Report job', 'Billing service', 'Old importer']);

    // Only the key unused for more than the account's 5 days is marked.
    expect(await card.locator('.badge.unused').evaluateAll((els) => els.map((e) => [e.closest('th')?.firstChild?.textContent, e.textContent]))).toEqual([['Old importer', 'Unused 5+ days']]);

    await card.getByRole('link', { name: 'Usage of Production' }).click();
    const project = page.locator('table[data-chart="project-tokens"]');
    await project.waitFor({ state: 'attached' });
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(1);
    expect(await totalsOf(project)).toEqual({ 'Billing service': 7, 'Report job': 3 });
    expect(await project.locator('tbody tr').count()).toBe(25); // 24 hours back, and the current one

    const key = page.locator('table[data-chart="key-usage"]');
    await key.waitFor({ state: 'attached' });
    expect(await totalsOf(key)).toEqual({ Tokens: 7, 'Wrong secret': 1, Expired: 0, 'Rate-limited': 0, 'Over quota': 0 });
    await page.getByRole('button', { name: '90 days' }).click();
    await page.locator('table[data-chart="key-usage"] tbody tr').nth(89).waitFor({ state: 'attached' });
    expect(await totalsOf(page.locator('table[data-chart="key-usage"]'))).toMatchObject({ Tokens: 7, 'Wrong secret': 1 });
    await page.getByLabel('Key', { exact: true }).selectOption({ label: 'Report job' });
    await page.locator('table[data-chart="key-usage"] caption', { hasText: 'Report job' }).waitFor({ state: 'attached' });
    expect(await totalsOf(page.locator('table[data-chart="key-usage"]'))).toMatchObject({ Tokens: 3, 'Wrong secret': 0 });
    await page.getByText('Table: Tokens per hour by key').click();
    await screenshot(page, 'usage');
  });

  it("links the audit log's events to the key's usage", async () => {
    const { page } = await tab();
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.goto('/console/audit-log');
    await page.getByRole('link', { name: /^Usage of .*Report job/ }).first().click();
    const key = page.locator('table[data-chart="key-usage"]');
    await key.locator('caption', { hasText: 'Report job' }).waitFor({ state: 'attached' });
    expect(await totalsOf(key)).toMatchObject({ Tokens: 3 });
  });

  it('fits a phone', async () => {
    const { page } = await tab(PHONE);
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.goto(`/console/projects/${acme.projects[0].projectId}/usage`);
    await page.locator('table[data-chart="project-tokens"]').waitFor({ state: 'attached' });
    await page.locator('.chart canvas').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'usage-phone');
  });

  it('lets an Administrator change after how many days keys are marked Unused; others read it', async () => {
    const { page } = await tab();
    await signInAs(page, acme.emails.administrator, acme.password);
    const card = page.getByRole('region', { name: 'Production' });
    await card.locator('.badge.unused').waitFor();
    const days = page.getByLabel('Mark keys Unused after this many days without a token');
    await days.fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    // The API's rule, under the field, and nothing changed.
    await page.locator('.unused-days .field-error', { hasText: 'unusedKeyDays' }).waitFor();
    expect(await days.getAttribute('aria-invalid')).toBe('true');
    await days.fill('20');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Keys are marked Unused after 20 days without a token.').waitFor({ state: 'attached' });
    await card.locator('td[data-tokens="7"]').waitFor();
    expect(await card.locator('.badge.unused').count()).toBe(0); // the 10-day-old key is no longer unused
    const stored = await server.sql.query('SELECT unused_key_days FROM accounts WHERE id = $1', [acme.accountId]);
    expect(stored.rows[0].unused_key_days).toBe(20);

    const basic = (await tab()).page;
    await signInAs(basic, acme.emails.basic, acme.password);
    await basic.getByText('Keys without a token for 20 days are marked Unused.').waitFor();
    expect(await basic.getByLabel('Mark keys Unused after this many days without a token').count()).toBe(0);

    await days.fill('5');
    await page.getByRole('button', { name: 'Save' }).click();
    await card.locator('.badge.unused').waitFor();
  });
});
