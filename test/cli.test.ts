// The `keymint` command and the server process, run as a user runs them (dist/).
import { mkdtemp, rm, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/crypto/master-key.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { CLI, MAIN, run, startMain } from './helpers/processes.js';
import { freePort } from './helpers/server.js';

let dir: string;
let database: TestDatabase;
const masterKey = generateMasterKey();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keymint-cli-'));
  database = await createTestDatabase();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await database?.drop();
});

const pgEnv = () => ({ DATABASE_URL: database.url, KEYMINT_MASTER_KEY: masterKey, BCRYPT_COST: '4' });

describe('keymint on Postgres (DATABASE_URL)', () => {
  it('migrate names the migrations it applies on a fresh database, then says there are none', async () => {
    const r = await run(CLI, ['migrate', '--json'], pgEnv());
    expect(r.code, r.stderr).toBe(0);
    const { applied } = JSON.parse(r.stdout);
    expect(applied.length).toBeGreaterThanOrEqual(6);
    expect(applied[0]).toBe('0001_foundation');
    const again = await run(CLI, ['migrate'], pgEnv());
    expect(again.stdout.trim()).toBe('The database is up to date: no pending migrations.');
  });

  it('bootstrap --json prints the account, project, key and secret once', async () => {
    const r = await run(CLI, ['bootstrap', '--account', 'Acme', '--project', 'Prod', '--key', '  First key ', '--json'], pgEnv());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['accessKey', 'accountId', 'projectId', 'secret']);
    expect(out.accessKey).toMatchObject({ displayName: 'First key', projectId: out.projectId });
    expect(out.secret).toMatch(/^kmsk_[0-9A-Za-z]{49}$/);
    expect(r.stderr).not.toContain(out.secret);
  });

  it('bootstrap without --json prints the Key ID and Key Secret with a warning', async () => {
    const r = await run(CLI, ['bootstrap', '--account', 'Beta', '--project', 'P', '--key', 'K'], pgEnv());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Key ID:\s+[0-9a-f-]{36}/);
    expect(r.stdout).toMatch(/Key Secret:\s+kmsk_/);
    expect(r.stdout).toContain('shown only this once');
  });

  it('bootstrap refuses a missing or empty option with a message', async () => {
    const missing = await run(CLI, ['bootstrap', '--account', 'A', '--project', 'P'], pgEnv());
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--key');
    const empty = await run(CLI, ['bootstrap', '--account', ' ', '--project', 'P', '--key', 'K'], pgEnv());
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('--account must be 1 to 200 characters');
  });

  it('signing-keys rotate adds a pending key that list shows', async () => {
    // No server has run on this database: list is read-only and makes no key.
    const before = JSON.parse((await run(CLI, ['signing-keys', 'list', '--json'], pgEnv())).stdout);
    expect(before).toEqual([]);
    const r = await run(CLI, ['signing-keys', 'rotate', '--activate-in', '600', '--json'], pgEnv());
    expect(r.code, r.stderr).toBe(0);
    const rotated = JSON.parse(r.stdout);
    const after = JSON.parse((await run(CLI, ['signing-keys', 'list', '--json'], pgEnv())).stdout);
    expect(after).toHaveLength(2);
    expect(after.find((k: { kid: string }) => k.kid === rotated.kid).state).toBe('pending');
    expect(after.find((k: { kid: string }) => k.kid !== rotated.kid).state).toBe('active');
  });

  it('rotate refuses a bad --activate-in', async () => {
    const r = await run(CLI, ['signing-keys', 'rotate', '--activate-in', 'soon'], pgEnv());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--activate-in must be a whole number');
  });

  it('reads and migrates without the master key; signing-keys rotate asks for the one the servers use', async () => {
    const noKey = { DATABASE_URL: database.url, BCRYPT_COST: '4' };
    expect((await run(CLI, ['migrate'], noKey)).code).toBe(0);
    const list = await run(CLI, ['signing-keys', 'list', '--json'], noKey);
    expect(list.code, list.stderr).toBe(0);
    const r = await run(CLI, ['signing-keys', 'rotate'], noKey);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('KEYMINT_MASTER_KEY is required');
    // On an existing database a new key would be wrong: the hint says which key, and "new" only for a new database.
    expect(r.stderr).toContain('the key the servers on this database use');
    expect(r.stderr).toContain('Only for a new database');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('master-key prints 32 random bytes in base64url', async () => {
    const a = await run(CLI, ['master-key'], {});
    const b = await run(CLI, ['master-key'], {});
    expect(a.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.stdout.trim(), 'base64url')).toHaveLength(32);
    expect(a.stdout).not.toBe(b.stdout);
  });
});

describe('configuration errors stop start-up naming the variable', () => {
  it.each([
    ['PORT', 'eighty'],
    ['TOKEN_TTL_SECONDS', '5'],
    ['SIGNING_ALG', 'HS256'],
    ['TOKEN_AUDIENCE', 'not a uri'],
    ['BCRYPT_COST', '40'],
    ['KEYMINT_MASTER_KEY', 'short'],
    ['DATABASE_URL', 'mysql://x'],
    ['ISSUER', 'http://example.com/'],
  ])('%s=%s', async (name, value) => {
    const r = await run(MAIN, [], { [name]: value, DATA_DIR: join(dir, 'never') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(name);
    await expect(stat(join(dir, 'never'))).rejects.toThrow();
  });
});

describe('the embedded default (no DATABASE_URL)', () => {
  it('bootstraps, serves tokens, and keeps the data folder to one process', async () => {
    const dataDir = join(dir, 'embedded');
    const env = { DATA_DIR: dataDir, BCRYPT_COST: '4' };
    const boot = await run(CLI, ['bootstrap', '--account', 'A', '--project', 'P', '--key', 'K', '--json'], env);
    expect(boot.code, boot.stderr).toBe(0);
    // bootstrap seals nothing: the master key is made by the first server start.
    await expect(stat(join(dataDir, 'master.key'))).rejects.toThrow();
    const { accessKey, secret, projectId } = JSON.parse(boot.stdout);

    const port = await freePort();
    const server = await startMain({ ...env, PORT: String(port), HOST: '127.0.0.1' });
    expect(server.output()).toContain('created a new master key');
    const keyFile = await readFile(join(dataDir, 'master.key'), 'utf8');
    expect(Buffer.from(keyFile.trim(), 'base64url')).toHaveLength(32);
    expect((await stat(join(dataDir, 'master.key'))).mode & 0o777).toBe(0o600);
    try {
      const base = `http://127.0.0.1:${port}`;
      const basic = `Basic ${Buffer.from(`${accessKey.accessKeyId}:${secret}`).toString('base64')}`;
      const tok = await fetch(`${base}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(tok.status).toBe(200);
      const list = await fetch(`${base}/v1/projects/${projectId}/accessKeys`, { headers: { authorization: basic } });
      expect((await list.json()).accessKeys).toHaveLength(1);

      // The folder is the server's: the command runs in it, through the control socket.
      const busy = await run(CLI, ['migrate'], env);
      expect(busy.code, busy.stderr).toBe(0);
      expect(busy.stdout).toContain('up to date');
      expect(server.output()).toContain('ran a keymint command for the control socket');
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).not.toContain(secret);
    const again = await run(CLI, ['signing-keys', 'list', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)[0].state).toBe('active');
  }, 120_000); // three PGlite starts: slow on a loaded machine
});

describe('WORKERS: several server processes behind one port', () => {
  it('refuses WORKERS > 1 on the embedded database', async () => {
    const r = await run(MAIN, [], { WORKERS: '2', DATA_DIR: join(dir, 'never') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('WORKERS');
  });

  it('serves tokens from two workers and stops cleanly on SIGTERM', async () => {
    const boot = JSON.parse((await run(CLI, ['bootstrap', '--account', 'W', '--project', 'P', '--key', 'K', '--json'], pgEnv())).stdout);
    const port = await freePort();
    const server = await startMain({ ...pgEnv(), WORKERS: '2', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    try {
      // Both workers log that they listen; wait for the second.
      for (let i = 0; i < 100 && server.output().split('keymint listening').length < 3; i++) await new Promise((r) => setTimeout(r, 100));
      expect(server.output().split('keymint listening').length - 1).toBe(2);
      const basic = `Basic ${Buffer.from(`${boot.accessKey.accessKeyId}:${boot.secret}`).toString('base64')}`;
      const statuses = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`http://127.0.0.1:${port}/oauth2/token`, {
            method: 'POST',
            headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=client_credentials',
          }).then((r) => r.status),
        ),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);
});
