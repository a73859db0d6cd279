// Accounts, users, roles, verification and projects: the services on a real Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcryptCompare } from '../src/auth/bcrypt-lane.js';
import { createPool, type Db } from '../src/db/pool.js';
import { migrate } from '../src/db/migrate.js';
import { createAccount, listAccounts, requestVerification, verifyAccount } from '../src/accounts/accounts.js';
import { createProject, listProjects } from '../src/accounts/projects.js';
import { canManageCredentials, canViewCredentials, ROLES, type Role } from '../src/kernel/roles.js';
import { addUser, changeUserRole, listUsers, removeUser } from '../src/accounts/users.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  await migrate(database.url);
  db = createPool(database.url, 4);
});
afterAll(async () => {
  await db?.end();
  await database?.drop();
});

const COST = 4;
let n = 0;
const email = () => `user${++n}.${Date.now()}@example.com`;
const PASSWORD = 'correct horse';
const refused = (status: string, text: string) => ({ status, message: expect.stringContaining(text) });

/** A fresh account whose users have the given roles, in order (the first is its creator). */
async function accountWith(roles: Role[]) {
  const { account, administrator } = await createAccount(db, COST, { name: 'Acme', adminEmail: email(), adminPassword: PASSWORD });
  const users = [administrator];
  for (const role of roles.slice(1)) users.push(await addUser(db, COST, account.accountId, { email: email(), password: PASSWORD, role }));
  for (const [i, role] of roles.entries()) if (users[i].role !== role) users[i] = await changeUserRole(db, account.accountId, users[i].userId, role);
  return { accountId: account.accountId, users };
}
const rolesOf = async (accountId: string) => (await listUsers(db, accountId)).map((u) => `${u.email}:${u.role}`).sort();

describe('creating an account with its first Administrator', () => {
  it('makes an unverified account, stores the email lower-cased and the password as bcrypt only', async () => {
    const adminEmail = `  Boss.${Date.now()}@Example.COM `;
    const { account, administrator } = await createAccount(db, COST, { name: ' Acme ', adminEmail, adminPassword: 'S3cret-pass-2' });
    expect(account).toMatchObject({ name: 'Acme', verified: false, verificationRequested: false });
    expect(administrator).toMatchObject({ accountId: account.accountId, role: 'administrator', email: adminEmail.trim().toLowerCase() });
    const { rows } = await db.query('SELECT password_hash, row_to_json(u)::text AS everything FROM users u WHERE id = $1', [administrator.userId]);
    expect(rows[0].password_hash).toMatch(/^\$2b\$04\$/);
    expect(await bcryptCompare('S3cret-pass-2', rows[0].password_hash)).toBe(true);
    expect(await bcryptCompare('S3cret-pasS-2', rows[0].password_hash)).toBe(false);
    expect(rows[0].everything).not.toContain('S3cret-pass-2');
  });

  it('refuses a taken email in any case, across accounts, and leaves no account behind', async () => {
    const taken = email();
    const { accountId } = await accountWith(['administrator']);
    const before = (await listAccounts(db)).length;
    await addUser(db, COST, accountId, { email: taken, password: PASSWORD, role: 'basic' });
    for (const variant of [taken.toUpperCase(), ` ${taken} `]) {
      await expect(addUser(db, COST, accountId, { email: variant, password: PASSWORD, role: 'basic' })).rejects.toMatchObject(refused('ALREADY_EXISTS', taken));
      await expect(createAccount(db, COST, { name: 'B', adminEmail: variant, adminPassword: PASSWORD })).rejects.toMatchObject(refused('ALREADY_EXISTS', taken));
    }
    expect((await listAccounts(db)).length).toBe(before);
  });

  const long = `${'a'.repeat(64)}@${'b'.repeat(185)}.com`;
  it.each([
    ['a@b.co', true],
    ['First.Last+tag@Example.COM', true],
    [long, true],
    [`a${long}`, false],
    ['', false],
    ['plain', false],
    ['a@', false],
    ['@b.co', false],
    ['a b@c.io', false],
    ['a@b', false],
  ])('email %j accepted: %s', async (address, ok) => {
    const { accountId } = await accountWith(['administrator']);
    // Each address appears once in this file's database, so an accepted one is never taken.
    const result = addUser(db, COST, accountId, { email: address, password: PASSWORD, role: 'basic' });
    if (ok) expect((await result).email).toBe(address.toLowerCase());
    else await expect(result).rejects.toMatchObject({ status: 'INVALID_ARGUMENT' });
  });

  // The Administrator's rules (test/password-policy.test.ts has every role and message).
  it.each([
    ['', false],
    ['Kq7-elevenc', false],
    ['Kq7-twelvech', true],
    ['x'.repeat(72), true],
    ['x'.repeat(73), false],
    ['😀'.repeat(12), true], // 12 characters (24 UTF-16 units, 48 bytes)
    ['😀'.repeat(6), false], // 6 characters, though 12 UTF-16 units
    ['password1234', false], // common
  ])('password %j accepted: %s', async (password, ok) => {
    const result = createAccount(db, COST, { name: 'P', adminEmail: email(), adminPassword: password });
    if (ok) expect((await result).administrator.role).toBe('administrator');
    else await expect(result).rejects.toMatchObject({ status: 'INVALID_ARGUMENT' });
  });
});

describe('roles: an account always keeps an Administrator', () => {
  it.each<[Role[], number, Role | 'remove', boolean]>([
    [['administrator'], 0, 'advanced', false],
    [['administrator'], 0, 'basic', false],
    [['administrator'], 0, 'remove', false],
    [['administrator', 'advanced'], 0, 'advanced', false],
    [['administrator', 'basic'], 0, 'remove', false],
    [['administrator'], 0, 'administrator', true],
    [['administrator', 'administrator'], 0, 'basic', true],
    [['administrator', 'administrator'], 1, 'remove', true],
    [['administrator', 'advanced'], 1, 'administrator', true],
    [['administrator', 'advanced'], 1, 'basic', true],
    [['administrator', 'basic'], 1, 'advanced', true],
    [['administrator', 'basic'], 1, 'remove', true],
    [['advanced', 'administrator'], 0, 'remove', true],
  ])('users %j: user %i -> %s allowed: %s', async (roles, target, action, ok) => {
    const { accountId, users } = await accountWith(roles);
    const before = await rolesOf(accountId);
    const { userId, email: who } = users[target];
    const change = action === 'remove' ? removeUser(db, accountId, userId) : changeUserRole(db, accountId, userId, action);
    if (!ok) {
      await expect(change).rejects.toMatchObject(refused('FAILED_PRECONDITION', 'at least one Administrator'));
      expect(await rolesOf(accountId)).toEqual(before);
      return;
    }
    await change;
    const expected = before.filter((r) => !r.startsWith(`${who}:`)).concat(action === 'remove' ? [] : [`${who}:${action}`]).sort();
    expect(await rolesOf(accountId)).toEqual(expected);
  });

  it('lets one of two Administrators step down, not both, even at the same time', async () => {
    for (let round = 0; round < 5; round++) {
      const { accountId, users } = await accountWith(['administrator', 'administrator']);
      const results = await Promise.allSettled(users.map((u) => changeUserRole(db, accountId, u.userId, 'basic')));
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await listUsers(db, accountId)).filter((u) => u.role === 'administrator')).toHaveLength(1);
    }
  });

  it('finds users only in their own account, and refuses unknown or malformed IDs', async () => {
    const a = await accountWith(['administrator', 'basic']);
    const b = await accountWith(['administrator']);
    await expect(removeUser(db, b.accountId, a.users[1].userId)).rejects.toMatchObject({ status: 'NOT_FOUND' });
    await expect(changeUserRole(db, crypto.randomUUID(), a.users[1].userId, 'basic')).rejects.toMatchObject(refused('NOT_FOUND', 'no account'));
    await expect(removeUser(db, 'nope', a.users[1].userId)).rejects.toMatchObject(refused('INVALID_ARGUMENT', 'account ID'));
    await expect(addUser(db, COST, crypto.randomUUID(), { email: email(), password: PASSWORD, role: 'basic' })).rejects.toMatchObject({ status: 'NOT_FOUND' });
    expect(await rolesOf(a.accountId)).toHaveLength(2);
  });

  it('refuses a role that does not exist, naming the three', async () => {
    const { accountId } = await accountWith(['administrator']);
    const added = addUser(db, COST, accountId, { email: email(), password: PASSWORD, role: 'owner' as Role });
    await expect(added).rejects.toMatchObject(refused('INVALID_ARGUMENT', 'administrator, advanced, basic'));
  });

  it.each(ROLES)('%s: may view credentials; may manage them only as administrator', (role) => {
    expect(canViewCredentials(role)).toBe(true);
    expect(canManageCredentials(role)).toBe(role === 'administrator');
  });
});

describe('verification and projects', () => {
  it('records the first verification request, then an operator verifies', async () => {
    const { accountId } = await accountWith(['administrator']);
    const first = await requestVerification(db, accountId);
    expect(first).toMatchObject({ verificationRequested: true, verified: false });
    expect((await requestVerification(db, accountId)).verificationRequestTime).toBe(first.verificationRequestTime);
    const verified = await verifyAccount(db, accountId);
    expect(verified).toMatchObject({ verified: true, verificationRequestTime: first.verificationRequestTime });
    expect((await verifyAccount(db, accountId)).verifyTime).toBe(verified.verifyTime);
    expect((await listAccounts(db)).find((a) => a.accountId === accountId)).toMatchObject({ verified: true, verificationRequested: true });
    await expect(verifyAccount(db, crypto.randomUUID())).rejects.toMatchObject({ status: 'NOT_FOUND' });
    await expect(requestVerification(db, crypto.randomUUID())).rejects.toMatchObject({ status: 'NOT_FOUND' });
  });

  it('lists the projects of an account with their IDs, and only that account', async () => {
    const a = await accountWith(['administrator']);
    const b = await accountWith(['administrator']);
    const made = [await createProject(db, a.accountId, 'Prod'), await createProject(db, a.accountId, ' Staging ')];
    await createProject(db, b.accountId, 'Prod');
    expect(await listProjects(db, a.accountId)).toEqual(made);
    expect(made.map((p) => p.name)).toEqual(['Prod', 'Staging']);
    expect(made[0].projectId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(createProject(db, a.accountId, 'Prod')).rejects.toMatchObject({ status: 'ALREADY_EXISTS' });
    await expect(createProject(db, a.accountId, '  ')).rejects.toMatchObject({ status: 'INVALID_ARGUMENT' });
    await expect(listProjects(db, crypto.randomUUID())).rejects.toMatchObject({ status: 'NOT_FOUND' });
  });
});
