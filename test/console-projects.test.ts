// Projects in the console API against a real server and database: create, rename and
// delete, Administrators only and within the account, each audited with the address.
// Delete refuses while credentials remain (nothing deleted, the keys keep working), or,
// asked to, deletes them with the project in one transaction: each credential audited,
// and dropped at once from the cache that authenticates it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { recordSecret, recordToken, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let acct: ConsoleAccount;

beforeAll(async () => {
  server = await startTestServer();
  acct = await consoleAccount(server);
});
afterAll(() => server?.close());

const admin = () => acct.users.administrator;
const names = async (a = acct) => (await a.users.basic.call('GET', '/projects')).body.projects.map((p: { name: string }) => p.name);
const tokenStatus = async (id: string, secret: string) => {
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: server.basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  recordToken(((await res.json()) as { access_token?: string }).access_token);
  return res.status;
};
const events = async (accountId: string) =>
  (await server.sql.query('SELECT action, project_id, credential_id, details, address FROM audit_events WHERE account_id = $1 ORDER BY id', [accountId])).rows;

describe('create and rename', () => {
  it('creates and renames a project (trimmed, unique in the account), audited with the address', async () => {
    const made = await admin().call('POST', '/projects', { name: '  Staging  ' });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({ projectId: expect.any(String), name: 'Staging', createTime: expect.any(String) });
    expect(await names()).toEqual(['Main', 'Staging']);
    const taken = await admin().call('POST', '/projects', { name: 'Main' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toMatch(/already has a project named "Main"/);

    const id = made.body.projectId;
    const renamed = await admin().call('PATCH', `/projects/${id}`, { name: 'Pre-production' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Pre-production');
    expect((await admin().call('PATCH', `/projects/${id}`, { name: 'Main' })).status).toBe(409);
    expect(await names()).toEqual(['Main', 'Pre-production']);

    const log = (await events(acct.accountId)).filter((e) => e.action.startsWith('project.'));
    expect(log).toEqual([
      { action: 'project.create', project_id: id, credential_id: null, details: { name: 'Staging' }, address: expect.stringMatching(/127\.0\.0\.1/) },
      { action: 'project.rename', project_id: id, credential_id: null, details: { from: 'Staging', to: 'Pre-production' }, address: expect.stringMatching(/127\.0\.0\.1/) },
    ]);
  });

  it('refuses bad names with a clear 400 and writes nothing', async () => {
    const before = await names();
    for (const [body, message] of [
      [{ name: '' }, /name must not be empty/],
      [{ name: '   ' }, /name must not be empty/],
      [{ name: 'x'.repeat(201) }, /at most 200 characters/],
      [{ name: 'two\nlines' }, /control characters/],
      [{ name: 7 }, /name must be a string/],
      [{}, /name is required/],
      [{ name: 'ok', accountId: acct.accountId }, /Unknown field/],
    ] as const) {
      const res = await admin().call('POST', '/projects', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await admin().call('PATCH', '/projects/not-a-uuid', { name: 'x' })).status).toBe(400);
    expect(await names()).toEqual(before);
  });

  it('is for Administrators of the account only', async () => {
    const other = await consoleAccount(server);
    const before = await names();
    for (const role of ['advanced', 'basic'] as const) {
      const res = await acct.users[role].call('POST', '/projects', { name: `By ${role}` });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/Only account Administrators can create, rename and delete projects/);
      expect((await acct.users[role].call('PATCH', `/projects/${acct.projectId}`, { name: 'x' })).status).toBe(403);
      expect((await acct.users[role].call('DELETE', `/projects/${acct.projectId}`)).status).toBe(403);
    }
    // Another account's Administrator does not even learn that the project exists.
    expect((await other.users.administrator.call('PATCH', `/projects/${acct.projectId}`, { name: 'Mine now' })).status).toBe(404);
    expect((await other.users.administrator.call('DELETE', `/projects/${acct.projectId}`)).status).toBe(404);
    const key = await admin().call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: 'robot' });
    recordSecret(key.body.apiSecret);
    const auth = { authorization: server.basic(key.body.apiKey, key.body.apiSecret) };
    expect((await callApi(server, 'POST', '/projects', auth, { name: 'By a key' })).status).toBe(403);
    expect((await callApi(server, 'DELETE', `/projects/${acct.projectId}`, auth)).status).toBe(403);
    expect(await names()).toEqual(before);
  });
});

describe('delete', () => {
  it('deletes an empty project, audited', async () => {
    const made = await admin().call('POST', '/projects', { name: 'Short-lived' });
    const res = await admin().call('DELETE', `/projects/${made.body.projectId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deletedCredentials: 0 });
    expect(await names()).not.toContain('Short-lived');
    const last = (await events(acct.accountId)).at(-1);
    expect(last).toMatchObject({ action: 'project.delete', project_id: made.body.projectId, details: { name: 'Short-lived', deletedCredentials: 0 } });
    expect((await admin().call('DELETE', `/projects/${made.body.projectId}`)).status).toBe(404);
  });

  it('refuses while credentials remain, naming them; nothing is deleted and the keys keep working', async () => {
    const made = await admin().call('POST', '/projects', { name: 'Busy' });
    const id = made.body.projectId;
    const basic = await admin().call('POST', `/projects/${id}/credentials`, { kind: 'basic', label: 'one' });
    const hmac = await admin().call('POST', `/projects/${id}/credentials`, { kind: 'hmac', label: 'two' });
    recordSecret(basic.body.apiSecret, hmac.body.apiSecret);
    const before = (await events(acct.accountId)).length;

    const res = await admin().call('DELETE', `/projects/${id}`);
    expect(res.status).toBe(412);
    expect(res.body.error.message).toMatch(/"Busy" still has 2 API credentials \(1 REST Basic, 1 REST HMAC\): nothing was deleted/);
    expect(res.body.error.message).toMatch(/withCredentials=true/);
    expect(await names()).toContain('Busy');
    expect((await admin().call('GET', `/projects/${id}/credentials`)).body.credentials).toHaveLength(2);
    expect(await tokenStatus(basic.body.apiKey, basic.body.apiSecret)).toBe(200);
    expect((await events(acct.accountId)).length).toBe(before);
    expect((await admin().call('DELETE', `/projects/${id}?withCredentials=yes`)).status).toBe(400);
  });

  it('with withCredentials=true deletes them with it in one go: each audited, each refused at once', async () => {
    const made = await admin().call('POST', '/projects', { name: 'Doomed' });
    const id = made.body.projectId;
    const keys = [];
    for (const label of ['alpha', 'beta']) {
      const key = await admin().call('POST', `/projects/${id}/credentials`, { kind: 'basic', label });
      recordSecret(key.body.apiSecret);
      keys.push(key.body);
    }
    recordSecret('Legacy1pw');
    await admin().call('POST', `/projects/${id}/credentials`, { kind: 'legacy', username: `doomed${Date.now()}`, password: 'Legacy1pw' });
    // Warm: the keys are in the cache that authenticates them.
    for (const key of keys) expect(await tokenStatus(key.apiKey, key.apiSecret)).toBe(200);

    const res = await admin().call('DELETE', `/projects/${id}?withCredentials=true`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deletedCredentials: 3 });
    for (const key of keys) expect(await tokenStatus(key.apiKey, key.apiSecret)).toBe(401);
    expect(await names()).not.toContain('Doomed');
    const { rowCount } = await server.sql.query('SELECT 1 FROM access_keys WHERE project_id = $1', [id]);
    expect(rowCount).toBe(0);

    const log = (await events(acct.accountId)).slice(-4);
    expect(log.map((e) => e.action)).toEqual(['credential.delete', 'credential.delete', 'credential.delete', 'project.delete']);
    expect(log.slice(0, 3).every((e) => e.project_id === id && e.credential_id && e.details.withProject === true)).toBe(true);
    expect(log[3].details).toEqual({ name: 'Doomed', deletedCredentials: 3 });
  });
});

describe('a key expiry set in the console', () => {
  it('is kept and listed, can be changed and cleared; a past, too distant or zone-less time is refused and nothing is created', async () => {
    const creds = `/projects/${acct.projectId}/credentials`;
    const expireTime = new Date(Date.now() + 30 * 86_400_000);
    expireTime.setUTCMilliseconds(0);
    const made = await admin().call('POST', creds, { kind: 'hmac', label: 'expiring', expireTime: expireTime.toISOString() });
    expect(made.status).toBe(201);
    recordSecret(made.body.apiSecret);
    expect(made.body.credential.expireTime).toBe(expireTime.toISOString());
    const listed = (await acct.users.basic.call('GET', `${creds}?kind=hmac`)).body.credentials.find((c: { label: string }) => c.label === 'expiring');
    expect(listed.expireTime).toBe(expireTime.toISOString());
    const audited = (await events(acct.accountId)).at(-1);
    expect(audited).toMatchObject({ action: 'credential.create', details: { expireTime: expireTime.toISOString() } });

    // Changed later, and cleared; a refused change leaves it as it was.
    const one = `${creds}/${made.body.credential.credentialId}`;
    const later = new Date(expireTime.getTime() + 86_400_000);
    const changed = await admin().call('PATCH', one, { expireTime: later.toISOString() });
    expect(changed.status).toBe(200);
    expect(changed.body.expireTime).toBe(later.toISOString());
    expect((await admin().call('PATCH', one, { expireTime: '2001-01-01T00:00:00Z' })).status).toBe(400);
    expect((await admin().call('PATCH', one, { expireTime: later.toISOString(), label: 'both' })).status).toBe(400);
    expect((await acct.users.advanced.call('PATCH', one, { expireTime: null })).status).toBe(403);
    expect((await admin().call('GET', `${creds}?kind=hmac`)).body.credentials.find((c: { label: string }) => c.label === 'expiring').expireTime).toBe(later.toISOString());
    const cleared = await admin().call('PATCH', one, { expireTime: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty('expireTime');
    const changes = (await events(acct.accountId)).filter((e) => e.action === 'credential.expiry_change').map((e) => e.details);
    expect(changes).toEqual([{ from: expireTime.toISOString(), to: later.toISOString() }, { from: later.toISOString(), to: null }]);

    const count = async () => (await server.sql.query('SELECT 1 FROM access_keys WHERE project_id = $1', [acct.projectId])).rowCount;
    const before = await count();
    for (const [value, message] of [
      ['2001-01-01T00:00:00Z', /must be in the future/],
      [new Date(Date.now() + 11 * 365 * 86_400_000).toISOString(), /at most 10 years/],
      ['2030-01-01T00:00:00', /state its time zone/],
      ['soon', /RFC 3339/],
    ] as const) {
      const res = await admin().call('POST', creds, { kind: 'basic', label: `never ${value}`, expireTime: value });
      expect(res.status, value).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect(await count()).toBe(before);
  });
});
