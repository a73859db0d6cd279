// Issue 14 (A): rotating a key's secret keeps its Key ID; the new secret is shown once; the
// previous one keeps working until the chosen time or until revoked; at most two secrets;
// both listed without the secret; audited; the v1 answers validate against the served
// OpenAPI document; the console and the CLI do the same.
import bcrypt from 'bcrypt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiClient, RFC3339_UTC } from './helpers/api-client.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { CLI, run } from './helpers/processes.js';
import { recordSecret, startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { postToken } from './helpers/token-requests.js';
import { createResponseValidator, type ResponseValidator } from './helpers/openapi-validator.js';
import { signHmacRequest } from '../src/auth/hmac-signature.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let s: TestServer;
let api: ApiClient;
let boot: Bootstrapped;
let other: Bootstrapped;

beforeAll(async () => {
  s = await startTestServer({ LAST_USE_FLUSH_MS: '50' });
  api = await ApiClient.create(s);
  boot = await s.bootstrap();
  other = await s.bootstrap({ account: 'Other', project: 'Other', key: 'other' });
});
afterAll(async () => {
  await s?.close();
});

const auth = () => s.basic(boot.accessKey.accessKeyId, boot.secret);
const keyPath = (id: string, projectId = boot.projectId) => `/v1/projects/${projectId}/accessKeys/${id}`;
const tokenStatus = async (id: string, secret: string) => (await postToken(s.url, { basic: [id, secret] })).status;

async function newKey(name: string) {
  const res = await api.create(boot.projectId, auth(), name);
  expect(res.status).toBe(200);
  return { id: res.body.accessKey.accessKeyId as string, secret: res.body.secret as string };
}

async function auditActions(keyId: string): Promise<{ action: string; details: Record<string, unknown> }[]> {
  const { rows } = await s.sql.query(
    'SELECT e.action, e.details FROM audit_events e JOIN access_keys k ON k.credential_id = e.credential_id WHERE k.id = $1 ORDER BY e.id',
    [keyId],
  );
  return rows;
}

describe('v1 :rotateSecret and :revokePreviousSecret', () => {
  it('rotates keeping the Key ID: both secrets work, both are listed (no secret), a second rotation is refused', async () => {
    const key = await newKey('rotating');
    expect(await tokenStatus(key.id, key.secret)).toBe(200);
    await expect.poll(async () => (await api.get(boot.projectId, key.id, auth())).body.lastUseTime, { timeout: 5000 }).toMatch(RFC3339_UTC);
    const before = Date.now();
    const res = await api.request('POST', `${keyPath(key.id)}:rotateSecret`, { auth: auth(), json: {} });
    expect(res.status).toBe(200);
    expect(res.body.accessKey.accessKeyId).toBe(key.id);
    expect(res.body.secret).toMatch(/^kmsk_/);
    expect(res.body.secret).not.toBe(key.secret);
    const [current, previous] = res.body.secrets;
    expect(current.state).toBe('CURRENT');
    expect(previous.state).toBe('PREVIOUS');
    expect(previous.expireTime).toMatch(RFC3339_UTC);
    // Default overlap: 24 hours.
    const ends = Date.parse(previous.expireTime) - before;
    expect(ends).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(ends).toBeLessThan(24 * 3600_000 + 60_000);
    expect(previous.lastUseTime).toMatch(RFC3339_UTC); // the token above used it
    expect(JSON.stringify(res.body.secrets)).not.toContain(key.secret);

    expect(await tokenStatus(key.id, key.secret)).toBe(200);
    expect(await tokenStatus(key.id, res.body.secret)).toBe(200);
    expect(await tokenStatus(key.id, key.secret + 'x')).toBe(401);
    // Basic auth on the API itself takes either too.
    expect((await api.get(boot.projectId, key.id, s.basic(key.id, key.secret))).status).toBe(200);
    expect((await api.get(boot.projectId, key.id, s.basic(key.id, res.body.secret))).status).toBe(200);

    // The listing shows which secret was used (batched).
    await expect.poll(async () => (await api.request('GET', `${keyPath(key.id)}/secrets`, { auth: auth() })).body.secrets[0].lastUseTime, { timeout: 5000 }).toMatch(RFC3339_UTC);
    const listed = await api.request('GET', `${keyPath(key.id)}/secrets`, { auth: auth() });
    expect(listed.status).toBe(200);
    expect(listed.body.secrets).toHaveLength(2);
    expect(listed.text).not.toContain(key.secret);
    expect(listed.text).not.toContain(res.body.secret);
    expect(listed.text).not.toMatch(/sha256\$/);

    const again = await api.request('POST', `${keyPath(key.id)}:rotateSecret`, { auth: auth() });
    expect(again.status).toBe(412);
    expect(again.body.error.message).toContain('two secrets');
    expect(await tokenStatus(key.id, key.secret)).toBe(200);

    // Revoked: the previous one stops at once; the new one works; nothing left to revoke.
    const revoked = await api.request('POST', `${keyPath(key.id)}:revokePreviousSecret`, { auth: auth() });
    expect(revoked.status).toBe(200);
    expect(revoked.body.secrets.map((x: { state: string }) => x.state)).toEqual(['CURRENT']);
    expect(await tokenStatus(key.id, key.secret)).toBe(401);
    expect(await tokenStatus(key.id, res.body.secret)).toBe(200);
    expect((await api.request('POST', `${keyPath(key.id)}:revokePreviousSecret`, { auth: auth(), json: {} })).status).toBe(412);

    const actions = await auditActions(key.id);
    expect(actions.map((a) => a.action)).toEqual(['credential.create', 'credential.secret_rotate', 'credential.secret_revoke_previous']);
    expect(actions[1].details.previousSecretExpireTime).toBe(previous.expireTime);
    const { rows } = await s.sql.query('SELECT secret_hash, previous_secret_hash FROM access_keys WHERE id = $1', [key.id]);
    expect(rows[0].secret_hash).toMatch(/^sha256\$/);
    expect(rows[0].previous_secret_hash).toBeNull();
  });

  it('"0s" ends the previous secret now, a time ends it then, and the bounds are enforced', async () => {
    const key = await newKey('rotating-now');
    const now = await api.request('POST', `${keyPath(key.id)}:rotateSecret`, { auth: auth(), json: { previousSecretTtl: '0s' } });
    expect(now.status).toBe(200);
    expect(now.body.secrets).toHaveLength(1);
    expect(await tokenStatus(key.id, key.secret)).toBe(401);
    recordSecret(now.body.secret);
    expect(await tokenStatus(key.id, now.body.secret)).toBe(200);
    // With no previous secret left, another rotation is allowed at once.
    const at = new Date(Date.now() + 3600_000).toISOString();
    const timed = await api.request('POST', `${keyPath(key.id)}:rotateSecret`, { auth: auth(), json: { previousSecretExpireTime: at } });
    expect(timed.status).toBe(200);
    expect(Date.parse(timed.body.secrets[1].expireTime)).toBe(Date.parse(at));
    expect(await tokenStatus(key.id, now.body.secret)).toBe(200);

    const other = await newKey('rotating-bounds');
    const bad = async (json: unknown, text: string) => {
      const res = await api.request('POST', `${keyPath(other.id)}:rotateSecret`, { auth: auth(), json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.error.message).toContain(text);
    };
    await bad({ previousSecretTtl: '2592001s' }, '30 days');
    await bad({ previousSecretExpireTime: new Date(Date.now() + 31 * 86400_000).toISOString() }, '30 days');
    await bad({ previousSecretExpireTime: '2020-01-01T00:00:00Z' }, 'has passed');
    await bad({ previousSecretTtl: '1d' }, 'whole seconds');
    await bad({ previousSecretTtl: 60 }, 'must be a string');
    await bad({ previousSecretTtl: '60s', previousSecretExpireTime: at }, 'not both');
    await bad({ overlap: '60s' }, 'Unknown field');
    await bad([], 'JSON object');
    // Nothing was half-written: the key still has its one secret.
    expect(await tokenStatus(other.id, other.secret)).toBe(200);
    expect((await api.request('GET', `${keyPath(other.id)}/secrets`, { auth: auth() })).body.secrets).toHaveLength(1);
    expect((await api.request('POST', `${keyPath(other.id)}:revokePreviousSecret`, { auth: auth(), json: { x: 1 } })).status).toBe(400);
  });

  it('another project is 403, an unknown key 404, an unknown method 404, a malformed ID 400', async () => {
    const key = await newKey('rotating-authz');
    const foreign = s.basic(other.accessKey.accessKeyId, other.secret);
    expect((await api.request('POST', `${keyPath(key.id)}:rotateSecret`, { auth: foreign })).status).toBe(403);
    expect((await api.request('GET', `${keyPath(key.id)}/secrets`, { auth: foreign })).status).toBe(403);
    expect((await api.request('POST', `${keyPath('0190a4b2-0000-7000-8000-000000000000')}:rotateSecret`, { auth: auth() })).status).toBe(404);
    expect((await api.request('POST', `${keyPath('not-a-uuid')}:rotateSecret`, { auth: auth() })).status).toBe(400);
    const unknown = await fetch(`${s.url}${keyPath(key.id)}:undelete`, { method: 'POST', headers: { authorization: auth() } });
    expect(unknown.status).toBe(404);
    expect((await api.request('POST', `${keyPath(key.id)}:rotateSecret`)).status).toBe(401);
    expect(await tokenStatus(key.id, key.secret)).toBe(200);
    expect(await auditActions(key.id)).toHaveLength(1);
  });

  it('a key whose secret is still bcrypt (from before digests) rotates, and the bcrypt secret works as the previous one', async () => {
    const key = await newKey('rotating-bcrypt');
    await s.sql.query('UPDATE access_keys SET secret_hash = $2 WHERE id = $1', [key.id, await bcrypt.hash(key.secret, 4)]);
    const res = await api.request('POST', `${keyPath(key.id)}:rotateSecret`, { auth: auth() });
    expect(res.status).toBe(200);
    expect(await tokenStatus(key.id, key.secret)).toBe(200);
    expect(await tokenStatus(key.id, res.body.secret)).toBe(200);
    expect(await tokenStatus(key.id, 'kmsk_wrong')).toBe(401);
    const { rows } = await s.sql.query('SELECT previous_secret_hash FROM access_keys WHERE id = $1', [key.id]);
    expect(rows[0].previous_secret_hash).toMatch(/^\$2[aby]\$/); // never "upgraded": it is on its way out
  });

  it('is documented in the served OpenAPI as a Keymint extension', async () => {
    const doc = (await (await fetch(`${s.url}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-keymint-extension'?: boolean }>> };
    const key = '/v1/projects/{projectId}/accessKeys/{accessKeyId}';
    expect(doc.paths[`${key}:rotateSecret`].post['x-keymint-extension']).toBe(true);
    expect(doc.paths[`${key}:revokePreviousSecret`].post['x-keymint-extension']).toBe(true);
    expect(doc.paths[`${key}/secrets`].get['x-keymint-extension']).toBe(true);
  });
});

describe('the console rotates a REST Basic credential', () => {
  let people: ConsoleAccount;
  let doc: ResponseValidator;
  const CRED = '/api/projects/{projectId}/credentials/{credentialId}';
  beforeAll(async () => {
    people = await consoleAccount(s);
    doc = createResponseValidator((await (await fetch(`${s.url}/api/openapi.json`)).json()) as object);
  });

  it('an Administrator rotates with the overlap chosen, sees both secrets, revokes the previous one', async () => {
    const admin = people.users.administrator;
    const created = await admin.call('POST', `/projects/${people.projectId}/credentials`, { kind: 'basic', label: 'console-rotating' });
    expect(created.status).toBe(201);
    const { credentialId } = created.body.credential;
    const secret = created.body.apiSecret as string;
    const apiKey = created.body.apiKey as string;
    const base = `/projects/${people.projectId}/credentials/${credentialId}`;
    const rotated = await admin.call('POST', `${base}/rotateSecret`, { previousSecretTtl: '3600s' });
    expect(rotated.status).toBe(200);
    doc.assertValid('POST', `${CRED}/rotateSecret`, 200, rotated.body);
    recordSecret(rotated.body.apiSecret);
    expect(rotated.body.notice).toContain('only');
    expect(rotated.body.secrets).toHaveLength(2);
    expect(await tokenStatus(apiKey, secret)).toBe(200);
    expect(await tokenStatus(apiKey, rotated.body.apiSecret)).toBe(200);
    const listed = await admin.call('GET', `${base}/secrets`);
    doc.assertValid('GET', `${CRED}/secrets`, 200, listed.body);
    expect(listed.body.secrets).toHaveLength(2);
    const again = await admin.call('POST', `${base}/rotateSecret`, {});
    expect(again.status).toBe(412);
    doc.assertValid('POST', `${CRED}/rotateSecret`, 412, again.body);
    // Not an Administrator: may look, may not rotate.
    expect((await people.users.basic.call('GET', `${base}/secrets`)).status).toBe(200);
    const refused = await people.users.basic.call('POST', `${base}/rotateSecret`, {});
    expect(refused.status).toBe(403);
    doc.assertValid('POST', `${CRED}/rotateSecret`, 403, refused.body);
    const revoked = await admin.call('POST', `${base}/revokePreviousSecret`, {});
    expect(revoked.status).toBe(200);
    doc.assertValid('POST', `${CRED}/revokePreviousSecret`, 200, revoked.body);
    expect(await tokenStatus(apiKey, secret)).toBe(401);
    expect(await tokenStatus(apiKey, rotated.body.apiSecret)).toBe(200);
  });

  it('an HMAC credential rotates too: requests signed with either secret work until the previous one is revoked', async () => {
    const admin = people.users.administrator;
    const hmac = await admin.call('POST', `/projects/${people.projectId}/credentials`, { kind: 'hmac', label: 'console-hmac' });
    expect(hmac.status).toBe(201);
    recordSecret(hmac.body.apiSecret, hmac.body.apiKey);
    const path = `/api/projects/${people.projectId}/credentials`;
    // A fresh Date each time: a signature is accepted once (replays are refused).
    const signed = async (secret: string) => {
      await new Promise((r) => setTimeout(r, 1100));
      return (await fetch(`${s.url}${path}`, { headers: signHmacRequest({ username: hmac.body.apiKey, secret, algorithm: 'hmac-sha256', method: 'GET', path, date: new Date() }) })).status;
    };
    expect(await signed(hmac.body.apiSecret)).toBe(200);
    const base = `/projects/${people.projectId}/credentials/${hmac.body.credential.credentialId}`;
    const rotated = await admin.call('POST', `${base}/rotateSecret`, { previousSecretTtl: '600s' });
    expect(rotated.status).toBe(200);
    doc.assertValid('POST', `${CRED}/rotateSecret`, 200, rotated.body);
    recordSecret(rotated.body.apiSecret, hmac.body.apiKey);
    expect(rotated.body.secrets).toHaveLength(2);
    expect(await signed(hmac.body.apiSecret)).toBe(200);
    expect(await signed(rotated.body.apiSecret)).toBe(200);
    expect(await signed('kmsk_not_the_secret')).toBe(401);
    expect((await admin.call('POST', `${base}/revokePreviousSecret`, {})).status).toBe(200);
    await expect.poll(() => signed(hmac.body.apiSecret), { timeout: 5000 }).toBe(401);
    expect(await signed(rotated.body.apiSecret)).toBe(200);
    const { rows } = await s.sql.query('SELECT secret_sealed, previous_secret_sealed FROM access_keys WHERE id = $1', [hmac.body.apiKey]);
    expect(rows[0].previous_secret_sealed).toBeNull();
    expect(rows[0].secret_sealed).not.toContain(rotated.body.apiSecret); // sealed, never in the clear
  });

  it('a legacy credential has no rotation (412): its password is changed instead', async () => {
    const admin = people.users.administrator;
    const legacy = await admin.call('POST', `/projects/${people.projectId}/credentials`, { kind: 'legacy', username: `rot-${Date.now()}`, password: 'Rotation1x' });
    expect(legacy.status).toBe(201);
    recordSecret('Rotation1x');
    const res = await admin.call('POST', `/projects/${people.projectId}/credentials/${legacy.body.credential.credentialId}/rotateSecret`, {});
    expect(res.status).toBe(412);
    expect(res.body.error.message).toContain('legacy');
  });
});

describe('keymint keys rotate-secret', () => {
  it('prints the new secret once, lists the secrets, revokes the previous one', async () => {
    const key = await newKey('cli-rotating');
    const env = { DATABASE_URL: s.database.url, BCRYPT_COST: '4', KEYMINT_URL: s.url };
    const rotated = await run(CLI, ['keys', 'rotate-secret', '--project', boot.projectId, key.id, '--previous-ttl', '600', '--json'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const out = JSON.parse(rotated.stdout);
    recordSecret(out.secret);
    expect(out.accessKey.accessKeyId).toBe(key.id);
    expect(out.secrets).toHaveLength(2);
    expect(await tokenStatus(key.id, key.secret)).toBe(200);
    expect(await tokenStatus(key.id, out.secret)).toBe(200);
    const listed = await run(CLI, ['keys', 'secrets', '--project', boot.projectId, key.id], env);
    expect(listed.stdout).toMatch(/SECRET\s+CREATED\s+EXPIRES\s+LAST USED/);
    expect(listed.stdout).toContain('PREVIOUS');
    expect(listed.stdout).not.toContain(out.secret);
    const revoked = await run(CLI, ['keys', 'revoke-previous-secret', '--project', boot.projectId, key.id], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await tokenStatus(key.id, key.secret)).toBe(401);
    const actors = (await auditActions(key.id)).map((a) => a.action);
    expect(actors).toEqual(['credential.create', 'credential.secret_rotate', 'credential.secret_revoke_previous']);
  });
});
