// Steps the console tests share: create a key through the dialogs, and check what the API
// says afterwards (a token for the key, the credentials listed, an HMAC-signed call).
import type { Locator, Page } from 'playwright-core';
import { signHmacRequest } from '../../src/auth/hmac-signature.js';
import { recordSecret, recordToken, type TestServer } from '../helpers/server.js';
import { signIn, type SignedIn } from '../helpers/session.js';
import type { E2eAccount } from './fixtures.js';

export interface MadeKey {
  apiKey: string;
  apiSecret: string;
}

/** Create new key in a section, with a label; leaves the confirmation open. */
export async function createKeyInConsole(page: Page, sectionName: string, label: string): Promise<MadeKey> {
  await page.getByRole('region', { name: sectionName }).getByRole('button', { name: 'Create new key' }).click();
  const create = page.getByRole('dialog', { name: 'Create new key' });
  await create.getByLabel('Label').fill(label);
  await create.getByRole('button', { name: 'Create Key' }).click();
  const done = page.getByRole('dialog', { name: 'Your API credentials have been created' });
  await done.waitFor();
  const made = { apiKey: await done.getByLabel('API key', { exact: true }).inputValue(), apiSecret: await done.getByLabel('API secret', { exact: true }).inputValue() };
  recordSecret(made.apiSecret, made.apiKey);
  return made;
}

/** The status of POST /oauth2/token with Basic credentials (and the token recorded). */
export async function tokenStatus(server: TestServer, id: string, secret: string): Promise<number> {
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: server.basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string };
  recordToken(body.access_token);
  return res.status;
}

const sessions = new WeakMap<E2eAccount, SignedIn>();

/** The project's credentials as the console API lists them to the account's Administrator. */
export async function apiCredentials(server: TestServer, account: E2eAccount, projectId: string, kind: string): Promise<Array<{ credentialId: string; label: string | null; kind: string }>> {
  let session = sessions.get(account);
  if (!session) sessions.set(account, (session = await signIn(server, account.emails.administrator, account.password)));
  const res = await fetch(`${server.url}/api/projects/${projectId}/credentials?kind=${kind}`, { headers: session.headers() });
  const body = (await res.json()) as { credentials: Array<{ credentialId: string; label: string | null; kind: string }> };
  if (res.status !== 200) throw new Error(`listing credentials answered ${res.status}: ${JSON.stringify(body)}`);
  return body.credentials;
}

/** A GET of the console API signed with an HMAC key. */
export async function hmacCall(server: TestServer, key: MadeKey, path: string): Promise<{ status: number; body: any }> {
  const headers = signHmacRequest({ username: key.apiKey, secret: key.apiSecret, algorithm: 'hmac-sha256', method: 'GET', path, date: new Date() });
  const res = await fetch(`${server.url}${path}`, { headers });
  return { status: res.status, body: await res.json() };
}

/** Whether a text field shows its whole value: nothing scrolled out of sight. */
export const showsWholeValue = (field: Locator): Promise<boolean> =>
  field.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().width > 0);
