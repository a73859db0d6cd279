// The console for people who cannot change credentials: a Basic user sees the lists with
// the seed's explanation and no way to change them; an Administrator of an account that
// is not verified sees why keys cannot be created and requests verification; and the
// pages at phone width.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSecret, startTestServer, type TestServer } from '../helpers/server.js';
import { signIn } from '../helpers/session.js';
import { browserTabs, PHONE, screenshot, signInAs } from './browser.js';
import { seedAccount, type E2eAccount } from './fixtures.js';
import { poll } from './poll.js';
import { showsWholeValue } from './steps.js';

let server: TestServer;
let acme: E2eAccount;
let newco: E2eAccount;

const tab = browserTabs(() => server.url);

beforeAll(async () => {
  server = await startTestServer();
  acme = await seedAccount(server, { name: 'Acme Robotics', domain: 'acme.example', verified: true, projects: ['Production'] });
  newco = await seedAccount(server, { name: 'Newco', domain: 'newco.example', verified: false, projects: ['First project'] });
  // Keys made by the Administrator through the API, for the others to look at.
  const admin = await signIn(server, acme.emails.administrator, acme.password);
  const url = `${server.url}/api/projects/${acme.projects[0].projectId}/credentials`;
  for (const body of [
    { kind: 'basic', label: 'Billing service' },
    { kind: 'hmac', label: 'Webhook signer' },
    { kind: 'legacy', username: 'acme.legacy-sms', password: 'LegacyPassword2024abcdef' },
  ]) {
    recordSecret(body.password);
    const res = await fetch(url, { method: 'POST', headers: admin.headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
    const created = (await res.json()) as { apiKey?: string; apiSecret?: string };
    expect(res.status).toBe(201);
    recordSecret(created.apiSecret, created.apiKey);
  }
});

afterAll(() => server?.close());

describe('console views', () => {
  it("shows a Basic user the lists read-only, with the seed's explanation", async () => {
    const { page } = await tab();
    await signInAs(page, acme.emails.basic, acme.password);
    await page.getByRole('region', { name: 'Production' }).getByRole('rowheader', { name: 'Billing service' }).waitFor();
    await page.getByRole('link', { name: 'API Settings', exact: true }).click();
    await page.getByRole('region', { name: 'HMAC Authentication' }).getByRole('rowheader', { name: 'Webhook signer' }).waitFor();
    await page.getByText('Only account Administrators can create and manage API keys', { exact: false }).waitFor();
    await page.getByText('Your role is Basic; please contact your account administrator for assistance.', { exact: false }).waitFor();
    for (const name of ['Create new key', 'Delete selected', 'Edit', 'Show']) {
      expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    }
    expect(await page.getByRole('checkbox').count()).toBe(0);
    const legacy = page.getByRole('region', { name: 'Legacy API credentials' });
    await legacy.getByRole('rowheader', { name: 'Legacy credential (username hidden)' }).waitFor();
    await screenshot(page, 'read-only');
  });

  it('shows an Advanced user the same read-only view', async () => {
    const { page } = await tab();
    await signInAs(page, acme.emails.advanced, acme.password);
    await page.goto(`/console/projects/${acme.projects[0].projectId}/api-settings`);
    await page.getByText('Your role is Advanced', { exact: false }).waitFor();
    await page.getByRole('region', { name: 'Basic Authentication' }).getByRole('rowheader', { name: 'Billing service' }).waitFor();
    expect(await page.getByRole('button', { name: 'Create new key' }).count()).toBe(0);
  });

  it('returns to sign-in when the session has ended, and back to the page after signing in', async () => {
    const { page } = await tab();
    await signInAs(page, acme.emails.advanced, acme.password);
    await page.getByRole('link', { name: 'API Settings', exact: true }).click();
    await page.getByRole('region', { name: 'Basic Authentication' }).getByRole('rowheader', { name: 'Billing service' }).waitFor();
    // The session ends elsewhere (another tab signs out).
    const status = await page.evaluate(async () => {
      const { csrfToken } = await (await fetch('/api/session')).json();
      return (await fetch('/api/session', { method: 'DELETE', headers: { 'x-csrf-token': csrfToken } })).status;
    });
    expect(status).toBe(204);
    await page.getByRole('link', { name: 'Access keys' }).click();
    await page.getByText('Your session has ended. Sign in again to continue.').waitFor();
    await signInAs(page, acme.emails.advanced, acme.password, { goto: false });
    await page.getByRole('region', { name: 'Production' }).getByRole('rowheader', { name: 'Billing service' }).waitFor();
  });

  it('tells the Administrator of an unverified account why keys cannot be created, and requests verification', async () => {
    const { page } = await tab();
    await signInAs(page, newco.emails.administrator, newco.password);
    await page.getByRole('link', { name: 'API Settings', exact: true }).click();
    await page.getByText('API credentials can only be created on verified accounts.', { exact: false }).waitFor();
    const creates = page.getByRole('button', { name: 'Create new key' });
    expect(await creates.count()).toBe(3);
    for (const button of await creates.all()) expect(await button.isDisabled()).toBe(true);
    await screenshot(page, 'unverified');

    await page.getByRole('button', { name: 'Request verification' }).click();
    await page.getByText('Verification was requested', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Request verification' }).count()).toBe(0);
    const admin = await signIn(server, newco.emails.administrator, newco.password);
    const account = await (await fetch(`${server.url}/api/account`, { headers: admin.headers() })).json();
    expect(account).toMatchObject({ verified: false, verificationRequested: true });

    await page.reload();
    await page.getByText('Verification was requested', { exact: false }).waitFor();
  });

  it('fits a phone-width screen', async () => {
    const { page } = await tab(PHONE);
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.getByRole('link', { name: 'API Settings', exact: true }).click();
    const basic = page.getByRole('region', { name: 'Basic Authentication' });
    await basic.getByRole('rowheader', { name: 'Billing service' }).waitFor();
    await basic.getByRole('button', { name: 'Show API key of Billing service' }).click();
    expect(await showsWholeValue(basic.getByRole('textbox', { name: 'API key of Billing service' }))).toBe(true);
    expect(await showsWholeValue(page.getByRole('textbox', { name: 'Project ID' }))).toBe(true);
    // Nothing wider than the screen: no sideways scrolling.
    await poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'phone');
    await basic.getByRole('button', { name: 'Create new key' }).click();
    await page.getByRole('dialog', { name: 'Create new key' }).getByLabel('Label').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.keyboard.press('Escape');
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Create new key');
  });
});
