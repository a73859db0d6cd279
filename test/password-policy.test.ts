// Issue #11 item 8: `password` was accepted as an Administrator's password, and bcrypt
// silently ignored everything past 72 bytes (so two long passwords sharing their first 72
// bytes were the same password). Now console and legacy passwords are checked against a
// list of common leaked passwords, an Administrator's has a floor of 12 characters, and past
// 72 bytes the answer is an explicit error. Each attack through the console API as an
// Administrator would make it, and through createAccount (the CLI's path).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/accounts.js';
import { startTestServer, recordSecret, type TestServer } from './helpers/server.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';

let s: TestServer;
let acct: ConsoleAccount;
let n = 0;

beforeAll(async () => {
  s = await startTestServer();
  acct = await consoleAccount(s);
});
afterAll(() => s?.close());

const addUser = (password: string, role = 'administrator') => {
  recordSecret(password);
  return acct.users.administrator.call('POST', '/account/users', { email: `policy-${++n}-${Date.now()}@example.com`, password, role });
};
const COMMON = /on the list of the most common leaked passwords/;

describe('console users', () => {
  it.each(['password', 'Password1', 'password1234', 'qwertyuiop12', 'iloveyou', '12345678'])('refuses the common password %j for any role', async (password) => {
    for (const role of ['administrator', 'advanced', 'basic']) {
      const res = await addUser(password, role);
      expect(res.status, res.text).toBe(400);
      if ([...password].length >= (role === 'administrator' ? 12 : 8)) expect(res.body.error.message).toMatch(COMMON);
    }
  });

  it('refuses a common password at account creation (the CLI path) too', async () => {
    await expect(createAccount(s.sql, 4, { name: 'Weak', adminEmail: `weak-${Date.now()}@example.com`, adminPassword: 'password1234' })).rejects.toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: expect.stringMatching(COMMON),
    });
  });

  it("sets a floor of 12 characters for an Administrator's password, 8 for the others", async () => {
    const eleven = 'Kq7-elevenc';
    const res = await addUser(eleven, 'administrator');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("An Administrator's password must be at least 12 characters long; this one has 11.");
    expect((await addUser(eleven, 'advanced')).status).toBe(201);
    expect((await addUser('Kq7-sevn', 'basic')).status).toBe(201);
    expect((await addUser('Kq7-sev', 'basic')).body.error.message).toBe('The password must be at least 8 characters long; this one has 7.');
    expect((await addUser('Kq7-twelvech', 'administrator')).status).toBe(201);
  });

  it("applies the same rules when a user changes their own password (an Administrator's floor included)", async () => {
    const admin = acct.users.administrator;
    for (const [newPassword, message] of [
      ['Kq7-elevenc', /An Administrator's password must be at least 12 characters/],
      ['password1234', COMMON],
      ['Kq7-'.repeat(19), /at most 72 bytes/],
    ] as const) {
      const res = await admin.call('POST', '/session/password', { currentPassword: admin.password, newPassword });
      expect(res.status, res.text).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('refuses a password past 72 bytes with an explicit error, instead of bcrypt truncating it', async () => {
    const base = 'Kq7-'.repeat(18); // 72 bytes
    expect((await addUser(base)).status).toBe(201);
    for (const [password, bytes] of [[`${base}X`, 73], ['é'.repeat(37), 74], ['😀'.repeat(19), 76]] as const) {
      const res = await addUser(password);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `The password must be at most 72 bytes in UTF-8 (bcrypt ignores anything past that); this one has ${bytes}. Characters outside ASCII take 2 to 4 bytes each.`,
      );
    }
  });

  it('the truncation attack: no stored password is longer than 72 bytes, so none has a free suffix', async () => {
    const { rows } = await s.sql.query('SELECT count(*)::int AS n FROM users WHERE account_id = $1', [acct.accountId]);
    const before = rows[0].n;
    expect((await addUser(`${'Kq7-'.repeat(18)}anything after byte 72`)).status).toBe(400);
    expect((await s.sql.query('SELECT count(*)::int AS n FROM users WHERE account_id = $1', [acct.accountId])).rows[0].n).toBe(before);
  });
});

describe('legacy credentials', () => {
  const base = () => `/projects/${acct.projectId}/credentials`;

  it('refuse a common password at creation and on change', async () => {
    for (const password of ['Passw0rd', 'Password1', 'Qwerty123', 'Abc123']) {
      const res = await acct.users.administrator.call('POST', base(), { kind: 'legacy', username: `weak.${++n}.${Date.now()}`, password });
      expect(res.status, password).toBe(400);
      expect(res.body.error.message).toMatch(COMMON);
    }
    recordSecret('Kx7Legacy');
    const made = await acct.users.administrator.call('POST', base(), { kind: 'legacy', username: `strong.${Date.now()}`, password: 'Kx7Legacy' });
    expect(made.status, made.text).toBe(201);
    const changed = await acct.users.administrator.call('PATCH', `${base()}/${made.body.credential.credentialId}`, { password: 'Passw0rd' });
    expect(changed.status).toBe(400);
    expect(changed.body.error.message).toMatch(COMMON);
  });
});
