// Issue 13 in the console, in Chromium: an Administrator creates an API with scopes on the
// APIs page, creates a key whose Access (the create dialog's default: tokens for that API, no
// management, with the reason shown) grants one scope, sees the grant in the key's row,
// changes it in the Access dialog; the token endpoint follows each step. A Basic user sees
// the APIs but cannot create one.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordToken, startTestServer, type TestServer } from '../helpers/server.js';
import { browserTabs, screenshot, signInAs } from './browser.js';
import { seedAccount, type E2eAccount } from './fixtures.js';
import { basicHeader, postToken, raw } from '../helpers/token-requests.js';
import { recordSecret } from '../helpers/server.js';

const ORDERS = 'https://orders.console.test';
let server: TestServer;
let acme: E2eAccount;
const tab = browserTabs(() => server.url);

beforeAll(async () => {
  server = await startTestServer();
  acme = await seedAccount(server, { name: 'Acme APIs', domain: 'apis.example', verified: true, projects: ['Production'] });
}, 60_000);
afterAll(() => server?.close());

const token = (id: string, secret: string, scope?: string) =>
  postToken(server.url, { basic: [id, secret], body: { grant_type: 'client_credentials', ...(scope ? { scope } : {}) } });

describe('APIs and grants in the console', () => {
  it('creates an API, a key granted one of its scopes, shows the grant and changes it', async () => {
    const { page } = await tab();
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.getByRole('link', { name: 'APIs', exact: true }).click();
    await page.getByRole('heading', { name: 'APIs', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create API' }).click();
    const create = page.getByRole('dialog', { name: 'Create API' });
    await create.getByLabel('Identifier').fill(ORDERS);
    await create.getByLabel('Name').fill('Orders');
    await create.getByLabel('Scopes').fill('orders:read Read orders\norders:write Change orders');
    await create.getByRole('button', { name: 'Create API' }).click();
    const card = page.getByRole('region', { name: 'Orders' });
    await card.waitFor();
    expect(await card.locator('ul.scopes li').allTextContents()).toEqual(['orders:read Read orders', 'orders:write Change orders']);
    // Edit: a third scope.
    await card.getByRole('button', { name: 'Edit Orders' }).click();
    const editing = page.getByRole('dialog', { name: 'Edit Orders' });
    expect(await editing.getByLabel('Scopes').inputValue()).toBe('orders:read Read orders\norders:write Change orders');
    await editing.getByLabel('Scopes').fill('orders:read Read orders\norders:write Change orders\norders:export Export orders');
    // A token lifetime the API refuses, said under the field; then a good one.
    await editing.getByLabel('Token lifetime (seconds)').fill('30');
    await editing.getByRole('button', { name: 'Save API' }).click();
    await editing.locator('.field-error', { hasText: 'tokenTtlSeconds must be at least 60' }).waitFor();
    await editing.getByLabel('Token lifetime (seconds)').fill('600');
    await editing.getByRole('button', { name: 'Save API' }).click();
    await page.getByRole('region', { name: 'Orders' }).locator('ul.scopes li', { hasText: 'orders:export' }).waitFor();
    await page.getByRole('region', { name: 'Orders' }).getByText('Tokens last 600 s.').waitFor();
    await screenshot(page, 'apis');

    // A key: the dialog starts at least privilege, tokens for Orders, no management, and says why.
    await page.goto('/console/api-settings');
    await page.getByRole('region', { name: 'Basic Authentication' }).getByRole('button', { name: 'Create new key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create new key' });
    await dialog.getByLabel('Label').fill('Order reader');
    expect(await dialog.getByLabel(/^Least privilege/).isChecked()).toBe(true);
    expect(await dialog.getByLabel('Tokens for Orders').isChecked()).toBe(true);
    expect(await dialog.getByLabel(/^Manage this project's keys/).isChecked()).toBe(false);
    await dialog.getByText('A key that may manage keys can create more keys').waitFor();
    await dialog.getByLabel('orders:read: Read orders').check();
    await screenshot(page, 'create-key-access', { fullPage: false });
    await dialog.getByRole('button', { name: 'Create Key' }).click();
    const done = page.getByRole('dialog', { name: 'Your API credentials have been created' });
    await done.waitFor();
    const key = { id: await done.getByLabel('API key', { exact: true }).inputValue(), secret: await done.getByLabel('API secret', { exact: true }).inputValue() };
    recordSecret(key.secret, key.id);
    await done.getByRole('button', { name: 'Ok' }).click();

    // The token endpoint gives exactly the grant; the key cannot manage keys.
    const issued = await token(key.id, key.secret);
    expect(issued.status, issued.text).toBe(200);
    recordToken(issued.json!.access_token as string);
    const claims = decodeJwt(issued.json!.access_token as string);
    expect(claims).toMatchObject({ aud: ORDERS, scope: 'orders:read', account_id: acme.accountId });
    expect(claims.exp! - claims.iat!).toBe(600); // the API's lifetime, set in its dialog
    expect((await token(key.id, key.secret, 'orders:write')).status).toBe(400);
    expect((await raw(`${server.url}/v1/projects/${acme.projects[0].projectId}/accessKeys`, { headers: { authorization: basicHeader(key.id, key.secret) } })).status).toBe(403);

    // The row shows the grant; the Access dialog changes it.
    const row = page.locator('tr', { hasText: 'Order reader' });
    await row.locator('.access-cell', { hasText: `${ORDERS} (orders:read)` }).waitFor();
    await row.getByRole('button', { name: 'Change access of Order reader' }).click();
    const access = page.getByRole('dialog', { name: 'Access of Order reader' });
    await access.getByLabel('orders:write: Change orders').check();
    await screenshot(page, 'key-access', { fullPage: false });
    await access.getByRole('button', { name: 'Save access' }).click();
    await row.locator('.access-cell', { hasText: `${ORDERS} (orders:read orders:write)` }).waitFor();
    const wider = await token(key.id, key.secret, 'orders:write');
    expect(wider.status, wider.text).toBe(200);
    recordToken(wider.json!.access_token as string);
  });

  it('a Basic user sees the APIs but no Create API', async () => {
    const { page } = await tab();
    await signInAs(page, acme.emails.basic, acme.password);
    await page.goto('/console/apis');
    await page.getByRole('region', { name: 'Orders' }).waitFor();
    expect(await page.getByRole('button', { name: 'Create API' }).count()).toBe(0);
  });
});
