// Issue #15: Sinch limits the number of keys in a project. MAX_KEYS_PER_PROJECT does the same
// (off by default): past it, creation is refused Google-style (400 FAILED_PRECONDITION, as
// google.rpc.Code maps it), concurrent creations cannot pass it together, and deleting a key
// makes room again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, recordSecret, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, raw } from './helpers/token-requests.js';
import { consoleAccount } from './helpers/console-account.js';

const create = (s: TestServer, k: Bootstrapped, displayName: string) =>
  raw(`${s.url}/v1/projects/${k.projectId}/accessKeys`, {
    method: 'POST',
    headers: { authorization: basicHeader(k.accessKey.accessKeyId, k.secret), 'content-type': 'application/json' },
    body: JSON.stringify({ displayName }),
  }).then((res) => {
    if (typeof res.json?.secret === 'string') recordSecret(res.json.secret);
    return res;
  });
const count = async (s: TestServer, k: Bootstrapped) =>
  (await s.sql.query('SELECT count(*)::int AS n FROM access_keys WHERE project_id = $1', [k.projectId])).rows[0].n as number;

describe('MAX_KEYS_PER_PROJECT=3', () => {
  let s: TestServer;
  let k: Bootstrapped;
  beforeAll(async () => {
    s = await startTestServer({ MAX_KEYS_PER_PROJECT: '3' });
    k = await s.bootstrap();
  });
  afterAll(() => s?.close());

  it('refuses the key past the limit with a Google-style error, and writes nothing', async () => {
    expect((await create(s, k, 'two')).status).toBe(200);
    expect((await create(s, k, 'three')).status).toBe(200);
    const refused = await create(s, k, 'four');
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({
      error: {
        code: 400,
        status: 'FAILED_PRECONDITION',
        message: 'The project already has 3 access keys, its limit (MAX_KEYS_PER_PROJECT=3). Delete a key before creating another.',
        details: [],
      },
    });
    expect(await count(s, k)).toBe(3);
  });

  it('lets exactly one of many concurrent creations take the last place', async () => {
    const { rows } = await s.sql.query("SELECT id FROM access_keys WHERE project_id = $1 AND display_name = 'three'", [k.projectId]);
    const del = await raw(`${s.url}/v1/projects/${k.projectId}/accessKeys/${rows[0].id}`, { method: 'DELETE', headers: { authorization: basicHeader(k.accessKey.accessKeyId, k.secret) } });
    expect(del.status).toBe(200);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => create(s, k, `racer ${i}`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
    expect(await count(s, k)).toBe(3);
  });

  it('counts the console\'s credentials of every kind: past the limit the console and v1 are refused alike', async () => {
    const acct = await consoleAccount(s);
    const admin = acct.users.administrator;
    const made = [
      await admin.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: 'basic one' }),
      await admin.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'hmac', label: 'hmac one' }),
      await admin.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'legacy', username: `limit.${Date.now()}`, password: 'LimitPassw0rd' }),
    ];
    for (const m of made) {
      expect(m.status, m.text).toBe(201);
      if (typeof m.body.apiSecret === 'string') recordSecret(m.body.apiSecret);
    }
    const refused = await admin.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: 'one too many' });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error).toMatchObject({ status: 'FAILED_PRECONDITION', message: expect.stringContaining('MAX_KEYS_PER_PROJECT=3') });
    const v1 = await raw(`${s.url}/v1/projects/${acct.projectId}/accessKeys`, {
      method: 'POST',
      headers: { authorization: basicHeader(made[0].body.apiKey, made[0].body.apiSecret), 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'v1 one too many' }),
    });
    expect(v1.status).toBe(400);
    expect((await s.sql.query('SELECT count(*)::int AS n FROM access_keys WHERE project_id = $1', [acct.projectId])).rows[0].n).toBe(3);
  });

  it('is refused at start when not a number', async () => {
    const { loadConfig } = await import('../src/config.js');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x/y', KEYMINT_MASTER_KEY: 'A'.repeat(43), MAX_KEYS_PER_PROJECT: 'many' })).toThrow(/MAX_KEYS_PER_PROJECT: must be a whole number/);
  });
});

describe('by default', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s?.close());

  it('sets no limit', async () => {
    const k = await s.bootstrap();
    for (let i = 0; i < 12; i++) expect((await create(s, k, `key ${i}`)).status).toBe(200);
    expect(await count(s, k)).toBe(13);
  });
});
