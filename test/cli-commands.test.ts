// `keymint keys|projects|users|token|introspect|completion`, run from dist/ as an operator
// runs them, against a real server and its Postgres database: every command's text and
// --json output, and every refusal (checked before any database work).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bcryptCompare } from '../src/auth/bcrypt-lane.js';
import { CLI, run, type Run } from './helpers/processes.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { recordSecret, recordToken, startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';

// Each test runs the command several times (a Node process each): generous on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let server: TestServer;
let boot: Bootstrapped;
let people: ConsoleAccount;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  boot = await server.bootstrap();
  people = await consoleAccount(server);
  dir = await mkdtemp(join(tmpdir(), 'keymint-cli-commands-'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: server.database.url, BCRYPT_COST: '4', KEYMINT_URL: server.url, ...extra });
const keymint = (...args: string[]) => run(CLI, args, env());
const withInput = (input: string, ...args: string[]) => run(CLI, args, env(), input);
const ok = (r: Run) => {
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const json = (r: Run) => JSON.parse(ok(r).stdout);
const fails = (r: Run, code: number, text: string) => {
  expect(r.code, r.stdout + r.stderr).toBe(code);
  expect(r.stderr).toContain(text);
  expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack
};
/** A table's rows split into cells (two or more spaces apart). */
const cells = (text: string) => text.trim().split('\n').map((l) => l.split(/\s{2,}/));

describe('keymint keys', () => {
  let created: { accessKey: { accessKeyId: string; displayName: string }; secret: string };

  it('create prints the Key ID and the secret once; --json is the v1 answer', async () => {
    created = json(await keymint('keys', 'create', '--project', boot.projectId, '--name', 'ci-runner', '--json'));
    recordSecret(created.secret, created.accessKey.accessKeyId);
    expect(created.accessKey).toMatchObject({ displayName: 'ci-runner', projectId: boot.projectId });
    expect(created.secret).toMatch(/^kmsk_/);
    const text = ok(await keymint('keys', 'create', '--project', boot.projectId, '--name', 'deployer', '--expire-time', '2030-01-01T00:00:00Z')).stdout;
    expect(text).toMatch(/^Key ID:\s+[0-9a-f-]{36}\nKey Secret:\s+kmsk_\w+\n\nThe Key Secret is shown only this once/);
    recordSecret(/Key Secret:\s+(\S+)/.exec(text)![1]);
  });

  it('list is a table with a header row, no index column and no quotes; --json a list', async () => {
    const text = ok(await keymint('keys', 'list', '--project', boot.projectId)).stdout;
    const [header, ...rows] = cells(text);
    expect(header).toEqual(['KEY ID', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED']);
    expect(rows.map((r) => r[1])).toEqual([boot.accessKey.displayName, 'ci-runner', 'deployer']);
    expect(rows[2][3]).toBe('2030-01-01T00:00:00.000Z');
    expect(text).not.toMatch(/\(index\)|'|"|│/);
    const all = json(await keymint('keys', 'list', '--project', boot.projectId, '--json'));
    expect(all.map((k: { accessKeyId: string }) => k.accessKeyId)).toContain(created.accessKey.accessKeyId);
    expect(JSON.stringify(all)).not.toContain(created.secret);
  });

  it('the created key gets a token from the server at once: keymint token, then introspect', async () => {
    const token = ok(await withInput(created.secret, 'token', '--key-id', created.accessKey.accessKeyId, '--secret-stdin')).stdout.trim();
    recordToken(token);
    expect(token.split('.')).toHaveLength(3);
    const full = json(await run(CLI, ['token', '--key-id', created.accessKey.accessKeyId, '--json'], env({ KEYMINT_KEY_SECRET: created.secret })));
    recordToken(full.access_token);
    expect(full).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number) });
    const seen = json(await run(CLI, ['introspect', token, '--key-id', created.accessKey.accessKeyId, '--json'], env({ KEYMINT_KEY_SECRET: created.secret })));
    expect(seen).toMatchObject({ active: true, client_id: created.accessKey.accessKeyId, project_id: boot.projectId });
    const text = ok(await run(CLI, ['introspect', token, '--key-id', boot.accessKey.accessKeyId], env({ KEYMINT_KEY_SECRET: boot.secret }))).stdout;
    expect(text).toMatch(/^Active:\s+yes\nClient ID:\s+[0-9a-f-]{36}\nProject ID:\s+/);
    expect(text).not.toContain(token);
  });

  it('token refuses a wrong secret, a missing secret and an unreachable server, each in one line', async () => {
    fails(await withInput('kmsk_' + 'x'.repeat(49), 'token', '--key-id', created.accessKey.accessKeyId, '--secret-stdin'), 1, 'The server refused (401): invalid_client');
    fails(await keymint('token', '--key-id', created.accessKey.accessKeyId), 1, 'Give the Key Secret on stdin with --secret-stdin, or in KEYMINT_KEY_SECRET');
    fails(await run(CLI, ['token', '--key-id', created.accessKey.accessKeyId, '--url', 'http://127.0.0.1:9'], env({ KEYMINT_KEY_SECRET: created.secret })), 1, 'No Keymint answers at http://127.0.0.1:9');
    fails(await keymint('token', '--key-id', created.accessKey.accessKeyId, '--url', 'ftp://x'), 2, '--url must be an http(s) URL');
  });

  it('get shows one key and never a secret; rename changes its name', async () => {
    const text = ok(await keymint('keys', 'get', '--project', boot.projectId, created.accessKey.accessKeyId)).stdout;
    expect(text).toMatch(new RegExp(`^Key ID:\\s+${created.accessKey.accessKeyId}\\nName:\\s+ci-runner\\n`));
    expect(text).toContain('Expires:     never');
    const renamed = json(await keymint('keys', 'rename', '--project', boot.projectId, created.accessKey.accessKeyId, '--name', 'ci', '--json'));
    expect(renamed.displayName).toBe('ci');
    const audit = await server.sql.query("SELECT actor_type, actor_name FROM audit_events WHERE action = 'credential.label_change' AND credential_label = 'ci'");
    expect(audit.rows).toEqual([{ actor_type: 'anonymous', actor_name: 'keymint CLI' }]);
  });

  it('refuses a duplicate name, an unknown key or project, and malformed input (before any database work)', async () => {
    fails(await keymint('keys', 'create', '--project', boot.projectId, '--name', 'deployer'), 1, 'An access key named "deployer" already exists');
    fails(await keymint('keys', 'get', '--project', boot.projectId, crypto.randomUUID()), 1, 'does not exist in this project');
    fails(await keymint('keys', 'list', '--project', crypto.randomUUID()), 1, 'does not exist');
    fails(await keymint('keys', 'get', '--project', 'prod', created.accessKey.accessKeyId), 2, '--project must be an ID like');
    fails(await keymint('keys', 'create', '--project', boot.projectId, '--name', ' '), 2, '--name must be 1 to 100 characters');
    fails(await keymint('keys', 'create', '--project', boot.projectId, '--name', 'x', '--expire-time', 'tomorrow'), 2, '--expire-time must be an ISO 8601 time');
    fails(await keymint('keys', 'create', '--project', boot.projectId, '--name', 'x', '--expire-time', '2001-01-01T00:00:00Z'), 1, 'expireTime must be in the future');
    fails(await keymint('keys', 'frobnicate'), 2, "unknown command 'frobnicate'");
  });

  it('delete removes the key: the server refuses its token from then on', async () => {
    expect(json(await keymint('keys', 'delete', '--project', boot.projectId, created.accessKey.accessKeyId, '--json'))).toEqual({});
    fails(await run(CLI, ['token', '--key-id', created.accessKey.accessKeyId], env({ KEYMINT_KEY_SECRET: created.secret })), 1, 'invalid_client');
    fails(await keymint('keys', 'delete', '--project', boot.projectId, created.accessKey.accessKeyId), 1, 'does not exist');
  });
});

describe('keymint projects', () => {
  it('create, list, rename; delete is refused while credentials remain, then done', async () => {
    const accountId = boot.accountId;
    const p = json(await keymint('projects', 'create', '--account', accountId, '--name', 'Staging', '--json'));
    const [header, ...rows] = cells(ok(await keymint('projects', 'list', '--account', accountId)).stdout);
    expect(header).toEqual(['PROJECT ID', 'NAME', 'CREATED']);
    expect(rows.map((r) => r[1])).toEqual([expect.any(String), 'Staging']);
    expect(ok(await keymint('projects', 'rename', '--account', accountId, p.projectId, '--name', 'Stage')).stdout).toContain(`Project ${p.projectId} is now named "Stage".`);
    fails(await keymint('projects', 'rename', '--account', accountId, p.projectId, '--name', (await keymint('projects', 'list', '--account', accountId, '--json')).stdout.match(/"name":"([^"]+)"/)![1]), 1, 'already has a project named');
    const key = json(await keymint('keys', 'create', '--project', p.projectId, '--name', 'k', '--json'));
    recordSecret(key.secret, key.accessKey.accessKeyId);
    fails(await keymint('projects', 'delete', '--account', accountId, p.projectId), 1, 'still has 1 API credential (1 REST Basic): nothing was deleted');
    expect(json(await keymint('keys', 'list', '--project', p.projectId, '--json'))).toHaveLength(1);
    expect(json(await keymint('projects', 'delete', '--account', accountId, p.projectId, '--with-credentials', '--json'))).toEqual({ deleted: p.projectId, deletedCredentials: 1 });
    fails(await run(CLI, ['token', '--key-id', key.accessKey.accessKeyId], env({ KEYMINT_KEY_SECRET: key.secret })), 1, 'invalid_client');
    fails(await keymint('projects', 'delete', '--account', accountId, p.projectId), 1, `There is no project ${p.projectId}`);
    fails(await keymint('projects', 'rename', '--account', people.accountId, boot.projectId, '--name', 'Stolen'), 1, 'There is no project');
  });
});

describe('keymint users', () => {
  it('list is a table of the account’s people with their roles', async () => {
    const [header, ...rows] = cells(ok(await keymint('users', 'list', '--account', people.accountId)).stdout);
    expect(header).toEqual(['USER ID', 'EMAIL', 'ROLE', 'ADDED']);
    expect(rows.map((r) => r[2]).sort()).toEqual(['administrator', 'advanced', 'basic']);
    const all = json(await keymint('users', 'list', '--account', people.accountId, '--json'));
    expect(JSON.stringify(all)).not.toMatch(/password|\$2b\$/);
  });

  it('set-password sets a new one (from stdin, or generated and printed once) and signs the user out', async () => {
    const user = people.users.basic;
    const userId = user.session.session.user.userId;
    expect((await user.call('GET', '/session')).status).toBe(200);
    const r = await withInput('A-new-password-42\n', 'users', 'set-password', '--account', people.accountId, userId, '--password-stdin');
    expect(ok(r).stdout).toContain(`The password of ${user.email} is changed; their sessions are signed out.`);
    expect(r.stdout + r.stderr).not.toContain('A-new-password-42');
    recordSecret('A-new-password-42');
    const hash = (await server.sql.query('SELECT password_hash FROM users WHERE id = $1', [userId])).rows[0].password_hash;
    expect(await bcryptCompare('A-new-password-42', hash)).toBe(true);
    expect((await user.call('GET', '/session')).status).toBe(401);
    const generated = json(await keymint('users', 'set-password', '--account', people.accountId, userId, '--json'));
    recordSecret(generated.password);
    expect(generated.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    fails(await withInput('short', 'users', 'set-password', '--account', people.accountId, userId, '--password-stdin'), 1, 'The password must be at least 8 characters long');
    fails(await keymint('users', 'set-password', '--account', boot.accountId, userId), 1, 'There is no user');
  });

  it('remove removes a user, but never the last Administrator', async () => {
    const advanced = people.users.advanced.session.session.user.userId;
    expect(json(await keymint('users', 'remove', '--account', people.accountId, advanced, '--json'))).toEqual({ removed: advanced });
    expect(json(await keymint('users', 'list', '--account', people.accountId, '--json')).map((u: { userId: string }) => u.userId)).not.toContain(advanced);
    fails(await keymint('users', 'remove', '--account', people.accountId, people.users.administrator.session.session.user.userId), 1, 'at least one Administrator');
    fails(await keymint('users', 'remove', '--account', people.accountId, 'bob'), 2, 'the user ID must be an ID like');
  });
});

describe('the audit log of operator commands', () => {
  it('records project and user changes made with the CLI, by "keymint CLI", in the account\'s log', async () => {
    const admin = people.users.administrator;
    const p = json(await keymint('projects', 'create', '--account', people.accountId, '--name', 'Audited', '--json'));
    ok(await keymint('projects', 'rename', '--account', people.accountId, p.projectId, '--name', 'Audited 2'));
    ok(await keymint('projects', 'delete', '--account', people.accountId, p.projectId));
    const added = json(await keymint('users', 'add', '--account', people.accountId, '--email', 'audited@example.test', '--role', 'basic', '--json'));
    recordSecret(added.password);
    const reset = json(await keymint('users', 'set-password', '--account', people.accountId, added.user.userId, '--json'));
    recordSecret(reset.password);
    ok(await keymint('users', 'remove', '--account', people.accountId, added.user.userId));
    const log = await admin.call('GET', '/account/audit-events?pageSize=20');
    expect(log.status, log.text).toBe(200);
    const events = (log.body.auditEvents as Array<{ action: string; actor: { type: string; name: string | null }; projectId: string | null; details: Record<string, unknown> }>).slice(0, 6).reverse();
    expect(events.map((e) => e.action)).toEqual(['project.create', 'project.rename', 'project.delete', 'user.add', 'user.password_reset', 'user.remove']);
    for (const e of events) expect(e.actor).toMatchObject({ type: 'anonymous', name: 'keymint CLI' });
    expect(events[1]).toMatchObject({ projectId: p.projectId, details: { from: 'Audited', to: 'Audited 2' } });
    expect(events[3].details).toMatchObject({ userId: added.user.userId, email: 'audited@example.test', role: 'basic' });
    expect(JSON.stringify(events)).not.toContain(reset.password);
  });
});

describe('the command itself', () => {
  it('--version prints package.json’s version', async () => {
    const { version } = JSON.parse(await (await import('node:fs/promises')).readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(ok(await run(CLI, ['--version'], {})).stdout.trim()).toBe(version);
  });

  it('completion bash completes commands, subcommands and options in a real bash', async () => {
    const script = ok(await run(CLI, ['completion', 'bash'], {})).stdout;
    const file = join(dir, 'completion.bash');
    await writeFile(file, script);
    const complete = (...words: string[]) =>
      spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(keymint ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _keymint; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(complete('k')).toEqual(['keys']);
    expect(complete('keys', '')).toEqual(['create', 'list', 'get', 'rename', 'delete', 'rotate-secret', 'revoke-previous-secret', 'secrets', 'public-keys', 'token-settings']);
    // Three levels (issue 14): keys public-keys add, keys token-settings set, and their options after the arguments.
    expect(complete('keys', 'public-keys', '')).toEqual(['list', 'add', 'remove']);
    expect(complete('keys', 'token-settings', 's')).toEqual(['set']);
    expect(complete('keys', 'public-keys', 'add', '--')).toEqual(expect.arrayContaining(['--project', '--file', '--json']));
    expect(complete('keys', 'token-settings', 'set', crypto.randomUUID(), '--project', boot.projectId, '--no')).toEqual(['--no-dpop-required', '--no-jwks-uri']);
    expect(complete('keys', 'get', crypto.randomUUID(), '--j')).toEqual(['--json']);
    expect(complete('keys', 'r')).toEqual(['rename', 'rotate-secret', 'revoke-previous-secret']);
    expect(complete('keys', 'create', '--')).toEqual(expect.arrayContaining(['--project', '--name', '--expire-time', '--json']));
    expect(complete('users', 's')).toEqual(['set-password']);
    expect(complete('migrate', '--j')).toEqual(['--json']);
    const zsh = ok(await run(CLI, ['completion', 'zsh'], {})).stdout;
    expect(zsh).toContain('bashcompinit');
    fails(await run(CLI, ['completion', 'fish'], {}), 2, "'fish' is invalid");
  });

  it('a bad LOG_LEVEL is one line naming the variable, not a stack', async () => {
    const r = await run(CLI, ['keys', 'list', '--project', boot.projectId], env({ LOG_LEVEL: 'bogus' }));
    fails(r, 2, 'LOG_LEVEL');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('bad input on the embedded database is refused before the data folder is made', async () => {
    const dataDir = join(dir, 'never-made');
    for (const args of [
      ['projects', 'create', '--account', 'acme', '--name', 'P'],
      ['users', 'add', '--account', crypto.randomUUID(), '--email', 'not-an-email', '--role', 'basic'],
      ['accounts', 'create', '--name', 'A', '--admin-email', 'a@a.example', '--admin-password-stdin'],
      ['bootstrap', '--account', '', '--project', 'P', '--key', 'K'],
    ]) {
      const r = await run(CLI, args, { DATA_DIR: dataDir }, 'short');
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    await expect(stat(dataDir)).rejects.toThrow();
  });
});
