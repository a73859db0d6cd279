// Who may do what through the console API: every role against every action, verified and
// unverified accounts, access keys acting for their project, other accounts kept apart,
// and the audit log that records it all without a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, recordSecret, type TestServer } from './helpers/server.js';
import { callApi, consoleAccount, type ConsoleAccount, type ConsoleUser } from './helpers/console-account.js';
import { verifyAccount } from '../src/accounts/accounts.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const ADMIN_ONLY = /^Only account Administrators can .+ Your role is (Advanced|Basic); please contact your account administrator for assistance\.$/;
const snapshot = async () =>
  (await server.sql.query(
    `SELECT (SELECT count(*) FROM access_keys)::int AS keys, (SELECT count(*) FROM users)::int AS users,
            (SELECT string_agg(display_name || coalesce(secret_hash, ''), ',' ORDER BY id) FROM access_keys) AS names,
            (SELECT string_agg(role, ',' ORDER BY id) FROM users) AS roles,
            (SELECT count(*) FROM accounts WHERE verification_requested_at IS NOT NULL)::int AS requested`,
  )).rows[0];

/** One action of the console, with a fresh target made by the Administrator where it needs one. */
interface Action {
  name: string;
  run(as: ConsoleUser, acct: ConsoleAccount): Promise<{ status: number; body: any }>;
  ok: number;
}

async function adminCreates(acct: ConsoleAccount, body: object) {
  const res = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, body);
  if (res.body?.apiSecret) recordSecret(res.body.apiSecret);
  expect(res.status, res.text).toBe(201);
  return res.body.credential.credentialId as string;
}
let n = 0;
const creds = (acct: ConsoleAccount) => `/projects/${acct.projectId}/credentials`;

const ACTIONS: Action[] = [
  { name: 'create a REST Basic key', ok: 201, run: (u, a) => u.call('POST', creds(a), { kind: 'basic', label: `k${++n}` }) },
  { name: 'create an HMAC key', ok: 201, run: (u, a) => u.call('POST', creds(a), { kind: 'hmac', label: `h${++n}` }) },
  { name: 'create a legacy credential', ok: 201, run: (u, a) => u.call('POST', creds(a), { kind: 'legacy', username: `legacy${++n}x${Date.now()}`, password: 'Kx7Legacy' }) },
  { name: 'edit a label', ok: 200, run: async (u, a) => u.call('PATCH', `${creds(a)}/${await adminCreates(a, { kind: 'basic', label: `e${++n}` })}`, { label: `edited${++n}` }) },
  { name: 'change a legacy password', ok: 200, run: async (u, a) => u.call('PATCH', `${creds(a)}/${await adminCreates(a, { kind: 'legacy', username: `pw${++n}x${Date.now()}`, password: 'Kx7Legacy' })}`, { password: 'Changed1' }) },
  { name: 'reveal an API key', ok: 200, run: async (u, a) => u.call('POST', `${creds(a)}/${await adminCreates(a, { kind: 'hmac', label: `r${++n}` })}/reveal`) },
  { name: 'delete selected', ok: 200, run: async (u, a) => u.call('POST', `${creds(a)}/delete`, { credentialIds: [await adminCreates(a, { kind: 'basic', label: `d${++n}` })] }) },
  { name: 'request verification', ok: 200, run: (u) => u.call('POST', '/account/verification-request') },
  { name: 'list users', ok: 200, run: (u) => u.call('GET', '/account/users') },
  { name: 'add a user', ok: 201, run: (u) => u.call('POST', '/account/users', { email: `new${++n}.${Date.now()}@example.com`, password: 'long enough', role: 'basic' }) },
  { name: 'change a role', ok: 200, run: async (u, a) => u.call('PATCH', `/account/users/${(await a.users.administrator.call('GET', '/account/users')).body.users.find((x: { role: string }) => x.role === 'basic').userId}`, { role: 'basic' }) },
  { name: 'read the audit log', ok: 200, run: (u) => u.call('GET', '/account/audit-events') },
];

const READS = [
  { name: 'list credentials', run: (u: ConsoleUser, a: ConsoleAccount) => u.call('GET', creds(a)) },
  { name: 'list projects', run: (u: ConsoleUser) => u.call('GET', '/projects') },
  { name: 'read the account', run: (u: ConsoleUser) => u.call('GET', '/account') },
];

describe('every role against every action', () => {
  let acct: ConsoleAccount;
  beforeAll(async () => {
    acct = await consoleAccount(server);
  });

  describe.each(['advanced', 'basic'] as const)('a %s user', (role) => {
    it.each(ACTIONS.map((a) => [a.name, a] as const))('may not %s: 403 with the seed\'s explanation, nothing changed', async (_name, action) => {
      const user = acct.users[role];
      const probe = await action.run(user, acct); // targets are made before the snapshot below is compared
      expect(probe.status).toBe(403);
      expect(probe.body.error.message).toMatch(ADMIN_ONLY);
      const before = await snapshot();
      const again = await action.run(user, acct);
      expect(again.status).toBe(403);
      const after = await snapshot();
      // the second run made its target as the Administrator first: compare without it
      expect(after.users).toBe(before.users);
      expect(after.requested).toBe(before.requested);
      expect(after.roles).toBe(before.roles);
    });

    it.each(READS.map((r) => [r.name, r] as const))('may %s', async (_name, read) => {
      const res = await read.run(acct.users[role], acct);
      expect(res.status).toBe(200);
    });

    it('sees labels, kinds and dates of credentials, never a key value', async () => {
      const key = await acct.users.administrator.call('POST', creds(acct), { kind: 'basic', label: `visible${++n}` });
      recordSecret(key.body.apiSecret);
      const username = `hidden${++n}x${Date.now()}`;
      await adminCreates(acct, { kind: 'legacy', username, password: 'Kx7Legacy' });
      const list = await acct.users[role].call('GET', creds(acct));
      expect(list.status).toBe(200);
      expect(list.text).toContain(key.body.credential.label);
      expect(list.text).not.toContain(key.body.apiKey);
      expect(list.text).not.toContain(username);
      for (const c of list.body.credentials) expect(Object.keys(c).sort()).toEqual(expect.arrayContaining(['createTime', 'credentialId', 'kind', 'label']));
    });
  });

  it.each(ACTIONS.map((a) => [a.name, a] as const))('an Administrator may %s', async (_name, action) => {
    const res = await action.run(acct.users.administrator, acct);
    expect(res.status, JSON.stringify(res.body)).toBe(action.ok);
    if (res.body?.apiSecret) recordSecret(res.body.apiSecret);
  });
});

describe('an unverified account', () => {
  it('cannot create credentials until an operator verifies it; the message says how to request it', async () => {
    const acct = await consoleAccount(server, { verified: false });
    const admin = acct.users.administrator;
    const before = await snapshot();
    for (const body of [{ kind: 'basic', label: 'x' }, { kind: 'hmac', label: 'x' }, { kind: 'legacy', username: `unv${Date.now()}`, password: 'Kx7Legacy' }]) {
      const res = await admin.call('POST', creds(acct), body);
      expect(res.status).toBe(412);
      expect(res.body.error.status).toBe('FAILED_PRECONDITION');
      expect(res.body.error.message).toMatch(/only be created on verified accounts.*request verification/s);
    }
    expect((await snapshot()).keys).toBe(before.keys);

    expect((await admin.call('GET', '/account')).body).toMatchObject({ verified: false, verificationRequested: false });
    const requested = await admin.call('POST', '/account/verification-request');
    expect(requested.status).toBe(200);
    expect(requested.body).toMatchObject({ verified: false, verificationRequested: true });
    expect((await admin.call('POST', creds(acct), { kind: 'basic', label: 'x' })).status).toBe(412);

    await verifyAccount(server.sql, acct.accountId);
    const created = await admin.call('POST', creds(acct), { kind: 'basic', label: 'x' });
    expect(created.status).toBe(201);
    recordSecret(created.body.apiSecret);
  });

  it('keeps existing credentials working', async () => {
    const acct = await consoleAccount(server);
    const created = await acct.users.administrator.call('POST', creds(acct), { kind: 'basic', label: 'kept' });
    recordSecret(created.body.apiSecret);
    await server.sql.query('UPDATE accounts SET verified_at = NULL WHERE id = $1', [acct.accountId]);
    expect((await server.token(created.body.apiKey, created.body.apiSecret)).length).toBeGreaterThan(0);
    expect((await acct.users.administrator.call('GET', creds(acct))).status).toBe(200);
  });
});

describe('users and roles through the API', () => {
  it('an Administrator adds users, changes roles, removes users, and keeps the last Administrator', async () => {
    const acct = await consoleAccount(server);
    const admin = acct.users.administrator;
    const added = await admin.call('POST', '/account/users', { email: `Added.${Date.now()}@Example.com`, password: 'long enough', role: 'Advanced' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ role: 'advanced' });
    expect(added.body.email).toBe(added.body.email.toLowerCase());
    expect(added.text).not.toContain('password');
    expect((await admin.call('POST', '/account/users', { email: added.body.email, password: 'long enough', role: 'basic' })).status).toBe(409);
    expect((await admin.call('POST', '/account/users', { email: 'x@example.com', password: 'long enough', role: 'owner' })).status).toBe(400);
    expect((await admin.call('PATCH', `/account/users/${added.body.userId}`, { role: 'administrator' })).body.role).toBe('administrator');
    const me = admin.session.session.user.userId;
    expect((await admin.call('PATCH', `/account/users/${me}`, { role: 'basic' })).status).toBe(200);
    // Now only the added user is an Administrator: demoting them is refused.
    const other = acct.users.advanced; // still advanced: cannot act
    expect((await other.call('PATCH', `/account/users/${added.body.userId}`, { role: 'basic' })).status).toBe(403);
    const session = await (await import('./helpers/session.js')).signIn(server, added.body.email, 'long enough');
    // Made Administrator with a password under an Administrator's floor (12): a new one first.
    const first = await callApi(server, 'GET', '/account/users/', session.headers());
    expect(first.status).toBe(403);
    expect(first.body.error.message).toMatch(/choose a new one first/);
    const short = await callApi(server, 'POST', '/session/password', session.headers(), { currentPassword: 'long enough', newPassword: 'still short' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/An Administrator's password must be at least 12 characters/);
    const changed = await callApi(server, 'POST', '/session/password', session.headers(), { currentPassword: 'long enough', newPassword: 'a far longer passphrase' });
    expect(changed.status, changed.text).toBe(200);
    recordSecret('a far longer passphrase');
    const last = await callApi(server, 'PATCH', `/account/users/${added.body.userId}`, session.headers(), { role: 'basic' });
    expect(last.status).toBe(412);
    expect(last.body.error.message).toMatch(/at least one Administrator/);
    expect((await callApi(server, 'DELETE', `/account/users/${added.body.userId}`, session.headers())).status).toBe(412);
    expect((await callApi(server, 'DELETE', `/account/users/${me}`, session.headers())).status).toBe(204);
    expect((await callApi(server, 'GET', '/account/users/', session.headers())).body.users.map((u: { userId: string }) => u.userId)).not.toContain(me);
  });
});

describe('access keys on the console API', () => {
  it('manage the credentials of their own project only, and nothing of the account', async () => {
    const acct = await consoleAccount(server);
    const key = await acct.users.administrator.call('POST', creds(acct), { kind: 'basic', label: 'automation' });
    recordSecret(key.body.apiSecret);
    const auth = { authorization: server.basic(key.body.apiKey, key.body.apiSecret) };
    expect((await callApi(server, 'GET', creds(acct), auth)).status).toBe(200);
    const made = await callApi(server, 'POST', creds(acct), auth, { kind: 'hmac', label: 'by a key' });
    expect(made.status).toBe(201);
    recordSecret(made.body.apiSecret);
    const other = await consoleAccount(server);
    expect((await callApi(server, 'GET', creds(other), auth)).status).toBe(403);
    expect((await callApi(server, 'GET', '/account/users', auth)).status).toBe(403);
    expect((await callApi(server, 'GET', '/account/audit-events', auth)).status).toBe(403);
    const events = (await acct.users.administrator.call('GET', '/account/audit-events')).body.auditEvents;
    expect(events[0]).toMatchObject({ action: 'credential.create', actor: { type: 'access_key', id: key.body.apiKey }, credential: { kind: 'hmac', label: 'by a key' } });
  });
});

describe('accounts are kept apart', () => {
  it('a user sees and touches no project of another account', async () => {
    const mine = await consoleAccount(server);
    const theirs = await consoleAccount(server);
    const admin = mine.users.administrator;
    for (const [method, path, body] of [
      ['GET', creds(theirs)],
      ['POST', creds(theirs), { kind: 'basic', label: 'intruder' }],
      ['POST', `${creds(theirs)}/delete`, { credentialIds: ['0199a8f2-7c1e-7abc-8def-0123456789ab'] }],
    ] as const) {
      const res = await admin.call(method, path, body);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toMatch(/no project .* in your account/);
    }
    expect((await admin.call('GET', '/projects')).body.projects.map((p: { projectId: string }) => p.projectId)).toEqual([mine.projectId]);
  });
});

describe('the audit log', () => {
  it('records who did what, when, on which credential, from where; newest first, paginated, never a secret', async () => {
    const acct = await consoleAccount(server);
    const admin = acct.users.administrator;
    const key = await admin.call('POST', creds(acct), { kind: 'basic', label: 'audited' });
    recordSecret(key.body.apiSecret);
    const id = key.body.credential.credentialId;
    await admin.call('PATCH', `${creds(acct)}/${id}`, { label: 'audited, renamed' });
    await admin.call('POST', `${creds(acct)}/${id}/reveal`);
    const legacy = await admin.call('POST', creds(acct), { kind: 'legacy', username: `aud${Date.now()}`, password: 'Secret1Pw' });
    await admin.call('PATCH', `${creds(acct)}/${legacy.body.credential.credentialId}`, { password: 'Secret2Pw' });
    recordSecret('Secret1Pw');
    recordSecret('Secret2Pw');
    await admin.call('POST', `${creds(acct)}/delete`, { credentialIds: [id, legacy.body.credential.credentialId] });

    const actions: string[] = [];
    const pages: string[] = [];
    let token = '';
    do {
      const res = await admin.call('GET', `/account/audit-events?pageSize=2${token ? `&pageToken=${token}` : ''}`);
      expect(res.status).toBe(200);
      pages.push(res.text);
      actions.push(...res.body.auditEvents.map((e: { action: string }) => e.action));
      token = res.body.nextPageToken;
    } while (token);
    expect(pages.length).toBeGreaterThan(3);
    expect(actions.slice(0, 7)).toEqual([
      'credential.delete', 'credential.delete', 'credential.password_change', 'credential.create',
      'credential.reveal', 'credential.label_change', 'credential.create',
    ]);
    expect(actions).toContain('session.sign_in');
    const all = pages.join('\n');
    for (const secret of [key.body.apiSecret, 'Secret1Pw', 'Secret2Pw', admin.password]) expect(all).not.toContain(secret);

    const first = JSON.parse(pages[0]).auditEvents[0];
    expect(first).toMatchObject({ actor: { type: 'user', id: admin.session.session.user.userId, name: admin.email }, address: expect.stringMatching(/127\.0\.0\.1/), projectId: acct.projectId });
    const rename = JSON.parse(pages.find((p) => p.includes('label_change'))!).auditEvents.find((e: { action: string }) => e.action === 'credential.label_change');
    expect(rename.details).toEqual({ from: 'audited', to: 'audited, renamed' });

    const stranger = await consoleAccount(server);
    const theirs = await stranger.users.administrator.call('GET', '/account/audit-events?pageSize=500');
    expect(theirs.text).not.toContain(id);
    expect((await stranger.users.administrator.call('GET', `/account/audit-events?pageToken=${JSON.parse(pages[0]).nextPageToken}`)).status).toBe(400);
  });
});

describe('the v1 Access Keys API under the same rules', () => {
  it('creates no key on an unverified account, and its changes are in the audit log', async () => {
    const acct = await consoleAccount(server);
    const admin = acct.users.administrator;
    const key = await admin.call('POST', creds(acct), { kind: 'basic', label: 'v1 caller' });
    recordSecret(key.body.apiSecret);
    const auth = { authorization: server.basic(key.body.apiKey, key.body.apiSecret), 'content-type': 'application/json' };
    const v1 = `${server.url}/v1/projects/${acct.projectId}/accessKeys`;

    const created = await fetch(v1, { method: 'POST', headers: auth, body: JSON.stringify({ displayName: 'made by v1' }) });
    expect(created.status).toBe(200);
    const made = (await created.json()) as { accessKey: { accessKeyId: string }; secret: string };
    recordSecret(made.secret);
    expect((await fetch(`${v1}/${made.accessKey.accessKeyId}`, { method: 'PATCH', headers: auth, body: JSON.stringify({ displayName: 'renamed by v1' }) })).status).toBe(200);
    expect((await fetch(`${v1}/${made.accessKey.accessKeyId}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    const events = (await admin.call('GET', '/account/audit-events')).body.auditEvents;
    expect(events.slice(0, 3).map((e: { action: string; actor: { id: string }; credential: { label: string } }) => [e.action, e.actor.id, e.credential.label])).toEqual([
      ['credential.delete', key.body.apiKey, 'renamed by v1'],
      ['credential.label_change', key.body.apiKey, 'renamed by v1'],
      ['credential.create', key.body.apiKey, 'made by v1'],
    ]);
    // Each v1 change names the address it came from, as the console's own changes do.
    for (const event of events.slice(0, 3)) expect(event.address).toMatch(/127\.0\.0\.1/);

    await server.sql.query('UPDATE accounts SET verified_at = NULL WHERE id = $1', [acct.accountId]);
    const before = await snapshot();
    const refused = await fetch(v1, { method: 'POST', headers: auth, body: JSON.stringify({ displayName: 'not now' }) });
    expect(refused.status).toBe(412);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/verified accounts/);
    expect((await snapshot()).keys).toBe(before.keys);
  });
});
