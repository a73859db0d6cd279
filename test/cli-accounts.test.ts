// `keymint accounts|users|projects`, run from dist/ as an operator runs them.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcryptCompare } from '../src/auth/bcrypt-lane.js';
import { generateMasterKey } from '../src/crypto/master-key.js';
import { requestVerification } from '../src/accounts/accounts.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { CLI, run, type Run } from './helpers/processes.js';

let database: TestDatabase;
let sql: pg.Pool;
const masterKey = generateMasterKey();
beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Pool({ connectionString: database.url, max: 2 });
});
afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

const env = () => ({ DATABASE_URL: database.url, KEYMINT_MASTER_KEY: masterKey, BCRYPT_COST: '4' });
const keymint = (...args: string[]) => run(CLI, args, env());

const keymintWithInput = (input: string, ...args: string[]): Promise<Run> => run(CLI, args, env(), input);

const hashOf = async (email: string) => (await sql.query('SELECT password_hash FROM users WHERE email = $1', [email])).rows[0]?.password_hash as string | undefined;
const accountCount = async () => Number((await sql.query('SELECT count(*)::int AS n FROM accounts')).rows[0].n);
const ok = (r: Run) => {
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const json = (r: Run) => JSON.parse(ok(r).stdout);
const fails = (r: Run, text: string) => {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(text);
};

let accountId: string;

describe('keymint accounts', () => {
  it('create --json makes an unverified account and prints a generated password once', async () => {
    const out = json(await keymint('accounts', 'create', '--name', 'Acme', '--admin-email', 'Boss@Acme.Example', '--json'));
    accountId = out.account.accountId;
    expect(out.account).toMatchObject({ name: 'Acme', verified: false, verificationRequested: false });
    expect(out.administrator).toMatchObject({ accountId, email: 'boss@acme.example', role: 'administrator' });
    expect(out.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const hash = (await hashOf('boss@acme.example'))!;
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await bcryptCompare(out.password, hash)).toBe(true);
  });

  it('create without --json prints the IDs, the password and a warning', async () => {
    const r = ok(await keymint('accounts', 'create', '--name', 'Beta', '--admin-email', 'b@beta.example'));
    expect(r.stdout).toMatch(/Account ID:\s+[0-9a-f-]{36}/);
    expect(r.stdout).toMatch(/Password:\s+[A-Za-z0-9_-]{24}\n/);
    expect(r.stdout).toContain('shown only this once');
  });

  it('create --admin-password-stdin takes the password from stdin and never prints it', async () => {
    const r = await keymintWithInput('Stdin-pass-1\n', 'accounts', 'create', '--name', 'Gamma', '--admin-email', 'g@gamma.example', '--admin-password-stdin', '--json');
    const out = json(r);
    expect(out).not.toHaveProperty('password');
    expect(r.stdout + r.stderr).not.toContain('Stdin-pass-1');
    expect(await bcryptCompare('Stdin-pass-1', (await hashOf('g@gamma.example'))!)).toBe(true);
  });

  it.each([
    [['--admin-email', 'not-an-email'], 'x'.repeat(12), 'not a valid email address'],
    [['--admin-email', 'BOSS@acme.example'], 'x'.repeat(12), 'already exists'],
    [['--admin-email', 'short@d.example'], '1234567', 'at least 12 characters'],
    [['--admin-email', 'long@d.example'], 'x'.repeat(129), 'at most 72 bytes'],
  ])('create %j refuses with a message and makes no account', async (args, password, message) => {
    const before = await accountCount();
    fails(await keymintWithInput(password, 'accounts', 'create', '--name', 'Bad', ...args, '--admin-password-stdin'), message);
    expect(await accountCount()).toBe(before);
  });

  it('list shows whether each account is verified and whether verification was requested', async () => {
    const all = json(await keymint('accounts', 'list', '--json'));
    expect(all.map((a: { name: string }) => a.name)).toEqual(['Acme', 'Beta', 'Gamma']);
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await requestVerification(pool, accountId).finally(() => pool.end());
    const after = json(await keymint('accounts', 'list', '--json')).find((a: { accountId: string }) => a.accountId === accountId);
    expect(after).toMatchObject({ verified: false, verificationRequested: true });
    const text = ok(await keymint('accounts', 'list')).stdout;
    expect(text).toContain(accountId);
    // A table: a header row, one row per account, no index column, no quotes.
    const [header, ...rows] = text.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['ACCOUNT ID', 'NAME', 'VERIFIED', 'VERIFICATION REQUESTED']);
    expect(rows.find((r) => r.startsWith(accountId))!.split(/\s{2,}/)).toEqual([accountId, 'Acme', 'no', 'yes']);
    expect(text).not.toMatch(/\(index\)|'|"|│/);
  });

  it('verify ID verifies the account; an unknown or malformed ID is an error', async () => {
    expect(ok(await keymint('accounts', 'verify', accountId)).stdout).toContain(`Account ${accountId} (Acme) is verified.`);
    const listed = json(await keymint('accounts', 'list', '--json')).find((a: { accountId: string }) => a.accountId === accountId);
    expect(listed.verified).toBe(true);
    fails(await keymint('accounts', 'verify', crypto.randomUUID()), 'There is no account');
    fails(await keymint('accounts', 'verify', 'acme'), 'the account ID must be an ID like');
  });
});

describe('keymint users add', () => {
  it('adds a user with a role, lower-casing the email', async () => {
    const r = await keymintWithInput('Advanced-pass\n', 'users', 'add', '--account', accountId, '--email', 'Ada@Acme.Example', '--role', 'advanced', '--password-stdin', '--json');
    expect(json(r).user).toMatchObject({ accountId, email: 'ada@acme.example', role: 'advanced' });
    expect(await bcryptCompare('Advanced-pass', (await hashOf('ada@acme.example'))!)).toBe(true);
    const generated = json(await keymint('users', 'add', '--account', accountId, '--email', 'bo@acme.example', '--role', 'basic', '--json'));
    expect(generated.user.role).toBe('basic');
    expect(await bcryptCompare(generated.password, (await hashOf('bo@acme.example'))!)).toBe(true);
  });

  it.each([
    [['--role', 'owner', '--email', 'c@acme.example'], '--role must be one of administrator, advanced, basic'],
    [['--role', 'basic', '--email', 'ADA@acme.example'], 'already exists'],
    [['--role', 'basic', '--email', 'c@'], 'not a valid email address'],
  ])('refuses %j', async (args, message) => {
    fails(await keymint('users', 'add', '--account', accountId, ...args), message);
  });

  it('refuses an unknown account and a short password', async () => {
    fails(await keymint('users', 'add', '--account', crypto.randomUUID(), '--email', 'd@acme.example', '--role', 'basic'), 'There is no account');
    fails(await keymintWithInput('short', 'users', 'add', '--account', accountId, '--email', 'e@acme.example', '--role', 'basic', '--password-stdin'), 'at least 8 characters');
    expect(await hashOf('e@acme.example')).toBeUndefined();
  });
});

describe('keymint projects', () => {
  it('creates projects and lists them with their Project IDs', async () => {
    const prod = json(await keymint('projects', 'create', '--account', accountId, '--name', 'Prod', '--json'));
    const staging = json(await keymint('projects', 'create', '--account', accountId, '--name', 'Staging', '--json'));
    expect(prod).toMatchObject({ accountId, name: 'Prod', projectId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(json(await keymint('projects', 'list', '--account', accountId, '--json'))).toEqual([prod, staging]);
    const text = ok(await keymint('projects', 'list', '--account', accountId)).stdout;
    expect(text).toContain(prod.projectId);
    expect(text).toContain(staging.projectId);
  });

  it('refuses a duplicate name and an unknown account', async () => {
    fails(await keymint('projects', 'create', '--account', accountId, '--name', 'Prod'), 'already has a project named "Prod"');
    fails(await keymint('projects', 'list', '--account', crypto.randomUUID()), 'There is no account');
    fails(await keymint('projects', 'create', '--account', 'nope', '--name', 'X'), '--account must be an ID like');
  });
});
