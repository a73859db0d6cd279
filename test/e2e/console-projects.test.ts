// Projects and key expiry in the console, in Chromium: an Administrator creates a project
// (a taken name refused first), renames it, creates a key in it with an expiry that its
// rows then show, and deletes the project: the dialog names the key that goes with it,
// and the key stops working at once. Others see no project buttons. At phone width too.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { browserTabs, PHONE, screenshot, signInAs } from './browser.js';
import { seedAccount, type E2eAccount } from './fixtures.js';
import { poll } from './poll.js';
import { apiCredentials, createKeyInConsole, tokenStatus, type MadeKey } from './steps.js';

let server: TestServer;
let acme: E2eAccount;
let page: Page;
let made: MadeKey;
let stagingId = '';

const tab = browserTabs(() => server.url);

const projectNames = async () => {
  const { signIn } = await import('../helpers/session.js');
  const admin = await signIn(server, acme.emails.administrator, acme.password);
  const res = await fetch(`${server.url}/api/projects`, { headers: admin.headers() });
  return ((await res.json()) as { projects: Array<{ projectId: string; name: string }> }).projects;
};

beforeAll(async () => {
  server = await startTestServer();
  acme = await seedAccount(server, { name: 'Acme Robotics', domain: 'acme.example', verified: true, projects: ['Production'] });
  page = (await tab()).page;
});

afterAll(() => server?.close());

describe('console projects', () => {
  it('creates a project, a taken name refused first', async () => {
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Project name').fill('Production');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await poll(() => dialog.getByLabel('Project name').getAttribute('aria-invalid')).toBe('true');
    await expect(dialog.locator('.field-error:visible').textContent()).resolves.toMatch(/already has a project named "Production"/);
    await dialog.getByLabel('Project name').fill('Staging');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('region', { name: 'Staging' }).waitFor();
    await page.getByRole('status').getByText('Created the project Staging.').waitFor();
    const projects = await projectNames();
    expect(projects.map((p) => p.name)).toEqual(['Production', 'Staging']);
    stagingId = projects[1].projectId;
    const region = page.getByRole('region', { name: 'Staging' });
    await expect(region.getByRole('textbox', { name: 'Project ID' }).inputValue()).resolves.toBe(stagingId);
  });

  it('renames it; the Project ID stays', async () => {
    await page.getByRole('button', { name: 'Rename Staging' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename project' });
    await dialog.getByLabel('Project name').fill('Pre-production');
    await dialog.getByRole('button', { name: 'Save name' }).click();
    const region = page.getByRole('region', { name: 'Pre-production' });
    await region.waitFor();
    await expect(region.getByRole('textbox', { name: 'Project ID' }).inputValue()).resolves.toBe(stagingId);
    expect((await projectNames()).map((p) => p.name)).toEqual(['Production', 'Pre-production']);
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Rename Pre-production');
    await screenshot(page, 'projects');
  });

  it('creates a key with an expiry: refused in the past, then shown in its rows', async () => {
    await page.getByRole('link', { name: 'API Settings for Pre-production' }).click();
    const basic = page.getByRole('region', { name: 'Basic Authentication' });
    await basic.getByRole('button', { name: 'Create new key' }).click();
    const create = page.getByRole('dialog', { name: 'Create new key' });
    await create.getByLabel('Label').fill('Nightly export');
    const expires = create.getByLabel('Expires (optional)');
    await expires.fill('2001-01-01T09:00');
    await create.getByRole('button', { name: 'Create Key' }).click();
    await poll(() => expires.getAttribute('aria-invalid')).toBe('true');
    await expect(create.locator('.field-error:visible').textContent()).resolves.toMatch(/must be in the future/);
    await expires.fill('2030-06-30T12:00');
    await screenshot(page, 'key-expiry', { fullPage: false });
    await create.getByRole('button', { name: 'Create Key' }).click();
    const done = page.getByRole('dialog', { name: 'Your API credentials have been created' });
    await done.waitFor();
    made = { apiKey: await done.getByLabel('API key', { exact: true }).inputValue(), apiSecret: await done.getByLabel('API secret', { exact: true }).inputValue() };
    (await import('../helpers/server.js')).recordSecret(made.apiSecret, made.apiKey);
    await done.getByRole('button', { name: 'Ok' }).click();

    // The browser's time zone decides the instant; the API holds it in UTC.
    const expected = await page.evaluate(() => new Date('2030-06-30T12:00').toISOString());
    const [key] = await apiCredentials(server, acme, stagingId, 'basic');
    expect(key).toMatchObject({ label: 'Nightly export', expireTime: expected });
    const row = basic.getByRole('row', { name: /Nightly export/ });
    await expect(row.locator('td[data-label="Expires"]').textContent()).resolves.toMatch(/2030/);
    expect(await tokenStatus(server, made.apiKey, made.apiSecret)).toBe(200);

    // Changed later from its row: the dialog starts at the current time.
    await row.getByRole('button', { name: 'Change expiry of Nightly export' }).click();
    const change = page.getByRole('dialog', { name: 'Change expiry' });
    await expect(change.getByLabel('Expires').inputValue()).resolves.toBe('2030-06-30T12:00');
    await change.getByLabel('Expires').fill('2031-03-01T08:30');
    await change.getByRole('button', { name: 'Save expiry' }).click();
    await basic.getByRole('status').getByText('Nightly export now expires', { exact: false }).waitFor();
    await expect(row.locator('td[data-label="Expires"]').textContent()).resolves.toMatch(/2031/);
    const later = await page.evaluate(() => new Date('2031-03-01T08:30').toISOString());
    expect((await apiCredentials(server, acme, stagingId, 'basic'))[0]).toMatchObject({ expireTime: later });
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Change expiry of Nightly export');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access keys' }).click();
    const listed = page.getByRole('region', { name: 'Pre-production' }).getByRole('row', { name: /Nightly export/ });
    await expect(listed.locator('td[data-label="Expires"]').textContent()).resolves.toMatch(/2031/);
    // A key without expiry says so.
    await createKeyInConsoleElsewhere();
  });

  it('deletes the project: the dialog names its key, which is deleted with it and stops working', async () => {
    await page.getByRole('button', { name: 'Delete Pre-production' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the project Pre-production?' });
    await dialog.getByText('It has 1 API credential, deleted with it', { exact: false }).waitFor();
    await dialog.getByRole('listitem').filter({ hasText: 'Nightly export (REST Basic)' }).waitFor();
    // Focus starts on Cancel: Enter does not delete.
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await screenshot(page, 'delete-project', { fullPage: false });
    await dialog.getByRole('button', { name: 'Delete project and 1 credential' }).click();
    await page.getByRole('status').getByText('Deleted the project Pre-production and its 1 credential.').waitFor();
    expect(await page.getByRole('region', { name: 'Pre-production' }).count()).toBe(0);
    expect((await projectNames()).map((p) => p.name)).toEqual(['Production']);
    expect(await tokenStatus(server, made.apiKey, made.apiSecret)).toBe(401);
  });

  it('deletes an empty project with a plain confirmation', async () => {
    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Project name').fill('Scratch');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('button', { name: 'Delete Scratch' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete the project Scratch?' });
    await confirm.getByText('It has no API credentials.', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Delete project' }).click();
    await page.getByRole('status').getByText('Deleted the project Scratch.').waitFor();
    expect((await projectNames()).map((p) => p.name)).toEqual(['Production']);
  });

  it('lists these changes in the Audit log in plain words', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.locator('table.audit').waitFor();
    const actions = await page.locator('table.audit tbody td[data-label="Action"]').allTextContents();
    for (const action of [
      'Created the project Staging',
      'Renamed the project Staging to Pre-production',
      'Deleted a key with its project',
      'Deleted the project Pre-production and its 1 key',
      'Deleted the project Scratch',
    ]) expect(actions).toContain(action);
    expect(actions.some((a) => a.startsWith('Set a key to expire'))).toBe(true);
    expect(actions.some((a) => a.startsWith('Created a key expiring'))).toBe(true);
  });

  it('shows a Basic user no project buttons', async () => {
    const { page: basic } = await tab();
    await signInAs(basic, acme.emails.basic, acme.password);
    await basic.getByRole('region', { name: 'Production' }).waitFor();
    for (const name of ['New project', 'Rename Production', 'Delete Production']) expect(await basic.getByRole('button', { name }).count()).toBe(0);
  });

  it('fits a phone-width screen', async () => {
    const { page: phone } = await tab(PHONE);
    await signInAs(phone, acme.emails.administrator, acme.password);
    await phone.getByRole('button', { name: 'Delete Production' }).waitFor();
    await poll(() => phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await phone.getByRole('button', { name: 'New project' }).click();
    await phone.getByRole('dialog', { name: 'New project' }).getByLabel('Project name').waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await phone.keyboard.press('Escape');
    await phone.getByRole('link', { name: 'API Settings for Production' }).click();
    await phone.getByRole('region', { name: 'Basic Authentication' }).getByRole('button', { name: 'Create new key' }).click();
    await phone.getByRole('dialog', { name: 'Create new key' }).getByLabel('Expires (optional)').waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });
});

/** A key made without an expiry in Production reads "Never" in its row. */
async function createKeyInConsoleElsewhere(): Promise<void> {
  await page.getByRole('link', { name: 'API Settings for Production' }).click();
  const key = await createKeyInConsole(page, 'Basic Authentication', 'Forever key');
  expect(key.apiSecret).not.toBe('');
  await page.getByRole('dialog', { name: 'Your API credentials have been created' }).getByRole('button', { name: 'Ok' }).click();
  const row = page.getByRole('region', { name: 'Basic Authentication' }).getByRole('row', { name: /Forever key/ });
  await expect(row.locator('td[data-label="Expires"]').textContent()).resolves.toBe('Never');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access keys' }).click();
  await page.getByRole('region', { name: 'Pre-production' }).waitFor();
}
