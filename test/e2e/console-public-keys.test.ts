// Issue 14 in the console: an Administrator adds a public key to a REST Basic key (a private
// key pasted by mistake is refused, the refusal under the field), and the key then gets a token
// with a private_key_jwt assertion signed with jose; removed (after a confirmation), the
// assertion is refused. Require DPoP in Token settings: a plain token request is refused, one
// with a DPoP proof gets a DPoP token. The row shows the key's methods all along; the dialog is
// read at phone width. Screenshots of the dialogs.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSecret, recordToken, startTestServer, type TestServer } from '../helpers/server.js';
import { browserTabs, PHONE, screenshot, signInAs } from './browser.js';
import { seedAccount, type E2eAccount } from './fixtures.js';
import { poll } from './poll.js';
import { createKeyInConsole, tokenStatus, type MadeKey } from './steps.js';

let server: TestServer;
let acme: E2eAccount;
let page: Page;
let signing: { privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK };
let key: MadeKey;
const tab = browserTabs(() => server.url);
const LABEL = 'Signing service';

beforeAll(async () => {
  server = await startTestServer();
  acme = await seedAccount(server, { name: 'Acme Robotics', domain: 'acme.example', verified: true, projects: ['Production'] });
  page = (await tab()).page;
  const pair = await generateKeyPair('ES256', { extractable: true });
  signing = { ...pair, jwk: await exportJWK(pair.publicKey) };
});
afterAll(() => server?.close());

/** POST /oauth2/token with a client assertion (private_key_jwt) signed by the service's private key. */
async function assertionStatus(kid = 'signing-2026', withDpop = false): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(key.apiKey)
    .setSubject(key.apiKey)
    .setAudience(`${server.config.issuer}/oauth2/token`)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(signing.privateKey);
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(withDpop ? { dpop: await proof() } : {}) },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
  });
  recordToken(((await res.json()) as { access_token?: string }).access_token);
  return res.status;
}

/** A DPoP proof of the service's key for the token endpoint. */
const proof = () =>
  new SignJWT({ jti: randomUUID(), htm: 'POST', htu: `${server.config.issuer}/oauth2/token`, iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: signing.jwk })
    .sign(signing.privateKey);

/** POST /oauth2/token with the secret and a DPoP proof of the service's key. */
async function dpopToken(): Promise<{ status: number; tokenType?: string }> {
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: server.basic(key.apiKey, key.apiSecret), 'content-type': 'application/x-www-form-urlencoded', dpop: await proof() },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string; token_type?: string };
  recordToken(body.access_token);
  return { status: res.status, tokenType: body.token_type };
}

const row = () => page.locator('tr', { hasText: LABEL });
const methods = () => row().locator('td[data-label="Methods"]').innerText();

describe('console: public keys and Require DPoP', () => {
  it('adds a public key (a private one refused under the field); the key gets a token by private_key_jwt; removed, it is refused', async () => {
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.getByRole('link', { name: 'API Settings', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'API Settings' }).waitFor();
    key = await createKeyInConsole(page, 'Basic Authentication', LABEL);
    await page.getByRole('button', { name: 'Ok', exact: true }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await poll(methods).toBe('Secret');
    expect(await assertionStatus()).toBe(401);

    await page.getByRole('button', { name: `Public keys of ${LABEL}` }).click();
    const dialog = page.getByRole('dialog', { name: `Public keys of ${LABEL}` });
    await dialog.waitFor();
    const paste = dialog.getByLabel('Add a public key');
    await poll(() => paste.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect(dialog.getByText('No public keys yet.').isVisible()).resolves.toBe(true);

    // A private key pasted by mistake: refused, the server's words under the field, nothing kept.
    const privateJwk = await exportJWK(signing.privateKey);
    recordSecret(privateJwk.d); // never in a log line, though refused
    await paste.fill(JSON.stringify(privateJwk));
    await dialog.getByRole('button', { name: 'Add public key' }).click();
    const refusal = dialog.locator('.field-error').filter({ hasText: 'private key material' });
    await refusal.waitFor();
    expect(await paste.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await paste.getAttribute('aria-describedby'))!.split(' ');
    expect(describedBy).toContain(await refusal.getAttribute('id'));
    await screenshot(page, 'public-key-refused', { fullPage: false });
    await paste.fill('{"kty": "EC", "crv": ');
    await dialog.getByRole('button', { name: 'Add public key' }).click();
    await dialog.locator('.field-error').filter({ hasText: 'This is not JSON' }).waitFor();

    await paste.fill(JSON.stringify({ keys: [{ ...signing.jwk, kid: 'signing-2026' }] }, null, 2));
    await dialog.getByRole('button', { name: 'Add public key' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Added public key signing-2026.' }).waitFor();
    const item = dialog.getByRole('listitem').filter({ hasText: 'signing-2026' });
    await expect(item.innerText()).resolves.toMatch(/ES256[\s\S]*Thumbprint[\s\S]*Added/);
    expect(await paste.inputValue()).toBe('');
    expect(await paste.getAttribute('aria-invalid')).toBeNull();
    await screenshot(page, 'public-keys', { fullPage: false });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    // Focus is back on the button that opened the dialog.
    await poll(() => page.getByRole('button', { name: `Public keys of ${LABEL}` }).evaluate((el) => el === document.activeElement)).toBe(true);
    await poll(methods).toBe('Secret\n1 public key');

    // A real private_key_jwt token request; the secret keeps working beside it.
    await poll(assertionStatus).toBe(200);
    expect(await tokenStatus(server, key.apiKey, key.apiSecret)).toBe(200);

    await page.getByRole('button', { name: `Public keys of ${LABEL}` }).click();
    await dialog.getByRole('button', { name: 'Remove public key signing-2026' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove this public key?' });
    await confirm.waitFor();
    // A destructive confirmation starts on Cancel.
    expect(await confirm.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await confirm.getByRole('button', { name: 'Remove public key' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Removed public key signing-2026.' }).waitFor();
    await expect(dialog.getByText('No public keys yet.').isVisible()).resolves.toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await poll(methods).toBe('Secret');
    await poll(assertionStatus).toBe(401);
  });

  it('Require DPoP: a plain token request is refused, one with a DPoP proof gets a DPoP token', async () => {
    expect((await dpopToken()).status).toBe(200);
    await page.getByRole('button', { name: `Token settings of ${LABEL}` }).click();
    const dialog = page.getByRole('dialog', { name: `Token settings of ${LABEL}` });
    await dialog.waitFor();
    const dpop = dialog.getByLabel('Require DPoP');
    expect(await dpop.isChecked()).toBe(false);
    await poll(() => dpop.evaluate((el) => el === document.activeElement)).toBe(true);
    // A plain-http jwks_uri: the server's refusal under the field, nothing saved.
    await dpop.check();
    await dialog.getByLabel('jwks_uri').fill('http://svc.example/jwks.json');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.locator('.field-error').filter({ hasText: 'https' }).waitFor();
    await screenshot(page, 'token-settings', { fullPage: false });
    await poll(methods).toBe('Secret');
    await dialog.getByLabel('jwks_uri').fill('');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await poll(methods).toBe('Secret\nDPoP required');
    await screenshot(page, 'key-methods');

    await poll(() => tokenStatus(server, key.apiKey, key.apiSecret)).toBe(400);
    expect(await dpopToken()).toEqual({ status: 200, tokenType: 'DPoP' });
  });

  it('reads at phone width: the methods in the row, the dialog within the screen', async () => {
    const phone = (await tab(PHONE)).page;
    await signInAs(phone, acme.emails.administrator, acme.password);
    await phone.getByRole('link', { name: 'API Settings', exact: true }).click();
    const phoneRow = phone.locator('tr', { hasText: LABEL });
    await poll(() => phoneRow.locator('td[data-label="Methods"]').innerText()).toBe('Secret\nDPoP required');
    await phone.getByRole('button', { name: `Public keys of ${LABEL}` }).click();
    const dialog = phone.getByRole('dialog', { name: `Public keys of ${LABEL}` });
    await dialog.waitFor();
    await dialog.getByLabel('Add a public key').fill(JSON.stringify({ ...signing.jwk, kid: 'phone-key' }));
    await dialog.getByRole('button', { name: 'Add public key' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Added public key phone-key.' }).waitFor();
    const fits = await dialog.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= window.innerWidth);
    expect(fits).toBe(true);
    const thumbprint = dialog.locator('.thumbprint');
    expect(await thumbprint.evaluate((el) => el.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
    await screenshot(phone, 'public-keys-phone', { fullPage: false });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await poll(() => phoneRow.locator('td[data-label="Methods"]').innerText()).toBe('Secret\n1 public key\nDPoP required');
  });

  it('Remove secret: the key keeps its public key only; its secret is refused, its assertions still work', async () => {
    await page.reload();
    await page.getByRole('button', { name: `Remove secret of ${LABEL}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove the secret?' });
    await confirm.waitFor();
    expect(await confirm.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(page, 'remove-secret', { fullPage: false });
    await confirm.getByRole('button', { name: 'Remove secret' }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('status').filter({ hasText: `${LABEL} has no secret now` }).waitFor();
    await poll(methods).toBe('1 public key\nDPoP required');
    expect(await page.getByRole('button', { name: `Remove secret of ${LABEL}` }).count()).toBe(0);
    await poll(() => tokenStatus(server, key.apiKey, key.apiSecret)).toBe(401);
    expect(await assertionStatus('phone-key', true)).toBe(200);

    // Rotate secret gives it a secret again, shown once.
    await page.getByRole('button', { name: `Rotate secret of ${LABEL}` }).click();
    const give = page.getByRole('dialog', { name: 'Give the key a secret' });
    await give.getByRole('button', { name: 'Make a secret' }).click();
    const done = page.getByRole('dialog', { name: 'Your new API secret' });
    await done.waitFor();
    key = { ...key, apiSecret: await done.getByLabel('New API secret', { exact: true }).inputValue() };
    recordSecret(key.apiSecret);
    expect(await done.getByText('The previous secret').count()).toBe(0);
    await done.getByRole('button', { name: 'Ok', exact: true }).click();
    await poll(methods).toBe('Secret\n1 public key\nDPoP required');
    expect(await dpopToken()).toEqual({ status: 200, tokenType: 'DPoP' });
  });

  it('Create new key with "No secret: public keys only": the key gets tokens with its public key, and shows no secret', async () => {
    const section = page.getByRole('region', { name: 'Basic Authentication' });
    await section.getByRole('button', { name: 'Create new key' }).click();
    const create = page.getByRole('dialog', { name: 'Create new key' });
    await create.getByLabel('Label').fill('Secretless service');
    expect(await create.getByLabel('Public key', { exact: true }).isVisible()).toBe(false);
    await create.getByLabel('No secret: public keys only').check();
    const paste = create.getByLabel('Public key', { exact: true });
    await poll(() => paste.evaluate((el) => el === document.activeElement)).toBe(true);
    // A set whose key is private: the server's refusal under the field, no key made.
    const privateJwk = await exportJWK(signing.privateKey);
    recordSecret(privateJwk.d);
    await paste.fill(JSON.stringify({ keys: [privateJwk] }));
    await create.getByRole('button', { name: 'Create Key' }).click();
    await create.locator('.field-error').filter({ hasText: 'private key material' }).waitFor();
    await screenshot(page, 'create-key-secretless', { fullPage: false });
    await paste.fill(JSON.stringify({ ...signing.jwk, kid: 'secretless' }));
    await create.getByRole('button', { name: 'Create Key' }).click();
    const done = page.getByRole('dialog', { name: 'Your API key has been created' });
    await done.waitFor();
    const apiKey = await done.getByLabel('API key', { exact: true }).inputValue();
    expect(await done.getByLabel('API secret', { exact: true }).count()).toBe(0);
    await done.getByRole('button', { name: 'Ok', exact: true }).click();
    await poll(() => page.locator('tr', { hasText: 'Secretless service' }).locator('td[data-label="Methods"]').innerText()).toBe('1 public key');
    expect(await page.getByRole('button', { name: 'Remove secret of Secretless service' }).count()).toBe(0);
    key = { apiKey, apiSecret: 'none' };
    expect(await assertionStatus('secretless')).toBe(200);
  });
});
