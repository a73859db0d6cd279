// The Administrators' pages of the console: Users (add a user, a refused password and a
// taken email first; change a role; the API's refusal to demote or remove the last
// Administrator; remove a user) and the Audit log (those events, a credential made in the
// test, Load more); a Basic user sees neither in the navigation.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSecret, startTestServer, type TestServer } from '../helpers/server.js';
import { signIn, type SignedIn } from '../helpers/session.js';
import { browserTabs, PHONE, screenshot, signInAs } from './browser.js';
import { seedAccount, type E2eAccount } from './fixtures.js';
import { poll } from './poll.js';

let server: TestServer;
let acme: E2eAccount;
let admin: SignedIn;
let page: Page;

const NEW_EMAIL = 'linus@acme.example';
const NEW_PASSWORD = `Initial-${Date.now()}-pw`;
const SHORT_PASSWORD = 'Sh0rt!';
const LAST_ADMIN = /must keep at least one Administrator/;

const tab = browserTabs(() => server.url);

async function apiUsers(): Promise<Array<{ email: string; role: string }>> {
  const res = await fetch(`${server.url}/api/account/users`, { headers: admin.headers() });
  return ((await res.json()) as { users: Array<{ email: string; role: string }> }).users;
}

const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent);

beforeAll(async () => {
  recordSecret(NEW_PASSWORD);
  recordSecret(SHORT_PASSWORD);
  server = await startTestServer();
  acme = await seedAccount(server, { name: 'Acme Robotics', domain: 'acme.example', verified: true, projects: ['Production'] });
  admin = await signIn(server, acme.emails.administrator, acme.password);
  page = (await tab()).page;
});

afterAll(() => server?.close());

describe('console Users and Audit log', () => {
  it('adds a user: a refused password and a taken email first', async () => {
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('rowheader', { name: acme.emails.basic }).waitFor();
    expect(await page.getByRole('row').count()).toBe(4);

    const add = page.getByRole('button', { name: 'Add user' });
    await add.click();
    const dialog = page.getByRole('dialog', { name: 'Add user' });
    await poll(() => focused()).toBe('');
    await dialog.getByLabel('Email').fill(NEW_EMAIL);
    await dialog.getByLabel('Initial password').fill(SHORT_PASSWORD);
    await dialog.getByLabel('Role').selectOption('advanced');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    const password = dialog.getByLabel('Initial password');
    await poll(() => password.getAttribute('aria-invalid')).toBe('true');
    await expect(dialog.locator('.field-error:visible').textContent()).resolves.toMatch(/at least 8 characters/);
    await poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('password');

    await dialog.getByLabel('Email').fill(acme.emails.advanced);
    await password.fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await poll(() => dialog.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    await expect(dialog.locator('.field-error:visible').textContent()).resolves.toMatch(/already exists/);
    expect(await password.getAttribute('aria-invalid')).toBeNull();

    await dialog.getByLabel('Email').fill(NEW_EMAIL);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('rowheader', { name: NEW_EMAIL }).waitFor();
    await expect(page.getByRole('status').filter({ hasText: 'Added' }).textContent()).resolves.toBe(`Added ${NEW_EMAIL} as Advanced.`);
    expect(await focused()).toBe('Add user');
    expect(await apiUsers()).toContainEqual(expect.objectContaining({ email: NEW_EMAIL, role: 'advanced' }));
    await signIn(server, NEW_EMAIL, NEW_PASSWORD);
  });

  it("changes a role, and shows the API's refusal to demote the last Administrator", async () => {
    await page.getByLabel(`Role of ${NEW_EMAIL}`, { exact: true }).selectOption('basic');
    await page.getByRole('button', { name: `Save role of ${NEW_EMAIL}` }).click();
    await page.getByRole('status').filter({ hasText: `${NEW_EMAIL} is now Basic.` }).waitFor();
    await poll(() => focused()).toBe(`Save role of ${NEW_EMAIL}`);
    expect(await apiUsers()).toContainEqual(expect.objectContaining({ email: NEW_EMAIL, role: 'basic' }));

    const me = acme.emails.administrator;
    await page.getByLabel(`Role of ${me}`, { exact: true }).selectOption('basic');
    await page.getByRole('button', { name: `Save role of ${me}` }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: me }) });
    await row.getByRole('alert').filter({ hasText: LAST_ADMIN }).waitFor();
    expect(await page.getByLabel(`Role of ${me}`, { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel(`Role of ${me}`, { exact: true }).inputValue()).toBe('administrator');
    expect(await apiUsers()).toContainEqual(expect.objectContaining({ email: me, role: 'administrator' }));
    await screenshot(page, 'users');
  });

  it('removes a user after the confirmation; Escape cancels it, and the last Administrator stays', async () => {
    const me = acme.emails.administrator;
    await page.getByRole('button', { name: `Remove ${me}` }).click();
    const self = page.getByRole('dialog', { name: `Remove ${me}?` });
    await self.getByRole('button', { name: 'Remove user' }).click();
    await self.getByRole('alert').filter({ hasText: LAST_ADMIN }).waitFor();
    await page.keyboard.press('Escape');
    await poll(() => page.getByRole('dialog').count()).toBe(0);

    await page.getByRole('button', { name: `Remove ${NEW_EMAIL}` }).click();
    const confirm = page.getByRole('dialog', { name: `Remove ${NEW_EMAIL}?` });
    await confirm.waitFor();
    expect(await focused()).toBe('Cancel');
    await page.keyboard.press('Escape');
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await focused()).toBe(`Remove ${NEW_EMAIL}`);

    await page.getByRole('button', { name: `Remove ${NEW_EMAIL}` }).click();
    await confirm.getByRole('button', { name: 'Remove user' }).click();
    await poll(() => page.getByRole('rowheader', { name: NEW_EMAIL }).count()).toBe(0);
    await page.getByRole('status').filter({ hasText: `Removed ${NEW_EMAIL}.` }).waitFor();
    await poll(() => focused()).toBe('People in this account');
    expect((await apiUsers()).map((u) => u.email)).not.toContain(NEW_EMAIL);
  });

  it('lists those events and a credential in the Audit log, newest first, with Load more', async () => {
    const res = await fetch(`${server.url}/api/projects/${acme.projects[0].projectId}/credentials`, {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ kind: 'basic', label: 'Audit probe' }),
    });
    const created = (await res.json()) as { apiKey?: string; apiSecret?: string };
    expect(res.status).toBe(201);
    recordSecret(created.apiSecret, created.apiKey);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    const rows = page.locator('table.audit tbody tr');
    await rows.first().waitFor();
    const first = await rows.first().locator('td').allTextContents();
    // (the credential cell ends with a link to the key's usage: web/src/usage/links.ts)
    expect(first.slice(0, 3)).toEqual([acme.emails.administrator, 'Created a key', 'REST Basic: Audit probe Usage of REST Basic: Audit probe']);
    const actions = await page.locator('table.audit tbody td[data-label="Action"]').allTextContents();
    for (const action of [`Added user ${NEW_EMAIL} as Advanced`, `Changed the role of ${NEW_EMAIL} to Basic`, `Removed user ${NEW_EMAIL}`, 'Signed in']) {
      expect(actions).toContain(action);
    }
    expect(actions.indexOf(`Removed user ${NEW_EMAIL}`)).toBeLessThan(actions.indexOf(`Added user ${NEW_EMAIL} as Advanced`));
    const total = await rows.count();
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).toBe(false);
    await screenshot(page, 'audit-log');

    // Three events a page: Load more until every event is listed, each page once.
    await page.goto('/console/audit-log?pageSize=3');
    await poll(() => rows.count()).toBe(3);
    const more = page.getByRole('button', { name: 'Load more' });
    for (let pages = 1; await more.isVisible(); pages++) {
      expect(pages).toBeLessThan(20);
      await more.click();
      await poll(() => rows.count()).toBe(Math.min(3 * (pages + 1), total));
      expect(await page.evaluate(() => document.activeElement?.closest('tr')?.rowIndex)).toBe(3 * pages + 1);
    }
    expect(await rows.count()).toBe(total);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-id')));
    expect(new Set(ids).size).toBe(total);
  });

  it('fits both pages on a phone-width screen', async () => {
    const phone = (await tab(PHONE)).page;
    await signInAs(phone, acme.emails.administrator, acme.password);
    await phone.goto('/console/users');
    await phone.getByLabel(`Role of ${acme.emails.basic}`, { exact: true }).waitFor();
    await poll(() => phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await phone.goto('/console/audit-log');
    await phone.locator('table.audit tbody tr').first().waitFor();
    await poll(() => phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('shows a Basic user neither page in the navigation, and why when they open one', async () => {
    const basic = (await tab()).page;
    await signInAs(basic, acme.emails.basic, acme.password);
    const nav = basic.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'API Settings' }).waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Access keys', 'API Settings', 'APIs']);
    for (const [path, text] of [['users', 'add users, change their roles or remove them'], ['audit-log', 'read the audit log']]) {
      await basic.goto(`/console/${path}`);
      await basic.getByText(`Only account Administrators can ${text}. Your role is Basic`, { exact: false }).waitFor();
      expect(await basic.getByRole('table').count()).toBe(0);
      expect(await basic.getByRole('button', { name: 'Add user' }).count()).toBe(0);
    }
    // What each role may do is written out for everyone, Advanced and Basic alike.
    await basic.goto('/console/users');
    const roles = basic.getByRole('region', { name: 'What each role may do' });
    await roles.waitFor();
    for (const role of ['Administrator', 'Advanced', 'Basic']) await roles.getByRole('term').filter({ hasText: role }).waitFor();
    await expect(roles.getByRole('definition').nth(1).textContent()).resolves.toMatch(/Today the same as Basic/);
  });
});
