// The console in headless Chromium, as an Administrator of a verified account: sign in,
// create a key of each kind and use it, copy, show, edit a label, change a legacy password
// (a rejected one first), delete selected with the confirmation, sign out.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordSecret, startTestServer, type TestServer } from '../helpers/server.js';
import { openTab, launch, screenshot, signInAs, type Tab } from './browser.js';
import { poll } from './poll.js';
import { seedAccount, type E2eAccount } from './fixtures.js';
import { apiCredentials, createKeyInConsole, hmacCall, showsWholeValue, tokenStatus } from './steps.js';

let server: TestServer;
let browser: Browser;
let tab: Tab;
let page: Page;
let acme: E2eAccount;
const made: Record<string, { apiKey: string; apiSecret: string }> = {};

beforeAll(async () => {
  server = await startTestServer();
  acme = await seedAccount(server, { name: 'Acme Robotics', domain: 'acme.example', verified: true, projects: ['Production', 'Staging'] });
  browser = await launch();
  tab = await openTab(browser, server.url);
  page = tab.page;
});

afterEach(() => {
  expect(tab.problems).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const production = () => acme.projects[0];
const section = (name: string) => page.getByRole('region', { name });

describe('console as an Administrator', () => {
  it('refuses a wrong password, then signs in to the Access keys page', async () => {
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/console/');
    await page.getByLabel('Email').fill(acme.emails.administrator);
    await page.getByLabel('Password').fill('Not-the-password-0');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The email or password is wrong.' }).waitFor();
    await screenshot(page, 'sign-in');

    await signInAs(page, acme.emails.administrator, acme.password, { goto: false });
    for (const project of acme.projects) {
      const card = page.getByRole('region', { name: project.name });
      await poll(() => card.getByRole('textbox', { name: 'Project ID' }).inputValue()).toBe(project.projectId);
    }
    await poll(() => page.getByText('No keys in this project yet.').count()).toBe(2);
  });

  it('creates a Basic key: the secret is shown once, copies, and gets a token', async () => {
    await page.getByRole('link', { name: 'API Settings', exact: true }).click();
    // The first project's settings: /console/api-settings becomes its address.
    await page.waitForURL(`**/console/projects/${production().projectId}/api-settings`);
    await page.getByRole('heading', { level: 1, name: 'API Settings' }).waitFor();

    const created = await createKeyInConsole(page, 'Basic Authentication', 'Billing service');
    made.basic = created;
    await expect(page.getByRole('dialog').getByText('This is the only time', { exact: false }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'create-key-confirmation', { fullPage: false });

    await page.getByRole('button', { name: 'Copy API secret' }).click();
    await poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(created.apiSecret);
    await poll(() => page.getByRole('dialog').locator('.live').textContent()).toBe('Copied API secret');
    await page.getByRole('button', { name: 'Ok', exact: true }).click();
    await expect(page.getByRole('dialog').count()).resolves.toBe(0);
    await section('Basic Authentication').getByRole('rowheader', { name: 'Billing service' }).waitFor();

    expect(await tokenStatus(server, created.apiKey, created.apiSecret)).toBe(200);
  });

  it('creates an HMAC key that signs requests', async () => {
    made.hmac = await createKeyInConsole(page, 'HMAC Authentication', 'Webhook signer');
    await page.getByRole('button', { name: 'Ok', exact: true }).click();
    await section('HMAC Authentication').getByRole('rowheader', { name: 'Webhook signer' }).waitFor();
    const listed = await hmacCall(server, made.hmac, `/api/projects/${production().projectId}/credentials?kind=hmac`);
    expect(listed.status).toBe(200);
    expect(listed.body.credentials.map((c: { label: string }) => c.label)).toEqual(['Webhook signer']);
  });

  it('shows and copies an API key', async () => {
    const basic = section('Basic Authentication');
    await basic.getByRole('button', { name: 'Show API key of Billing service' }).click();
    await poll(() => basic.getByRole('textbox', { name: 'API key of Billing service' }).inputValue()).toBe(made.basic.apiKey);
    // The whole key is readable in its cell, not cut off.
    expect(await showsWholeValue(basic.getByRole('textbox', { name: 'API key of Billing service' }))).toBe(true);
    await basic.getByRole('button', { name: 'Copy API key of Billing service' }).click();
    await poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(made.basic.apiKey);
    await poll(() => page.locator('#live').textContent()).toBe('Copied API key of Billing service');
    await basic.getByRole('button', { name: 'Hide API key of Billing service' }).click();
    await expect(basic.getByRole('textbox', { name: 'API key of Billing service' }).count()).resolves.toBe(0);
  });

  it('edits a label', async () => {
    await section('HMAC Authentication').getByRole('button', { name: 'Edit label of Webhook signer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit label' });
    await dialog.getByLabel('Label').fill('Webhook signer (prod)');
    await dialog.getByRole('button', { name: 'Save label' }).click();
    await section('HMAC Authentication').getByRole('rowheader', { name: 'Webhook signer (prod)' }).waitFor();
    await expect(section('HMAC Authentication').getByRole('status').textContent()).resolves.toContain('Label saved');
    // Focus comes back to the redrawn row's Edit button.
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Edit label of Webhook signer (prod)');
    const [hmac] = await apiCredentials(server, acme, production().projectId, 'hmac');
    expect(hmac.label).toBe('Webhook signer (prod)');
  });

  it('creates Legacy credentials and changes the password, a rejected one first', async () => {
    const username = 'acme.legacy-sms';
    const first = 'FirstLegacyPassword2024abc';
    const second = 'SecondLegacyPassword2025xyz';
    recordSecret(first);
    recordSecret(second);
    const legacy = section('Legacy API credentials');
    await legacy.getByRole('button', { name: 'Create new key' }).click();
    const create = page.getByRole('dialog', { name: 'Create new key' });
    await create.getByLabel('Username').fill(username);
    await create.getByLabel('Password').fill(first);
    await create.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('dialog', { name: 'Legacy API credentials created' }).getByRole('button', { name: 'Ok', exact: true }).click();
    await legacy.getByRole('rowheader', { name: username }).waitFor();
    expect(await tokenStatus(server, username, first)).toBe(200);

    await legacy.getByRole('button', { name: `Edit password of ${username}` }).click();
    const edit = page.getByRole('dialog', { name: 'Edit password' });
    await edit.getByLabel('New password').fill('short');
    await edit.getByRole('button', { name: 'Edit password' }).click();
    const field = edit.getByLabel('New password');
    await poll(() => field.getAttribute('aria-invalid')).toBe('true');
    await expect(edit.locator('.field-error').textContent()).resolves.toMatch(/6 to 50 alphanumeric/);
    await screenshot(page, 'legacy-password-rejected', { fullPage: false });

    await field.fill(second);
    await edit.getByRole('button', { name: 'Edit password' }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await expect(legacy.getByRole('status').textContent()).resolves.toBe(`Password changed for ${username}.`);
    expect(await tokenStatus(server, username, second)).toBe(200);
    expect(await tokenStatus(server, username, first)).toBe(401);
  });

  it('deletes selected keys after the confirmation; Escape cancels it', async () => {
    made.second = await createKeyInConsole(page, 'Basic Authentication', 'Old integration');
    await page.getByRole('button', { name: 'Ok', exact: true }).click();
    const basic = section('Basic Authentication');
    await basic.getByRole('checkbox', { name: 'Select Billing service' }).check();
    await basic.getByRole('checkbox', { name: 'Select Old integration' }).check();
    await basic.getByRole('button', { name: 'Show API key of Old integration' }).click();
    expect(await showsWholeValue(basic.getByRole('textbox', { name: 'API key of Old integration' }))).toBe(true);
    await screenshot(page, 'api-settings');
    await basic.getByRole('button', { name: 'Delete selected (2)' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete these 2 keys?' });
    await confirm.waitFor();
    await screenshot(page, 'delete-confirmation', { fullPage: false });
    await page.keyboard.press('Escape');
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete selected (2)');
    expect(await apiCredentials(server, acme, production().projectId, 'basic')).toHaveLength(2);

    await basic.getByRole('button', { name: 'Delete selected (2)' }).click();
    await confirm.getByRole('button', { name: 'Delete keys' }).click();
    await poll(() => basic.getByText('No Basic Authentication keys in this project yet.', { exact: false }).count()).toBe(1);
    expect(await apiCredentials(server, acme, production().projectId, 'basic')).toHaveLength(0);
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Basic Authentication');
    expect(await tokenStatus(server, made.basic.apiKey, made.basic.apiSecret)).toBe(401);
  });

  it('lists the projects and their keys on the Access keys page, and signs out', async () => {
    await page.getByRole('link', { name: 'Access keys' }).click();
    const card = page.getByRole('region', { name: 'Production' });
    await card.getByRole('rowheader', { name: 'Webhook signer (prod)' }).waitFor();
    await card.getByRole('rowheader', { name: 'acme.legacy-sms' }).waitFor();
    await screenshot(page, 'access-keys');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
