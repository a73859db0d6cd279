// `keymint keys public-keys list|add|remove` and `keymint keys token-settings get|set` (issue 14),
// run from dist/ as an operator runs them, against a real server and its database: a public key
// added from a file (or stdin) gets the key a token with a private_key_jwt assertion at once,
// removed it is refused; DPoP required refuses a plain token request; each change is in the
// account's audit log as "keymint CLI"; bad input is refused before any database work.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI, run, type Run } from './helpers/processes.js';
import { recordSecret, recordToken, startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let server: TestServer;
let boot: Bootstrapped;
let dir: string;
let ec: { privateKey: CryptoKey; jwk: JWK };

beforeAll(async () => {
  server = await startTestServer();
  boot = await server.bootstrap();
  dir = await mkdtemp(join(tmpdir(), 'keymint-cli-public-keys-'));
  const pair = await generateKeyPair('ES256', { extractable: true });
  ec = { privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ DATABASE_URL: server.database.url, BCRYPT_COST: '4', KEYMINT_URL: server.url });
const keymint = (...args: string[]) => run(CLI, args, env());
const ok = (r: Run) => {
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const json = (r: Run) => JSON.parse(ok(r).stdout);
const fails = (r: Run, code: number, text: string) => {
  expect(r.code, r.stdout + r.stderr).toBe(code);
  expect(r.stderr).toContain(text);
  expect(r.stderr).not.toMatch(/\n\s+at /);
};
const key = () => [boot.accessKey.accessKeyId, '--project', boot.projectId];

async function assertionStatus(): Promise<number> {
  const id = boot.accessKey.accessKeyId;
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES256' }).setIssuer(id).setSubject(id)
    .setAudience(`${server.config.issuer}/oauth2/token`).setIssuedAt(now).setExpirationTime(now + 60).sign(ec.privateKey);
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt }),
  });
  recordToken(((await res.json()) as { access_token?: string }).access_token);
  return res.status;
}

async function plainStatus(): Promise<number> {
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: server.basic(boot.accessKey.accessKeyId, boot.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  recordToken(((await res.json()) as { access_token?: string }).access_token);
  return res.status;
}

/** Polled: the server drops its cached key through the change feed, within a second. */
async function eventually(fn: () => Promise<number>, want: number): Promise<number> {
  const until = Date.now() + 5_000;
  let got = await fn();
  while (got !== want && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    got = await fn();
  }
  return got;
}

const auditOf = async (action: string) =>
  (await server.sql.query('SELECT actor_type, actor_name, details FROM audit_events WHERE action = $1 AND project_id = $2 ORDER BY id DESC', [action, boot.projectId])).rows;

describe('keymint keys public-keys', () => {
  it('add from a file: the key gets a token by private_key_jwt; list shows it; remove: refused', async () => {
    expect(ok(await keymint('keys', 'public-keys', 'list', ...key())).stdout).toContain('has no public keys');
    expect(await plainStatus()).toBe(200);
    expect(await assertionStatus()).toBe(401);

    const file = join(dir, 'key.json');
    await writeFile(file, JSON.stringify({ ...ec.jwk, kid: 'cli-ec' }));
    const text = ok(await keymint('keys', 'public-keys', 'add', ...key(), '--file', file)).stdout;
    const thumbprint = await calculateJwkThumbprint(ec.jwk);
    expect(text).toMatch(new RegExp(`^KID\\s+ALG\\s+PUBLIC KEY ID \\(THUMBPRINT\\)\\s+ADDED\\ncli-ec\\s+ES256\\s+${thumbprint}\\s+\\d{4}-`));
    expect(text).toContain('private_key_jwt');
    expect(await eventually(assertionStatus, 200)).toBe(200);

    const listed = json(await keymint('keys', 'public-keys', 'list', ...key(), '--json'));
    expect(listed.publicKeys).toEqual([expect.objectContaining({ publicKeyId: thumbprint, kid: 'cli-ec', alg: 'ES256' })]);
    expect(await auditOf('credential.public_key_add')).toEqual([{ actor_type: 'anonymous', actor_name: 'keymint CLI', details: { publicKeyId: thumbprint, kid: 'cli-ec', alg: 'ES256' } }]);

    // The same key again (from stdin, as a set): 409, nothing added.
    fails(await run(CLI, ['keys', 'public-keys', 'add', ...key(), '--file', '-'], env(), JSON.stringify({ keys: [ec.jwk] })), 1, 'already holds this public key');

    expect(json(await keymint('keys', 'public-keys', 'remove', ...key(), thumbprint, '--json'))).toEqual({});
    expect(await eventually(assertionStatus, 401)).toBe(401);
    expect((await auditOf('credential.public_key_remove'))[0]).toMatchObject({ actor_name: 'keymint CLI', details: { publicKeyId: thumbprint } });
    fails(await keymint('keys', 'public-keys', 'remove', ...key(), thumbprint), 1, 'holds no public key');
  });

  it('refuses a private key, a file that is not JSON or missing, and a malformed ID, before any database work', async () => {
    const priv = join(dir, 'private.json');
    const d = await exportJWK(ec.privateKey);
    recordSecret(d.d);
    await writeFile(priv, JSON.stringify(d));
    fails(await keymint('keys', 'public-keys', 'add', ...key(), '--file', priv), 1, 'this is private key material');
    const junk = join(dir, 'junk.json');
    await writeFile(junk, '{"kty": "EC",');
    fails(await keymint('keys', 'public-keys', 'add', ...key(), '--file', junk), 2, 'is not JSON');
    fails(await keymint('keys', 'public-keys', 'add', ...key(), '--file', join(dir, 'missing.json')), 2, 'cannot be read (ENOENT)');
    fails(await keymint('keys', 'public-keys', 'add', ...key()), 2, "required option '--file <path>'");
    fails(await keymint('keys', 'public-keys', 'remove', ...key(), 'short'), 2, 'the public key ID must be the thumbprint');
    fails(await keymint('keys', 'public-keys', 'list', 'not-a-key', '--project', boot.projectId), 2, 'the Key ID must be an ID like');
    fails(await keymint('keys', 'public-keys', 'list', randomUUID(), '--project', boot.projectId), 1, 'does not exist in this project');
    expect(json(await keymint('keys', 'public-keys', 'list', ...key(), '--json'))).toEqual({ publicKeys: [] });
  });
});

describe('keymint keys token-settings', () => {
  it('set --dpop-required: a plain token request is refused; --no-dpop-required: accepted again; get shows it', async () => {
    expect(ok(await keymint('keys', 'token-settings', 'get', ...key())).stdout.trim()).toMatch(/^DPoP required:\s+no\njwks_uri:\s+-$/);
    expect(json(await keymint('keys', 'token-settings', 'set', ...key(), '--dpop-required', '--json'))).toEqual({ dpopRequired: true, jwksUri: null });
    expect(await eventually(plainStatus, 400)).toBe(400);
    expect(json(await keymint('keys', 'token-settings', 'get', ...key(), '--json'))).toEqual({ dpopRequired: true, jwksUri: null });
    expect((await auditOf('credential.token_settings_change'))[0]).toMatchObject({ actor_name: 'keymint CLI', details: { dpopRequired: true, jwksUri: null } });

    const text = ok(await keymint('keys', 'token-settings', 'set', ...key(), '--no-dpop-required', '--jwks-uri', 'https://svc.example/.well-known/jwks.json')).stdout;
    expect(text).toMatch(/^DPoP required:\s+no\njwks_uri:\s+https:\/\/svc\.example\/\.well-known\/jwks\.json\n\nIn force/);
    expect(await eventually(plainStatus, 200)).toBe(200);
    expect(json(await keymint('keys', 'token-settings', 'set', ...key(), '--no-jwks-uri', '--json'))).toEqual({ dpopRequired: false, jwksUri: null });
  });

  it('refuses nothing to set, a plain-http jwks_uri (before any database work), and a jwks_uri beside public keys', async () => {
    fails(await keymint('keys', 'token-settings', 'set', ...key()), 2, 'Give --dpop-required or --no-dpop-required');
    fails(await keymint('keys', 'token-settings', 'set', ...key(), '--jwks-uri', 'http://svc.example/jwks'), 2, '--jwks-uri: jwksUri must be an https URL');
    const file = join(dir, 'set.json');
    await writeFile(file, JSON.stringify({ keys: [{ ...ec.jwk, kid: 'again' }] }));
    ok(await keymint('keys', 'public-keys', 'add', ...key(), '--file', file));
    fails(await keymint('keys', 'token-settings', 'set', ...key(), '--jwks-uri', 'https://svc.example/jwks'), 1, 'not both');
    expect(json(await keymint('keys', 'token-settings', 'get', ...key(), '--json'))).toEqual({ dpopRequired: false, jwksUri: null });
  });
});
