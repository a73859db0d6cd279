// Console passwords against a real server and database: Change my password (the current
// one proven, the rules enforced, the user's other sessions signed out, audited, nothing
// written on a refusal), an Administrator's reset (a temporary password shown once, every
// session of the user ended, the next sign-in limited to the change until it is done).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { recordSecret, startTestServer, type TestServer } from './helpers/server.js';
import { signIn } from './helpers/session.js';

const LOCK_AFTER = 4;
let server: TestServer;
let acct: ConsoleAccount;

beforeAll(async () => {
  server = await startTestServer({ SIGNIN_FAILURES_PER_EMAIL: String(LOCK_AFTER), SIGNIN_FAILURES_PER_ADDRESS: '1000' });
  acct = await consoleAccount(server);
});
afterAll(() => server?.close());

const change = (headers: Record<string, string>, body: unknown) => callApi(server, 'POST', '/session/password', headers, body);
const hashOf = async (userId: string) => (await server.sql.query('SELECT password_hash FROM users WHERE id = $1', [userId])).rows[0].password_hash as string;
const sessionCount = async (userId: string) => (await server.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId])).rows[0].n;
const signInStatus = async (email: string, password: string) =>
  (await callApi(server, 'POST', '/session', {}, { email, password })).status;
const audit = async (action: string, accountId: string) =>
  (await server.sql.query('SELECT actor_id, actor_name, details, address FROM audit_events WHERE action = $1 AND account_id = $2 ORDER BY id', [action, accountId])).rows;
const fresh = (label: string) => {
  const password = `${label}-${Date.now()}-Pw`;
  recordSecret(password);
  return password;
};

describe('Change my password', () => {
  it('needs the current password; ends every other session of the user, keeps this one, and is audited', async () => {
    const user = acct.users.advanced;
    const userId = user.session.session.user.userId;
    const other = await signIn(server, user.email, user.password);
    const third = await signIn(server, user.email, user.password);
    expect(await sessionCount(userId)).toBe(3);
    const next = fresh('Advanced-new');

    const res = await change(user.session.headers(), { currentPassword: user.password, newPassword: next });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ userId, email: user.email, role: 'advanced', mustChangePassword: false });
    // This session goes on; the other two are signed out at once.
    expect((await callApi(server, 'GET', '/projects', user.session.headers())).status).toBe(200);
    for (const s of [other, third]) expect((await callApi(server, 'GET', '/session', s.headers())).status).toBe(401);
    expect(await sessionCount(userId)).toBe(1);
    expect(await signInStatus(user.email, user.password)).toBe(401);
    expect(await signInStatus(user.email, next)).toBe(200);

    const events = await audit('user.password_change', acct.accountId);
    expect(events).toEqual([{ actor_id: userId, actor_name: user.email, details: { userId, email: user.email, signedOut: 2 }, address: expect.stringMatching(/127\.0\.0\.1/) }]);
    expect(JSON.stringify(events)).not.toContain(next);
    user.password = next;
  });

  it('refuses a wrong current password, a password that breaks the rules, and the same password, writing nothing', async () => {
    const user = acct.users.basic;
    const userId = user.session.session.user.userId;
    const other = await signIn(server, user.email, user.password);
    const [hash, sessions] = [await hashOf(userId), await sessionCount(userId)];
    const cases: Array<[unknown, number, RegExp]> = [
      [{ currentPassword: 'not-it-at-all', newPassword: fresh('Basic-new') }, 403, /current password is wrong/],
      [{ currentPassword: user.password, newPassword: 'short' }, 400, /at least (8|12) characters/],
      [{ currentPassword: user.password, newPassword: user.password }, 400, /different from the current one/],
      [{ currentPassword: user.password }, 400, /newPassword is required/],
      [{ currentPassword: user.password, newPassword: 'Long-enough-1', extra: 1 }, 400, /Unknown field/],
      ['[]', 400, /JSON object/],
    ];
    for (const [body, status, message] of cases) {
      const res = await change(user.session.headers(), body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.message).toMatch(message);
    }
    expect(await hashOf(userId)).toBe(hash);
    expect(await sessionCount(userId)).toBe(sessions);
    expect((await callApi(server, 'GET', '/session', other.headers())).status).toBe(200);
    expect(await audit('user.password_change', acct.accountId)).toHaveLength(1); // the first test's only
  });

  it('is refused without the session, and without its CSRF token', async () => {
    const user = acct.users.basic;
    const body = { currentPassword: user.password, newPassword: fresh('Basic-csrf') };
    expect((await change({}, body)).status).toBe(401);
    const res = await change({ cookie: user.session.cookie }, body);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/CSRF/);
    expect((await change({ authorization: server.basic('00000000-0000-4000-8000-000000000000', 'x') }, body)).status).toBe(401);
  });

  it('counts wrong current passwords as failed sign-ins: locked after the limit, even for the right one', async () => {
    // The budget is per calendar minute: start early in one so the failures share it.
    const second = new Date().getUTCSeconds();
    if (second > 45) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    const mine = await consoleAccount(server);
    const user = mine.users.basic;
    for (let i = 0; i < LOCK_AFTER; i++) expect((await change(user.session.headers(), { currentPassword: `guess-${i}`, newPassword: 'Whatever-123' })).status).toBe(403);
    const locked = await change(user.session.headers(), { currentPassword: user.password, newPassword: fresh('Locked') });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatchObject({ status: 'RESOURCE_EXHAUSTED', message: expect.stringMatching(/Too many wrong passwords/) });
    // The sign-in form is locked for that e-mail too.
    expect(await signInStatus(user.email, user.password)).toBe(429);
  });
});

describe("an Administrator's reset", () => {
  it('gives a temporary password once, ends every session of the user, and limits the next sign-in to the change', async () => {
    const mine = await consoleAccount(server);
    const admin = mine.users.administrator;
    const user = mine.users.advanced;
    const userId = user.session.session.user.userId;
    const second = await signIn(server, user.email, user.password);

    const res = await admin.call('POST', `/account/users/${userId}/password-reset`);
    expect(res.status).toBe(200);
    const temporary = res.body.temporaryPassword as string;
    recordSecret(temporary);
    expect(temporary).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(res.body.user).toMatchObject({ userId, email: user.email, role: 'advanced', mustChangePassword: true });
    expect(res.body.notice).toMatch(/shown only this once/);
    expect(await sessionCount(userId)).toBe(0);
    for (const s of [user.session, second]) expect((await callApi(server, 'GET', '/session', s.headers())).status).toBe(401);
    expect(await signInStatus(user.email, user.password)).toBe(401);
    // Listed as such for the Administrators.
    const listed = (await admin.call('GET', '/account/users')).body.users.find((u: { userId: string }) => u.userId === userId);
    expect(listed.mustChangePassword).toBe(true);

    const limited = await signIn(server, user.email, temporary);
    expect(limited.session.user.mustChangePassword).toBe(true);
    const call = (method: string, path: string, body?: unknown) => callApi(server, method, path, limited.headers(), body);
    for (const [method, path] of [['GET', '/projects'], ['GET', '/account'], ['GET', `/projects/${mine.projectId}/credentials`]]) {
      const refused = await call(method, path);
      expect(refused.status, path).toBe(403);
      expect(refused.body.error.message).toMatch(/choose a new one first/);
    }
    expect((await call('GET', '/session')).body.user.mustChangePassword).toBe(true);
    // The temporary password itself is not accepted as the new one.
    expect((await call('POST', '/session/password', { currentPassword: temporary, newPassword: temporary })).status).toBe(400);
    const chosen = fresh('Chosen');
    const changed = await call('POST', '/session/password', { currentPassword: temporary, newPassword: chosen });
    expect(changed.status).toBe(200);
    expect(changed.body.user.mustChangePassword).toBe(false);
    expect((await call('GET', '/projects')).status).toBe(200);
    expect(await signInStatus(user.email, temporary)).toBe(401);
    expect((await signIn(server, user.email, chosen)).session.user.mustChangePassword).toBe(false);

    const [event] = await audit('user.password_reset', mine.accountId);
    expect(event).toEqual({
      actor_id: admin.session.session.user.userId,
      actor_name: admin.email,
      details: { userId, email: user.email, role: 'advanced', signedOut: 2 },
      address: expect.stringMatching(/127\.0\.0\.1/),
    });
    const all = JSON.stringify((await admin.call('GET', '/account/audit-events?pageSize=500')).body);
    for (const secret of [temporary, chosen]) expect(all).not.toContain(secret);
    expect(all).toContain('user.password_reset');
    expect(all).toContain('user.password_change');
  });

  it('is for Administrators, not for oneself, and only within the account', async () => {
    const mine = await consoleAccount(server);
    const theirs = await consoleAccount(server);
    const target = mine.users.basic.session.session.user.userId;
    const hash = await hashOf(target);
    const reset = (headers: Record<string, string>, userId: string) => callApi(server, 'POST', `/account/users/${userId}/password-reset`, headers);
    expect((await reset(mine.users.advanced.session.headers(), target)).status).toBe(403);
    expect((await reset(theirs.users.administrator.session.headers(), target)).status).toBe(404);
    const self = await reset(mine.users.administrator.session.headers(), mine.users.administrator.session.session.user.userId);
    expect(self.status).toBe(400);
    expect(self.body.error.message).toMatch(/Change password/);
    const key = await mine.users.administrator.call('POST', `/projects/${mine.projectId}/credentials`, { kind: 'basic', label: 'robot' });
    recordSecret(key.body.apiSecret);
    expect((await reset({ authorization: server.basic(key.body.apiKey, key.body.apiSecret) }, target)).status).toBe(403);
    expect((await reset(mine.users.administrator.session.headers(), 'not-a-uuid')).status).toBe(400);
    expect(await hashOf(target)).toBe(hash);
    expect((await callApi(server, 'GET', '/session', mine.users.basic.session.headers())).status).toBe(200);
  });
});
