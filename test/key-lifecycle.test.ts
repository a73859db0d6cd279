// Key lifecycle beyond the seed (issue 6): an optional expireTime on create, checked at each
// use against the clock (an expired key gets no token and no API access, and its earlier
// tokens stop working); lastUseTime written in batches, one UPDATE per flush, and on shutdown.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, countKeys, RFC3339_UTC, tokenRequest } from './helpers/api-client.js';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { until } from './helpers/token-requests.js';

const FLUSH_MS = 500;
let s: TestServer;
let api: ApiClient;
let b: Bootstrapped;
let basic: string;

beforeAll(async () => {
  // Usage counting (src/usage) flushes its own batch on the pool; off here so that the statements counted are lastUseTime's alone.
  s = await startTestServer({ LAST_USE_FLUSH_MS: String(FLUSH_MS), USAGE_COUNTING: 'off' });
  api = await ApiClient.create(s);
  b = await s.bootstrap();
  basic = s.basic(b.accessKey.accessKeyId, b.secret);
});
afterAll(async () => {
  await s?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inYears = (years: number) => new Date(Date.now() + years * 365.25 * 86_400_000);
let n = 0;

async function createKey(extra: Record<string, unknown> = {}) {
  const res = await api.request('POST', `/v1/projects/${b.projectId}/accessKeys`, { auth: basic, json: { displayName: `lifecycle ${++n}`, ...extra } });
  expect(res.status, res.text).toBe(200);
  return res.body as { accessKey: Record<string, string>; secret: string };
}

async function expireBySql(id: string) {
  await s.sql.query("UPDATE access_keys SET expire_time = now() - interval '1 second' WHERE id = $1", [id]);
  await s.sql.query("SELECT pg_notify('keymint_changes', json_build_object('kind', 'access_key', 'id', $1::text)::text)", [id]);
}

const apiStatus = (authorization: string) => api.list(b.projectId, authorization).then((r) => r.status);

describe('expireTime on create', () => {
  it('is stored, returned normalized to UTC, and listed; a key without one has no expireTime', async () => {
    const at = new Date(Math.floor(inYears(2).getTime() / 1000) * 1000);
    // The same instant written at +02:00: the wall-clock time two hours later.
    const withOffset = new Date(at.getTime() + 2 * 3_600_000).toISOString().replace('.000Z', '+02:00');
    const created = await createKey({ expireTime: withOffset });
    expect(created.accessKey.expireTime).toMatch(RFC3339_UTC);
    expect(Date.parse(created.accessKey.expireTime)).toBe(at.getTime());
    const got = await api.get(b.projectId, created.accessKey.accessKeyId, basic);
    expect(got.body.expireTime).toBe(created.accessKey.expireTime);
    const { rows } = await s.sql.query('SELECT expire_time FROM access_keys WHERE id = $1', [created.accessKey.accessKeyId]);
    expect(rows[0].expire_time.getTime()).toBe(at.getTime());

    const plain = await createKey();
    expect(plain.accessKey).not.toHaveProperty('expireTime');
    expect((await createKey({ expireTime: null })).accessKey).not.toHaveProperty('expireTime');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['in the past', '2020-01-01T00:00:00Z', /in the future/],
    ['now-ish (1 s ago)', () => new Date(Date.now() - 1000).toISOString(), /in the future/],
    ['not a date', 'next tuesday', /RFC 3339/],
    ['a number', 1_893_456_000, /must be a string/],
    ['20 years ahead', () => inYears(20).toISOString(), /at most 10 years/],
    ['without an offset', '2030-01-01T00:00:00', /time zone/],
    ['a date only', '2030-01-01', /RFC 3339/],
    ['30 February', '2030-02-30T00:00:00Z', /RFC 3339/],
    ['an object', { at: '2030-01-01T00:00:00Z' }, /must be a string/],
  ];
  it.each(bad)('refuses an expireTime %s with 400 and creates nothing', async (_name, value, message) => {
    const before = await countKeys(s, b.projectId);
    const expireTime = typeof value === 'function' ? value() : value;
    const res = await api.request('POST', `/v1/projects/${b.projectId}/accessKeys`, { auth: basic, json: { displayName: `bad ${++n}`, expireTime } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.status).toBe('INVALID_ARGUMENT');
    expect(res.body.error.message).toMatch(/expireTime/);
    expect(res.body.error.message).toMatch(message);
    expect(await countKeys(s, b.projectId)).toBe(before);
  });

  it('cannot be changed by PATCH, which says so', async () => {
    const { accessKey } = await createKey();
    const res = await api.request('PATCH', `/v1/projects/${b.projectId}/accessKeys/${accessKey.accessKeyId}`, {
      auth: basic, json: { displayName: 'renamed', expireTime: inYears(1).toISOString() },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/expireTime can only be set when a key is created/);
    expect((await api.get(b.projectId, accessKey.accessKeyId, basic)).body).not.toHaveProperty('expireTime');
  });
});

describe('an expired key', () => {
  it('gets no token (the same 401 as an unknown key), no Basic access, and its earlier JWT stops working', async () => {
    const { accessKey, secret } = await createKey();
    const id = accessKey.accessKeyId;
    const keyBasic = s.basic(id, secret);
    const bearer = `Bearer ${await s.token(id, secret)}`;
    // Warm every cache first: expiry must win over them.
    expect((await tokenRequest(s, id, secret)).status).toBe(200);
    expect(await apiStatus(keyBasic)).toBe(200);
    expect(await apiStatus(bearer)).toBe(200);

    await expireBySql(id);
    await until('the token endpoint to refuse the expired key', async () => ((await tokenRequest(s, id, secret)).status === 401 ? true : undefined));
    const expired = await tokenRequest(s, id, secret);
    const unknown = await tokenRequest(s, randomUUID(), secret);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(unknown.body);
    expect(expired.body.error).toBe('invalid_client');
    expect(await apiStatus(keyBasic)).toBe(401);
    expect(await apiStatus(bearer)).toBe(401);

    // Still listed, with its expireTime, so that an admin can find and delete it.
    const listed = (await api.list(b.projectId, basic, 'pageSize=1000')).body.accessKeys.find((k: { accessKeyId: string }) => k.accessKeyId === id);
    expect(Date.parse(listed.expireTime)).toBeLessThan(Date.now());
    expect((await api.delete(b.projectId, id, basic)).status).toBe(200);
  });

  it('expires by the clock alone: a cached key stops working at its expireTime without any notification', async () => {
    const expireAt = Date.now() + 2500;
    const { accessKey, secret } = await createKey({ expireTime: new Date(expireAt).toISOString() });
    const id = accessKey.accessKeyId;
    const bearer = `Bearer ${await s.token(id, secret)}`;
    expect(await apiStatus(s.basic(id, secret))).toBe(200);
    expect(await apiStatus(bearer)).toBe(200);
    await sleep(Math.max(0, expireAt - Date.now()) + 50);
    expect((await tokenRequest(s, id, secret)).status).toBe(401);
    expect(await apiStatus(s.basic(id, secret))).toBe(401);
    expect(await apiStatus(bearer)).toBe(401);
  });
});

const lastUse = async (id: string): Promise<Date | null> =>
  (await s.sql.query('SELECT last_use_time FROM access_keys WHERE id = $1', [id])).rows[0].last_use_time;

// Statements on behalf of requests and the last-use flush: the revocation feed's background
// re-reads (a key of an earlier test expiring, say) are counted apart and left out.
async function queries(): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const count = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return count('keymint_db_queries_total') - count('keymint_revocation_feed_statements_total');
}

describe('lastUseTime', () => {
  it('is absent until first use, then appears after a token request once the flush interval passes', async () => {
    const { accessKey, secret } = await createKey();
    const id = accessKey.accessKeyId;
    expect((await api.get(b.projectId, id, basic)).body).not.toHaveProperty('lastUseTime');
    const before = Date.now();
    await s.token(id, secret);
    const after = Date.now();
    const written = await until('lastUseTime to be written', async () => (await lastUse(id)) ?? undefined, 5 * FLUSH_MS + 2000);
    expect(written.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(written.getTime()).toBeLessThanOrEqual(after + 5);
    const got = await api.get(b.projectId, id, basic);
    expect(got.body.lastUseTime).toBe(written.toISOString());
    expect(got.body.updateTime).toBe(accessKey.updateTime); // a use is no modification
  });

  it('is also recorded for Basic and Bearer API authentication', async () => {
    const { accessKey, secret } = await createKey();
    expect(await apiStatus(s.basic(accessKey.accessKeyId, secret))).toBe(200);
    await until('lastUseTime after Basic', async () => (await lastUse(accessKey.accessKeyId)) ?? undefined, 5 * FLUSH_MS + 2000);
  });

  it('writes a burst of token requests for several keys with exactly one UPDATE', async () => {
    const keys = await Promise.all([createKey(), createKey(), createKey()]);
    for (const k of keys) await s.token(k.accessKey.accessKeyId, k.secret); // cold: key read and bcrypt
    await until('the warm-up uses to be written', async () => ((await Promise.all(keys.map((k) => lastUse(k.accessKey.accessKeyId)))).every(Boolean) ? true : undefined), 5 * FLUSH_MS + 2000);
    await sleep(FLUSH_MS + 200); // nothing else left pending
    const firstWrite = await Promise.all(keys.map((k) => lastUse(k.accessKey.accessKeyId)));

    const before = await queries();
    const burstStart = Date.now();
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => tokenRequest(s, keys[i % 3].accessKey.accessKeyId, keys[i % 3].secret).then((r) => r.status)));
    expect(statuses.every((st) => st === 200)).toBe(true);
    expect((await queries()) - before).toBe(0); // the warm path waits for no write

    await until('the burst to be written', async () => {
      const now = await Promise.all(keys.map((k) => lastUse(k.accessKey.accessKeyId)));
      return now.every((t, i) => t!.getTime() > firstWrite[i]!.getTime()) ? now : undefined;
    }, 5 * FLUSH_MS + 2000);
    await sleep(FLUSH_MS + 200);
    expect((await queries()) - before).toBe(1);
    for (const k of keys) expect((await lastUse(k.accessKey.accessKeyId))!.getTime()).toBeGreaterThanOrEqual(burstStart - 5);
  });

  it('is flushed when the server shuts down, before its interval has passed', async () => {
    const other = await startTestServer({ LAST_USE_FLUSH_MS: '600000' }, { database: s.database, masterKey: s.config.masterKey! });
    const { accessKey, secret } = await createKey();
    await other.token(accessKey.accessKeyId, secret);
    await sleep(FLUSH_MS * 2);
    expect(await lastUse(accessKey.accessKeyId)).toBeNull();
    await other.close();
    expect(await lastUse(accessKey.accessKeyId)).toBeInstanceOf(Date);
  });
});
