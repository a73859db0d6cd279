// Issue 13: a change of grant reaches every instance within 1 s, like a deletion. Three
// instances on one database; a key's token is warm on each; its grant is narrowed through one
// instance's v1 API (and then its API deleted in the console), and each instance is polled
// until it refuses what the key no longer holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/crypto/master-key.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { recordSecret, startTestServer, type TestServer } from './helpers/server.js';
import { basicHeader, postToken, raw } from './helpers/token-requests.js';

const API = 'https://orders.cluster.test';
let database: TestDatabase;
let a: TestServer, b: TestServer, c: TestServer;
let acct: ConsoleAccount;
let manager: { id: string; secret: string };
const figures: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const shared = { database, masterKey: generateMasterKey() };
  a = await startTestServer({ ISSUER: 'http://keymint.cluster.test' }, shared);
  b = await startTestServer({ ISSUER: 'http://keymint.cluster.test' }, shared);
  c = await startTestServer({ ISSUER: 'http://keymint.cluster.test' }, shared);
  acct = await consoleAccount(a);
  const made = await acct.users.administrator.call('POST', '/apis', { identifier: API, displayName: 'Orders', scopes: [{ name: 'orders:read' }, { name: 'orders:write' }] });
  expect(made.status, made.text).toBe(201);
  const key = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: 'manager' });
  recordSecret(key.body.apiSecret);
  manager = { id: key.body.apiKey, secret: key.body.apiSecret };
}, 60_000);

afterAll(async () => {
  for (const s of [a, b, c]) await s?.close().catch(() => {});
  await database?.drop();
  console.log(figures.map((f) => `FIGURE grants ${f}`).join('\n'));
});

async function createKey(grants: unknown) {
  const res = await raw(`${a.url}/v1/projects/${acct.projectId}/accessKeys`, {
    method: 'POST',
    headers: { authorization: basicHeader(manager.id, manager.secret), 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: `k${Date.now()}`, grants }),
  });
  expect(res.status, res.text).toBe(200);
  recordSecret(res.json!.secret as string);
  return { id: (res.json!.accessKey as { accessKeyId: string }).accessKeyId, secret: res.json!.secret as string };
}

const status = async (s: TestServer, key: { id: string; secret: string }, scope: string) =>
  (await postToken(s.url, { basic: [key.id, key.secret], body: { grant_type: 'client_credentials', scope } })).status;

async function refusedEverywhere(name: string, key: { id: string; secret: string }, scope: string, change: () => Promise<void>) {
  for (const s of [a, b, c]) expect(await status(s, key, scope)).toBe(200);
  await change();
  const changedAt = Date.now();
  const times = await Promise.all(
    [a, b, c].map(async (s) => {
      for (;;) {
        const got = await status(s, key, scope);
        if (got !== 200) {
          expect(got, name).toBe(400);
          return Date.now() - changedAt;
        }
        if (Date.now() - changedAt > 10_000) return Infinity;
        await new Promise((r) => setTimeout(r, 25));
      }
    }),
  );
  figures.push(`${name}: refused by every instance ${Math.max(...times)} ms after the change (per instance ${times.join(', ')} ms)`);
  for (const t of times) expect(t, name).toBeLessThanOrEqual(1_000);
}

describe('a change of grant across three instances', () => {
  it('a scope taken away (v1 PATCH on one instance) is refused by all three within 1 s', async () => {
    const key = await createKey([{ api: API, scopes: ['orders:read', 'orders:write'] }]);
    await refusedEverywhere('scope removed', key, 'orders:write', async () => {
      const res = await raw(`${b.url}/v1/projects/${acct.projectId}/accessKeys/${key.id}`, {
        method: 'PATCH',
        headers: { authorization: basicHeader(manager.id, manager.secret), 'content-type': 'application/json' },
        body: JSON.stringify({ grants: [{ api: API, scopes: ['orders:read'] }] }),
      });
      expect(res.status, res.text).toBe(200);
    });
    for (const s of [a, b, c]) expect(await status(s, key, 'orders:read')).toBe(200);
  });

  it('a scope the API stops defining (console, on one instance) is refused by all three within 1 s', async () => {
    const key = await createKey([{ api: API, scopes: ['orders:read', 'orders:write'] }]);
    const apis = await acct.users.administrator.call('GET', '/apis');
    const apiId = apis.body.apis[0].apiId as string;
    await refusedEverywhere('scope undefined', key, 'orders:write', async () => {
      const res = await acct.users.administrator.call('PATCH', `/apis/${apiId}`, { scopes: [{ name: 'orders:read' }] });
      expect(res.status, res.text).toBe(200);
    });
  });
});
