// The dashboard's session API (docs/CONSOLE-API.md, "Session") against a real server and
// database: sign-in, who-am-I, sign-out, the cookie's attributes, CSRF and same-origin
// rules, sign-in lock-out and its audit event, bodies that must be refused, and a role
// change or removal reaching an existing session at once.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/accounts.js';
import { addUser, changeUserRole, removeUser } from '../src/accounts/users.js';
import { recordSecret, startTestServer, type TestServer } from './helpers/server.js';
import { sessionTokenOf, signIn } from './helpers/session.js';

const LOCK_AFTER = 3;
let server: TestServer;
let proxied: TestServer;
let accountId: string;
const ADMIN = { email: 'ada.admin@example.test', password: 'Admin-password-for-the-session-test-1' };
const BASIC = { email: 'bob.basic@example.test', password: 'Basic-password-for-the-session-test-2' };
const seen: string[] = [];

function remember(...values: string[]) {
  for (const v of values) {
    recordSecret(v);
    seen.push(v);
  }
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const session = (headers: Record<string, string> = {}, method = 'GET') => fetch(`${server.url}/api/session`, { method, headers });

async function sessionRows(): Promise<number> {
  const { rows } = await server.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions');
  return rows[0].n;
}

beforeAll(async () => {
  server = await startTestServer({ SIGNIN_FAILURES_PER_EMAIL: String(LOCK_AFTER), SIGNIN_FAILURES_PER_ADDRESS: '1000' });
  proxied = await startTestServer({ TRUST_PROXY: '1' }, undefined);
  remember(ADMIN.password, BASIC.password);
  for (const s of [server, proxied]) {
    const { account } = await createAccount(s.sql, s.config.bcryptCost, { name: 'Session Test', adminEmail: ADMIN.email, adminPassword: ADMIN.password });
    if (s === server) accountId = account.accountId;
  }
  await addUser(server.sql, server.config.bcryptCost, accountId, { ...BASIC, role: 'basic' });
});

afterAll(async () => {
  await Promise.all([server?.close(), proxied?.close()]);
});

describe('sign-in', () => {
  it('answers the Session and sets an HttpOnly, SameSite=Strict cookie on Path=/ (not Secure over http)', async () => {
    const res = await post(server.url, { email: '  ADA.Admin@Example.TEST ', password: ADMIN.password });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: Record<string, unknown>; account: Record<string, unknown>; csrfToken: string };
    remember(body.csrfToken);
    expect(body.user).toEqual({ userId: expect.any(String), email: ADMIN.email, role: 'administrator', mustChangePassword: false });
    expect(body.account).toMatchObject({ accountId, name: 'Session Test', verified: false, verificationRequested: false });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    const [pair, ...attributes] = cookies[0].split('; ');
    const token = sessionTokenOf(res)!;
    remember(token);
    expect(pair).toBe(`keymint_session=${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(attributes.filter((a) => !a.startsWith('Expires='))).toEqual(['Max-Age=43200', 'Path=/', 'HttpOnly', 'SameSite=Strict']);

    // The table keeps the token's SHA-256 only, for 12 hours from now.
    const { rows } = await server.sql.query<{ hours: number; csrf_token: string }>(
      'SELECT extract(epoch FROM expires_at - created_at) / 3600 AS hours, csrf_token FROM sessions WHERE token_hash = $1',
      [createHash('sha256').update(token).digest()],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].hours)).toBeCloseTo(12, 3);
    expect(rows[0].csrf_token).toBe(body.csrfToken);

    const audit = await server.sql.query(
      "SELECT actor_type, actor_id, actor_name, address FROM audit_events WHERE action = 'session.sign_in' AND actor_id = $1",
      [body.user.userId],
    );
    expect(audit.rows[0]).toMatchObject({ actor_type: 'user', actor_name: ADMIN.email, address: expect.any(String) });
  });

  it('sets Secure when the request came over HTTPS through a trusted proxy', async () => {
    const https = await post(proxied.url, ADMIN, { 'x-forwarded-proto': 'https' });
    expect(https.status).toBe(200);
    const plain = await post(proxied.url, ADMIN);
    expect(plain.status).toBe(200);
    remember(sessionTokenOf(https)!, sessionTokenOf(plain)!);
    remember(((await https.json()) as { csrfToken: string }).csrfToken, ((await plain.json()) as { csrfToken: string }).csrfToken);
    expect(https.headers.getSetCookie()[0].split('; ')).toContain('Secure');
    expect(plain.headers.getSetCookie()[0].split('; ')).not.toContain('Secure');
  });

  it('sets Secure when the configured issuer is https, whatever the request came over', async () => {
    const behind = await startTestServer({ ISSUER: 'https://keymint.example' });
    try {
      await createAccount(behind.sql, behind.config.bcryptCost, { name: 'Https', adminEmail: ADMIN.email, adminPassword: ADMIN.password });
      const res = await post(behind.url, ADMIN, { origin: 'https://keymint.example' });
      expect(res.status).toBe(200);
      remember(sessionTokenOf(res)!, ((await res.json()) as { csrfToken: string }).csrfToken);
      expect(res.headers.getSetCookie()[0].split('; ')).toContain('Secure');
    } finally {
      await behind.close();
    }
  });

  it('answers a wrong password and an unknown email identically, after one bcrypt comparison each', async () => {
    const compares = () => metric(server, 'keymint_bcrypt_compares_total');
    const failures = () => metric(server, 'keymint_console_sign_ins_total{result="wrong_credentials"}');
    const [c0, f0] = [await compares(), await failures()];
    const wrong = await post(server.url, { email: BASIC.email, password: 'Not-the-password-of-bob-at-all' });
    const [c1, f1] = [await compares(), await failures()];
    const unknown = await post(server.url, { email: 'nobody.here@example.test', password: 'Not-the-password-of-bob-at-all' });
    expect([c1 - c0, (await compares()) - c1]).toEqual([1, 1]);
    expect([f1 - f0, (await failures()) - f1]).toEqual([1, 1]);
    remember('Not-the-password-of-bob-at-all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.text(), await unknown.text()];
    expect(a).toBe(b);
    expect(JSON.parse(a)).toEqual({ error: { code: 401, message: 'The email or password is wrong.', status: 'UNAUTHENTICATED', details: [] } });
    expect(wrong.headers.get('www-authenticate')).toBe(unknown.headers.get('www-authenticate'));
    expect(wrong.headers.get('www-authenticate')).not.toMatch(/basic/i); // no browser sign-in box
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });
});

async function metric(s: { url: string }, series: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('who am I and sign-out', () => {
  it('GET /api/session answers the Session for the cookie, 401 without one', async () => {
    const who = await signIn(server, BASIC.email, BASIC.password);
    const res = await session({ cookie: who.cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(who.session);
    expect(who.session.user.role).toBe('basic');

    const anonymous: Array<Record<string, string>> = [{}, { cookie: 'keymint_session=' + 'A'.repeat(43) }, { cookie: 'keymint_session=not-a-token' }];
    for (const headers of anonymous) {
      const anon = await session(headers);
      expect(anon.status).toBe(401);
      expect(((await anon.json()) as { error: { message: string } }).error.message).toMatch(/sign in with POST \/api\/session/);
    }
  });

  it('DELETE /api/session ends the session: 204, cookie cleared, row gone, cookie no longer works', async () => {
    const who = await signIn(server, ADMIN.email, ADMIN.password);
    const hash = createHash('sha256').update(who.token).digest();
    const res = await session(who.headers(), 'DELETE');
    expect(res.status).toBe(204);
    const cleared = res.headers.getSetCookie()[0];
    expect(cleared).toMatch(/^keymint_session=; /);
    expect(cleared).toContain('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    const { rowCount } = await server.sql.query('SELECT 1 FROM sessions WHERE token_hash = $1', [hash]);
    expect(rowCount).toBe(0);
    expect((await session({ cookie: who.cookie })).status).toBe(401);
    // Signing out again is not an error.
    expect((await session(who.headers(), 'DELETE')).status).toBe(204);
  });
});

describe('session lifetime', () => {
  it('an expired session is not honoured, and a later sign-in sweeps it away', async () => {
    const who = await signIn(server, BASIC.email, BASIC.password);
    const hash = createHash('sha256').update(who.token).digest();
    await server.sql.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [hash]);
    expect((await session({ cookie: who.cookie })).status).toBe(401);
    await signIn(server, BASIC.email, BASIC.password);
    await expect.poll(async () => (await server.sql.query('SELECT 1 FROM sessions WHERE token_hash = $1', [hash])).rowCount).toBe(0);
  });
});

describe('CSRF and origin', () => {
  it('a state-changing call with the cookie needs the session CSRF token', async () => {
    const who = await signIn(server, ADMIN.email, ADMIN.password);
    const message = 'missing or wrong CSRF token: send the csrfToken from GET /api/session in X-CSRF-Token';
    for (const headers of [{ cookie: who.cookie }, who.headers({ 'x-csrf-token': 'x'.repeat(43) }), who.headers({ 'x-csrf-token': 'short' })]) {
      const res = await session(headers, 'DELETE');
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 403, message, status: 'PERMISSION_DENIED', details: [] } });
    }
    expect((await session({ cookie: who.cookie })).status).toBe(200); // still signed in
    // The same rule for every route behind consoleAuth.
    const other = await fetch(`${server.url}/api/projects`, { method: 'POST', headers: { cookie: who.cookie } });
    expect(other.status).toBe(403);
    expect((await session(who.headers(), 'DELETE')).status).toBe(204);
  });

  it('refuses a request from another origin, accepts its own', async () => {
    const evil = await post(server.url, ADMIN, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers.getSetCookie()).toEqual([]);
    const who = await signIn(server, ADMIN.email, ADMIN.password);
    expect((await session({ cookie: who.cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await session({ cookie: who.cookie, origin: 'null' })).status).toBe(403);
    expect((await session(who.headers({ origin: 'http://127.0.0.1:1' }), 'DELETE')).status).toBe(403);
    expect((await session({ cookie: who.cookie, origin: server.url })).status).toBe(200);
    const own = await session(who.headers({ origin: new URL(server.config.issuer).origin }), 'DELETE');
    expect(own.status).toBe(204);
  });
});

describe('routes behind consoleAuth', () => {
  it('need a session cookie or an access key', async () => {
    const anon = await fetch(`${server.url}/api/projects`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { message: string } }).error.message).toMatch(/sign in/);
    const who = await signIn(server, BASIC.email, BASIC.password);
    expect((await fetch(`${server.url}/api/no-such-route`, { headers: { cookie: who.cookie } })).status).toBe(404);
    const key = await server.bootstrap();
    expect((await fetch(`${server.url}/api/no-such-route`, { headers: { authorization: server.basic(key.accessKey.accessKeyId, key.secret) } })).status).toBe(404);
    const bad = await fetch(`${server.url}/api/no-such-route`, { headers: { authorization: server.basic(key.accessKey.accessKeyId, 'wrong'), cookie: who.cookie } });
    expect(bad.status).toBe(401); // Authorization, when sent, decides
  });
});

describe('bodies that are refused', () => {
  const cases: Array<[string, RequestInit, number, RegExp]> = [
    ['malformed JSON', { body: '{"email": "a@b.c", "password": ', headers: { 'content-type': 'application/json' } }, 400, /not valid JSON/],
    ['missing password', { body: '{"email": "a@b.c"}', headers: { 'content-type': 'application/json' } }, 400, /password is required/],
    ['missing email', { body: '{"password": "x"}', headers: { 'content-type': 'application/json' } }, 400, /email is required/],
    ['email of the wrong type', { body: '{"email": 42, "password": "x"}', headers: { 'content-type': 'application/json' } }, 400, /email must be a string/],
    ['password of the wrong type', { body: '{"email": "a@b.c", "password": ["x"]}', headers: { 'content-type': 'application/json' } }, 400, /password must be a string/],
    ['an array', { body: '[]', headers: { 'content-type': 'application/json' } }, 400, /must be a JSON object/],
    ['null', { body: 'null', headers: { 'content-type': 'application/json' } }, 400, /must be a JSON object/],
    ['an unknown field', { body: '{"email": "a@b.c", "password": "x", "admin": true}', headers: { 'content-type': 'application/json' } }, 400, /Unknown field.*admin/],
    ['an empty body', { headers: { 'content-type': 'application/json' } }, 400, /email is required/],
    ['a form', { body: 'email=a%40b.c&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, /must be JSON/],
    ['text', { body: '{"email": "a@b.c", "password": "x"}', headers: { 'content-type': 'text/plain' } }, 415, /must be JSON/],
    ['Latin-1', { body: '{"email": "a@b.c", "password": "x"}', headers: { 'content-type': 'application/json; charset=latin1' } }, 415, /UTF-8/],
    ['too large', { body: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70_000) }), headers: { 'content-type': 'application/json' } }, 413, /64 KiB/],
  ];
  it.each(cases)('%s: a readable 4xx, and no session', async (_name, init, status, message) => {
    const before = await sessionRows();
    const res = await fetch(`${server.url}/api/session`, { method: 'POST', ...init });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(status);
    expect(body.error.message).toMatch(message);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await sessionRows()).toBe(before);
  });
});

describe('lock-out after repeated failures', () => {
  it(`locks an email after ${LOCK_AFTER} failures in a minute, even for the right password, and audits it once`, async () => {
    // The budget is per calendar minute: start early in one so the failures share it.
    const second = new Date().getUTCSeconds();
    if (second > 45) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    const user = { email: 'lou.locked@example.test', password: 'Locked-password-for-the-session-test-3' };
    remember(user.password, 'Wrong-password-for-the-lockout-test');
    await addUser(server.sql, server.config.bcryptCost, accountId, { ...user, role: 'advanced' });
    for (let i = 0; i < LOCK_AFTER; i++) {
      expect((await post(server.url, { email: user.email, password: 'Wrong-password-for-the-lockout-test' })).status).toBe(401);
    }
    const locked = () => metric(server, 'keymint_console_sign_ins_total{result="locked"}');
    const compares = () => metric(server, 'keymint_bcrypt_compares_total');
    const [l0, c0] = [await locked(), await compares()];
    for (const password of [user.password, 'Wrong-password-for-the-lockout-test']) {
      const res = await post(server.url, { email: user.email.toUpperCase(), password });
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await res.json()) as { error: { message: string; status: string } };
      expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
      expect(body.error.message).toMatch(new RegExp(`locked for ${retryAfter} seconds because of repeated failed attempts`));
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    // While locked no password is checked: guessing costs the server nothing.
    expect([(await locked()) - l0, (await compares()) - c0]).toEqual([2, 0]);
    // Other people are not locked out.
    expect((await post(server.url, ADMIN)).status).toBe(200);

    const { rows } = await server.sql.query(
      "SELECT account_id, actor_type, actor_id, details, address FROM audit_events WHERE action = 'session.sign_in_failures'",
    );
    expect(rows).toEqual([{ account_id: accountId, actor_type: 'anonymous', actor_id: null, details: { email: user.email, failures: LOCK_AFTER }, address: expect.any(String) }]);

    // An unknown email locks the same way (the answer does not tell who exists), with no audit event.
    for (let i = 0; i < LOCK_AFTER; i++) expect((await post(server.url, { email: 'ghost@example.test', password: 'Wrong-password-for-the-lockout-test' })).status).toBe(401);
    expect((await post(server.url, { email: 'ghost@example.test', password: 'Wrong-password-for-the-lockout-test' })).status).toBe(429);
    const after = await server.sql.query("SELECT 1 FROM audit_events WHERE action = 'session.sign_in_failures'");
    expect(after.rowCount).toBe(1);
  });
});

describe('failed sign-ins are audited', () => {
  it("each wrong password of a known e-mail is in its account's audit log with the address; an unknown e-mail is in none", async () => {
    const user = { email: 'fay.failing@example.test', password: 'Failing-password-for-the-session-test-5' };
    remember(user.password, 'Not-fays-password');
    await addUser(server.sql, server.config.bcryptCost, accountId, { ...user, role: 'basic' });
    for (let i = 0; i < 2; i++) expect((await post(server.url, { email: user.email, password: 'Not-fays-password' })).status).toBe(401);
    expect((await post(server.url, { email: 'nobody.here@example.test', password: 'Not-fays-password' })).status).toBe(401);
    const failed = async () =>
      (await server.sql.query("SELECT account_id, actor_type, actor_id, details, address FROM audit_events WHERE action = 'session.sign_in_failed'")).rows;
    // Written after the answer (its timing must not tell a known e-mail from an unknown one).
    await expect.poll(async () => (await failed()).filter((r) => r.details.email === user.email).length, { timeout: 5_000 }).toBe(2);
    const rows = await failed();
    expect(rows.filter((r) => r.details.email === user.email)).toEqual([
      { account_id: accountId, actor_type: 'anonymous', actor_id: null, details: { email: user.email }, address: expect.stringMatching(/127\.0\.0\.1/) },
      { account_id: accountId, actor_type: 'anonymous', actor_id: null, details: { email: user.email }, address: expect.stringMatching(/127\.0\.0\.1/) },
    ]);
    expect(rows.some((r) => r.details.email === 'nobody.here@example.test')).toBe(false);
    // No password, wrong or right, is in the event.
    expect(JSON.stringify(rows)).not.toContain('Not-fays-password');
  });
});

describe('changes to the user reach an existing session at once', () => {
  it('a role change shows in the next call, and a removed user is signed out', async () => {
    const user = { email: 'val.changing@example.test', password: 'Changing-password-for-the-session-test-4' };
    remember(user.password);
    const added = await addUser(server.sql, server.config.bcryptCost, accountId, { ...user, role: 'advanced' });
    const who = await signIn(server, user.email, user.password);
    expect(who.session.user.role).toBe('advanced');
    await changeUserRole(server.sql, accountId, added.userId, 'basic');
    const res = await session({ cookie: who.cookie });
    expect(((await res.json()) as { user: { role: string } }).user.role).toBe('basic');

    await removeUser(server.sql, accountId, added.userId);
    expect((await session({ cookie: who.cookie })).status).toBe(401);
    const { rowCount } = await server.sql.query('SELECT 1 FROM sessions WHERE user_id = $1', [added.userId]);
    expect(rowCount).toBe(0);
  });
});

describe('secret hygiene', () => {
  it('no password, cookie token or CSRF token is in the server log', async () => {
    const who = await signIn(server, ADMIN.email, ADMIN.password);
    remember(who.token, who.csrfToken);
    await new Promise((r) => setTimeout(r, 200)); // pino writes asynchronously
    for (const s of [server, proxied]) {
      const log = readFileSync(s.logFile, 'utf8');
      expect(log).toContain('"msg":"request"');
      for (const value of seen) expect(log.includes(value), 'a recorded secret is in the log').toBe(false);
    }
  });
});
