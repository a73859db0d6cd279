// The console API's credentials (docs/CONSOLE-API.md) for an Administrator: each kind
// created, used at /oauth2/token, relabelled, its password changed, revealed and deleted
// in batches, against the real server and Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { startTestServer, recordSecret, type TestServer } from './helpers/server.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { LEGACY_PASSWORD_RULE, LEGACY_USERNAME_RULE } from '../src/credentials/input.js';

let server: TestServer;
let acct: ConsoleAccount;
beforeAll(async () => {
  server = await startTestServer();
  acct = await consoleAccount(server);
});
afterAll(() => server?.close());

const admin = () => acct.users.administrator;
const base = () => `/projects/${acct.projectId}/credentials`;
let n = 0;
const unique = (prefix: string) => `${prefix}${++n}x${Date.now() % 100000}`;

async function tokenStatus(clientId: string, secret: string) {
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: server.basic(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, token: body.access_token };
}

async function createRest(kind: 'basic' | 'hmac', label = unique(`${kind} key `)) {
  const res = await admin().call('POST', base(), { kind, label });
  expect(res.status, res.text).toBe(201);
  recordSecret(res.body.apiSecret, `${kind} secret`);
  return res.body as { credential: { credentialId: string; label: string }; apiKey: string; apiSecret: string; notice: string };
}

async function createLegacy(username = unique('legacy.user'), password = 'Kx7Legacy') {
  recordSecret(password);
  const res = await admin().call('POST', base(), { kind: 'legacy', username, password });
  expect(res.status, res.text).toBe(201);
  return { ...(res.body as { credential: { credentialId: string; username: string } }), username, password };
}

const rowCount = async () => Number((await server.sql.query('SELECT count(*) FROM access_keys')).rows[0].count);

describe('REST Basic credentials', () => {
  it('are created with a key and a secret shown once, get tokens, and are the v1 API\'s keys', async () => {
    const created = await createRest('basic', 'Billing service');
    expect(created.notice).toMatch(/only time the API Secret is shown/);
    expect(created.apiSecret).toMatch(/^kmsk_/);
    expect(Object.keys(created.credential).sort()).toEqual(['authenticationMethods', 'createTime', 'credentialId', 'kind', 'label', 'updateTime']);
    // Issue 14: how a REST Basic key authenticates (public keys only, after :removeSecret: test/secretless-keys.test.ts).
    expect((created.credential as { authenticationMethods?: string[] }).authenticationMethods).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(created.credential.credentialId).not.toBe(created.apiKey);

    const { status, token } = await tokenStatus(created.apiKey, created.apiSecret);
    expect(status).toBe(200);
    expect(decodeJwt(token!)).toMatchObject({ client_id: created.apiKey, project_id: acct.projectId });

    const v1 = await fetch(`${server.url}/v1/projects/${acct.projectId}/accessKeys/${created.apiKey}`, { headers: { authorization: `Bearer ${token}` } });
    expect(v1.status).toBe(200);
    expect(await v1.json()).toMatchObject({ accessKeyId: created.apiKey, displayName: 'Billing service' });

    const list = await admin().call('GET', `${base()}?kind=basic`);
    expect(list.text).not.toContain(created.apiSecret);
    expect(list.text).not.toContain(created.apiKey);
    expect(list.body.credentials.map((c: { label: string }) => c.label)).toContain('Billing service');
  });

  it('have an editable label, unique per project and kind', async () => {
    const a = await createRest('basic');
    const b = await createRest('basic');
    const renamed = await admin().call('PATCH', `${base()}/${a.credential.credentialId}`, { label: '  Renamed  ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.label).toBe('Renamed');
    const clash = await admin().call('PATCH', `${base()}/${b.credential.credentialId}`, { label: 'Renamed' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toMatch(/already exists/);
    // An HMAC key may share a REST Basic key's label: they are listed apart.
    const hmac = await admin().call('POST', base(), { kind: 'hmac', label: 'Renamed' });
    expect(hmac.status).toBe(201);
    recordSecret(hmac.body.apiSecret);
  });

  it('reveal their API key to an Administrator', async () => {
    const created = await createRest('basic');
    const shown = await admin().call('POST', `${base()}/${created.credential.credentialId}/reveal`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({ apiKey: created.apiKey });
  });

  it('have no password to change, and their secret is never shown again', async () => {
    const created = await createRest('basic');
    const res = await admin().call('PATCH', `${base()}/${created.credential.credentialId}`, { password: 'Abcdef1q9' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/Only legacy credentials have a password/);
    const shown = await admin().call('POST', `${base()}/${created.credential.credentialId}/reveal`);
    expect(shown.text).not.toContain(created.apiSecret);
  });
});

describe('REST HMAC credentials', () => {
  it('are created with a key and a secret that is stored sealed, never in the clear', async () => {
    const created = await createRest('hmac', 'Signer');
    const { rows } = await server.sql.query('SELECT kind, secret_hash, secret_sealed FROM access_keys WHERE id = $1', [created.apiKey]);
    expect(rows[0].kind).toBe('hmac');
    expect(rows[0].secret_hash).toBeNull();
    expect(rows[0].secret_sealed).not.toContain(created.apiSecret);
    expect(rows[0].secret_sealed.length).toBeGreaterThan(created.apiSecret.length);
  });

  it('cannot get a token by sending the secret (it signs, it is never sent), and are not v1 keys', async () => {
    const created = await createRest('hmac');
    expect((await tokenStatus(created.apiKey, created.apiSecret)).status).toBe(401);
    const basic = await createRest('basic');
    const { token } = await tokenStatus(basic.apiKey, basic.apiSecret);
    const v1 = await fetch(`${server.url}/v1/projects/${acct.projectId}/accessKeys?pageSize=1000`, { headers: { authorization: `Bearer ${token}` } });
    const ids = ((await v1.json()) as { accessKeys: Array<{ accessKeyId: string }> }).accessKeys.map((k) => k.accessKeyId);
    expect(ids).toContain(basic.apiKey);
    expect(ids).not.toContain(created.apiKey);
  });
});

describe('Legacy credentials', () => {
  it('get tokens with their username and password, and show the username to Administrators only', async () => {
    const created = await createLegacy(unique('Legacy.App'));
    expect(created.credential).toMatchObject({ kind: 'legacy', label: null, username: created.username });
    expect(created.credential).not.toHaveProperty('password');
    const { status, token } = await tokenStatus(created.username, created.password);
    expect(status).toBe(200);
    const claims = decodeJwt(token!);
    expect(claims.project_id).toBe(acct.projectId);
    // The token names the credential by its API key, like any other.
    const shown = await admin().call('POST', `${base()}/${created.credential.credentialId}/reveal`);
    expect(shown.body).toEqual({ username: created.username });
    expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/);

    const asBasic = await acct.users.basic.call('GET', `${base()}?kind=legacy`);
    expect(asBasic.status).toBe(200);
    expect(asBasic.text).not.toContain(created.username);
  });

  it('have usernames unique everywhere, case-insensitively, that cannot be changed', async () => {
    const created = await createLegacy(unique('Taken'));
    const again = await admin().call('POST', base(), { kind: 'legacy', username: created.username.toUpperCase(), password: 'Kx7Legacy' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/username is already taken/);
    const rename = await admin().call('PATCH', `${base()}/${created.credential.credentialId}`, { label: 'new name' });
    expect(rename.status).toBe(400);
    expect(rename.body.error.message).toMatch(/delete the credential and create a new one/);
  });

  it('refuse a username that is not allowed, stating the rule', async () => {
    const before = await rowCount();
    for (const username of ['ab', 'x'.repeat(51), 'has space', 'semi;colon', '0199a8f2-7c1e-7abc-8def-0123456789ab', '']) {
      const res = await admin().call('POST', base(), { kind: 'legacy', username, password: 'Kx7Legacy' });
      expect(res.status, username).toBe(400);
      expect(res.body.error.message).toBe(LEGACY_USERNAME_RULE);
    }
    expect(await rowCount()).toBe(before);
  });

  // The seed's rule: 6 to 50 alphanumeric characters, including upper and lower case.
  const good = ['Abcdef', 'abcdeF', 'X1y2z9', 'aB3456', 'Zz' + '9'.repeat(48), 'QASSw0rdz'];
  const bad: Array<[string, unknown]> = [
    ['five characters', 'Abcde'],
    ['no upper-case letter', 'abcdef1'],
    ['no lower-case letter', 'ABCDEF1'],
    ['digits only', '1234567'],
    ['a space', 'Abc def'],
    ['a symbol', 'Abc-def'],
    ['a non-ASCII letter', 'Äbcdef'],
    ['51 characters', 'Ab' + '1'.repeat(49)],
    ['empty', ''],
  ];

  it.each(good)('accept the password %s on create and on change', async (password) => {
    recordSecret(password);
    const created = await createLegacy(unique('good'), password);
    expect((await tokenStatus(created.username, password)).status).toBe(200);
    const changed = await admin().call('PATCH', `${base()}/${created.credential.credentialId}`, { password: 'Changed1' + password.slice(0, 3) });
    expect(changed.status).toBe(200);
  });

  it.each(bad)('refuse a password with %s, on create and on change, changing nothing', async (_case, password) => {
    const before = await rowCount();
    const created = await admin().call('POST', base(), { kind: 'legacy', username: unique('bad'), password });
    expect(created.status).toBe(400);
    expect(created.body.error.message).toBe(LEGACY_PASSWORD_RULE);
    expect(await rowCount()).toBe(before);

    const existing = await createLegacy();
    const changed = await admin().call('PATCH', `${base()}/${existing.credential.credentialId}`, { password });
    expect(changed.status).toBe(400);
    expect(changed.body.error.message).toBe(LEGACY_PASSWORD_RULE);
    expect((await tokenStatus(existing.username, existing.password)).status).toBe(200);
  });

  it('refuse a password that is not a string', async () => {
    const res = await admin().call('POST', base(), { kind: 'legacy', username: unique('typed'), password: 1234567 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('password must be a string');
  });

  it('change their password: the old one stops at once, even when it was cached', async () => {
    const created = await createLegacy();
    expect((await tokenStatus(created.username, created.password)).status).toBe(200);
    expect((await tokenStatus(created.username, created.password)).status).toBe(200); // warm now
    recordSecret('NewPassw0rd');
    const changed = await admin().call('PATCH', `${base()}/${created.credential.credentialId}`, { password: 'NewPassw0rd' });
    expect(changed.status).toBe(200);
    expect((await tokenStatus(created.username, created.password)).status).toBe(401);
    expect((await tokenStatus(created.username, 'NewPassw0rd')).status).toBe(200);
  });
});

describe('Delete selected', () => {
  it('deletes credentials of every kind in one request; each stops working at once', async () => {
    const basic = await createRest('basic');
    const legacy = await createLegacy();
    const hmac = await createRest('hmac');
    expect((await tokenStatus(basic.apiKey, basic.apiSecret)).status).toBe(200);
    expect((await tokenStatus(legacy.username, legacy.password)).status).toBe(200);
    const ids = [basic.credential.credentialId, legacy.credential.credentialId, hmac.credential.credentialId];
    const res = await admin().call('POST', `${base()}/delete`, { credentialIds: ids });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: 3 });
    expect((await tokenStatus(basic.apiKey, basic.apiSecret)).status).toBe(401);
    expect((await tokenStatus(legacy.username, legacy.password)).status).toBe(401);
    const { rows } = await server.sql.query('SELECT count(*)::int AS n FROM access_keys WHERE credential_id = ANY($1::uuid[])', [ids]);
    expect(rows[0].n).toBe(0);
  });

  it('is all or nothing: one unknown credential is named and nothing is deleted', async () => {
    const a = await createRest('basic');
    const b = await createLegacy();
    const other = await consoleAccount(server);
    const foreign = await other.users.administrator.call('POST', `/projects/${other.projectId}/credentials`, { kind: 'basic', label: 'theirs' });
    recordSecret(foreign.body.apiSecret);
    const unknown = '0199a8f2-7c1e-7abc-8def-0123456789ab';
    for (const stranger of [unknown, foreign.body.credential.credentialId]) {
      const before = await rowCount();
      const res = await admin().call('POST', `${base()}/delete`, { credentialIds: [a.credential.credentialId, stranger, b.credential.credentialId] });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain(stranger);
      expect(res.body.error.message).toMatch(/^Nothing was deleted/);
      expect(await rowCount()).toBe(before);
    }
    expect((await tokenStatus(a.apiKey, a.apiSecret)).status).toBe(200);
  });

  it('refuses an empty list, more than 100, and IDs that are not credential IDs', async () => {
    for (const [body, message] of [
      [{ credentialIds: [] }, /at least one/],
      [{ credentialIds: Array.from({ length: 101 }, () => '0199a8f2-7c1e-7abc-8def-0123456789ab') }, /at most 100/],
      [{ credentialIds: ['nope'] }, /credentialId \(a UUID\)/],
      [{ credentialIds: 'x' }, /list of 1 to 100/],
      [{}, /credentialIds is required/],
    ] as const) {
      const res = await admin().call('POST', `${base()}/delete`, body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
  });
});

describe('bad input', () => {
  it.each([
    [{}, /kind must be one of basic, hmac or legacy/],
    [{ kind: 'rsa', label: 'x' }, /kind must be one of/],
    [{ kind: 'basic' }, /label is required/],
    [{ kind: 'basic', label: '' }, /label must not be empty/],
    [{ kind: 'hmac', label: 7 }, /label must be a string/],
    [{ kind: 'basic', label: 'x', secret: 'mine' }, /Unknown field\(s\) in the request body: secret/],
    [{ kind: 'legacy', username: 'someone' }, /password is required/],
    [[1, 2], /must be a JSON object/],
  ])('create %j answers 400 with a message', async (body, message) => {
    const before = await rowCount();
    const res = await admin().call('POST', base(), body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
    expect(await rowCount()).toBe(before);
  });

  it('malformed JSON, a wrong content type and unknown IDs answer 4xx, never 500', async () => {
    expect((await admin().call('POST', base(), '{"kind": "basic",')).status).toBe(400);
    const wrongType = await fetch(`${server.url}/api${base()}`, { method: 'POST', headers: { ...admin().session.headers(), 'content-type': 'text/plain' }, body: 'kind=basic' });
    expect(wrongType.status).toBe(415);
    expect((await admin().call('PATCH', `${base()}/not-an-id`, { label: 'x' })).status).toBe(404);
    expect((await admin().call('POST', `${base()}/0199a8f2-7c1e-7abc-8def-0123456789ab/reveal`)).status).toBe(404);
    expect((await admin().call('GET', '/projects/not-a-project/credentials')).status).toBe(404);
    expect((await admin().call('GET', `${base()}?kind=rsa`)).status).toBe(400);
    expect((await admin().call('GET', `${base()}?pageToken=forged`)).status).toBe(400);
    expect((await admin().call('PATCH', `${base()}/0199a8f2-7c1e-7abc-8def-0123456789ab`, {})).status).toBe(400);
  });

  it('pages through a project\'s credentials with tokens bound to the project', async () => {
    for (let i = 0; i < 3; i++) await createRest('hmac');
    const seen = new Set<string>();
    let token = '';
    do {
      const res = await admin().call('GET', `${base()}?kind=hmac&pageSize=2${token ? `&pageToken=${token}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.credentials.length).toBeLessThanOrEqual(2);
      for (const c of res.body.credentials) seen.add(c.credentialId);
      token = res.body.nextPageToken;
    } while (token);
    const { rows } = await server.sql.query("SELECT count(*)::int AS n FROM access_keys WHERE project_id = $1 AND kind = 'hmac'", [acct.projectId]);
    expect(seen.size).toBe(rows[0].n);
  });
});
