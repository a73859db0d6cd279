// Day-to-day `keymint` commands while a server runs on the embedded database: the folder
// is the server's, so the commands run in the server through DATA_DIR/keymint.sock (mode
// 0600), and their changes are in force at once. Without a server (or with a stale socket
// of one that was killed) the command opens the folder itself.
import { access, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI, MAIN, run, startMain, type Run } from './helpers/processes.js';
import { freePort, recordSecret, recordToken } from './helpers/server.js';

// Each test runs the command several times (a Node process each): generous on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let dir: string;
let env: Record<string, string>;
let server: Awaited<ReturnType<typeof startMain>>;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keymint-cli-server-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = { DATA_DIR: join(dir, 'data'), BCRYPT_COST: '4', PORT: String(port), HOST: '127.0.0.1', KEYMINT_URL: base };
  server = await startMain(env);
});
afterAll(async () => {
  if (server?.child.exitCode === null) await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const keymint = (...args: string[]) => run(CLI, args, env);
const json = (r: Run) => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('with the server running on the embedded database', () => {
  let boot: { accountId: string; projectId: string; accessKey: { accessKeyId: string }; secret: string };

  it('listens on a control socket only its user may open', async () => {
    const socket = await stat(join(dir, 'data', 'keymint.sock'));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
  });

  it('runs bootstrap, keys and projects commands in the server, with their output and exit codes', async () => {
    boot = json(await keymint('bootstrap', '--account', 'Acme', '--project', 'Prod', '--key', 'first', '--json'));
    recordSecret(boot.secret, boot.accessKey.accessKeyId);
    const second = json(await keymint('keys', 'create', '--project', boot.projectId, '--name', 'second', '--json'));
    recordSecret(second.secret, second.accessKey.accessKeyId);
    const listed = json(await keymint('keys', 'list', '--project', boot.projectId, '--json'));
    expect(listed.map((k: { displayName: string }) => k.displayName)).toEqual(['first', 'second']);
    const refused = await keymint('keys', 'create', '--project', boot.projectId, '--name', 'second');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('keymint: An access key named "second" already exists in this project. Choose another displayName.');
    expect(json(await keymint('projects', 'list', '--account', boot.accountId, '--json'))).toHaveLength(1);
    expect(server.output()).toContain('ran a keymint command for the control socket');
  });

  it('a key made or deleted by the command is in force at once: token, then refused', async () => {
    const made = json(await keymint('keys', 'create', '--project', boot.projectId, '--name', 'short-lived', '--json'));
    recordSecret(made.secret, made.accessKey.accessKeyId);
    const token = await run(CLI, ['token', '--key-id', made.accessKey.accessKeyId], { ...env, KEYMINT_KEY_SECRET: made.secret });
    expect(token.code, token.stderr).toBe(0);
    recordToken(token.stdout.trim());
    const active = json(await run(CLI, ['introspect', token.stdout.trim(), '--key-id', boot.accessKey.accessKeyId, '--json'], { ...env, KEYMINT_KEY_SECRET: boot.secret }));
    expect(active).toMatchObject({ active: true, client_id: made.accessKey.accessKeyId });
    expect(json(await keymint('keys', 'delete', '--project', boot.projectId, made.accessKey.accessKeyId, '--json'))).toEqual({});
    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${made.accessKey.accessKeyId}:${made.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(401);
  });

  it('passes stdin to the server: accounts and users with a password from stdin', async () => {
    const created = await run(CLI, ['accounts', 'create', '--name', 'Beta', '--admin-email', 'ops@beta.example', '--admin-password-stdin', '--json'], env, 'Beta-password-1\n');
    recordSecret('Beta-password-1');
    const out = json(created);
    expect(out).not.toHaveProperty('password');
    const signIn = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ops@beta.example', password: 'Beta-password-1' }) });
    expect(signIn.status).toBe(200);
    for (const c of signIn.headers.getSetCookie()) recordSecret(c.split(';')[0].split('=')[1]);
    recordSecret(((await signIn.json()) as { csrfToken: string }).csrfToken);
    const users = json(await keymint('users', 'list', '--account', out.account.accountId, '--json'));
    expect(users.map((u: { email: string }) => u.email)).toEqual(['ops@beta.example']);
  });

  it('read-only commands run in the server too; migrate says the schema is current', async () => {
    expect(json(await keymint('signing-keys', 'list', '--json'))[0].state).toBe('active');
    expect((await keymint('migrate')).stdout.trim()).toBe('The database is up to date: no pending migrations.');
  });

  it('bad input is refused by the command itself, before it reaches the server', async () => {
    const r = await keymint('keys', 'list', '--project', 'prod');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--project must be an ID like');
    expect(server.output()).not.toContain('"code":2');
  });

  it('a second server on the same port stops at once with one line, before any start-up work', async () => {
    const second = await run(MAIN, [], { ...env, DATA_DIR: join(dir, 'other') });
    expect(second.code).toBe(1);
    // (oidc-provider warns of Node 20 when it is imported; Node 22 has no such line.)
    const lines = (second.stdout + second.stderr).trim().split('\n').filter((l) => !l.startsWith('oidc-provider WARNING'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`start-up failed: Port ${env.PORT} on 127.0.0.1 is already in use`);
    await expect(access(join(dir, 'other'))).rejects.toThrow(); // no data folder, no migration
  });
});

describe('without a running server', () => {
  it('opens the folder itself once the server has stopped (the socket is gone)', async () => {
    expect(await server.stop()).toBe(0);
    await expect(access(join(dir, 'data', 'keymint.sock'))).rejects.toThrow();
    expect(json(await keymint('accounts', 'list', '--json')).map((a: { name: string }) => a.name)).toEqual(['Acme', 'Beta']);
  });

  it('ignores a stale socket file left by a server that was killed', async () => {
    await writeFile(join(dir, 'data', 'keymint.sock'), '');
    expect(json(await keymint('accounts', 'list', '--json'))).toHaveLength(2);
  });
});
