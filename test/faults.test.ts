// With the database gone the server keeps running: warm tokens still come from the caches,
// everything that needs the database answers 503 (never a crash, never a 500), /readyz
// says so, and it all recovers by itself when the database is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/crypto/master-key.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { startPgProxy, type PgProxy } from './helpers/pg-proxy.js';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, postToken, until } from './helpers/token-requests.js';

let database: TestDatabase;
let proxy: PgProxy;
let s: TestServer;
let warm: Bootstrapped;
let cold: Bootstrapped;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startPgProxy(database.url);
  s = await startTestServer({ DATABASE_URL: proxy.url }, { database, masterKey: generateMasterKey() });
  warm = await s.bootstrap();
  cold = await s.bootstrap();
  expect((await postToken(s.url, { basic: [warm.accessKey.accessKeyId, warm.secret] })).status).toBe(200);
});
afterAll(async () => {
  await proxy?.restore().catch(() => {});
  await s?.close();
  await proxy?.close();
  await database?.drop();
});

const list = (b: Bootstrapped) =>
  fetch(`${s.url}/v1/projects/${b.projectId}/accessKeys`, { headers: { authorization: basicHeader(b.accessKey.accessKeyId, b.secret) } });

describe('database outage', () => {
  it('answers 503 where the database is needed, serves warm tokens, and recovers', async () => {
    await proxy.cut();

    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(503);

    // A key whose secret verified before is served from memory: no database needed.
    expect((await postToken(s.url, { basic: [warm.accessKey.accessKeyId, warm.secret] })).status).toBe(200);

    const coldToken = await postToken(s.url, { basic: [cold.accessKey.accessKeyId, cold.secret] });
    expect(coldToken.status).toBe(503);
    expect(coldToken.json?.error).toBe('temporarily_unavailable');

    const created = await fetch(`${s.url}/v1/projects/${warm.projectId}/accessKeys`, {
      method: 'POST',
      headers: { authorization: basicHeader(warm.accessKey.accessKeyId, warm.secret), 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'during outage' }),
    });
    expect(created.status).toBe(503);
    const body = await created.json();
    expect(body.error.status).toBe('UNAVAILABLE');
    expect(created.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(JSON.stringify(body)).not.toMatch(/ECONN|pg|at \//);

    await proxy.restore();
    await until('readiness after the database returns', async () => ((await fetch(`${s.url}/readyz`)).status === 200 ? true : undefined), 10_000, 100);
    expect((await list(warm)).status).toBe(200);
    expect((await postToken(s.url, { basic: [cold.accessKey.accessKeyId, cold.secret] })).status).toBe(200);
    const names = (await (await list(warm)).json()).accessKeys.map((k: { displayName: string }) => k.displayName);
    expect(names).not.toContain('during outage');
  }, 30_000);
});
