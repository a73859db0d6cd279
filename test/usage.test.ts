// Usage counts (issue 16) on real Postgres behind two real instances: known numbers of
// tokens and failures (wrong secret, expired, rate-limited) per key come out exactly in the
// v1 and console usage APIs after a flush, each answer held to the served OpenAPI document;
// a warm token request makes no database statement; bad ranges are 400s that say why.
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, type Cluster } from './helpers/cluster.js';
import type { TestServer } from './helpers/server.js';
import { consoleAccount, type ConsoleAccount } from './helpers/console-account.js';
import { createResponseValidator, type ResponseValidator } from './helpers/openapi-validator.js';
import { tokenRequest } from './helpers/api-client.js';
import { recordSecret } from './helpers/server.js';

let c: Cluster;
let s1: TestServer;
let s2: TestServer;
let account: ConsoleAccount;
let v1Doc: ResponseValidator;
let consoleDoc: ResponseValidator;

interface Key {
  credentialId: string;
  apiKey: string;
  apiSecret: string;
}

async function createKey(label: string): Promise<Key> {
  const res = await account.users.administrator.call('POST', `/projects/${account.projectId}/credentials`, { kind: 'basic', label });
  expect(res.status).toBe(201);
  recordSecret(res.body.apiSecret, res.body.apiKey);
  return { credentialId: res.body.credential.credentialId, apiKey: res.body.apiKey, apiSecret: res.body.apiSecret };
}

async function tokens(s: TestServer, key: Key, n: number, secret = key.apiSecret): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await tokenRequest(s, key.apiKey, secret)).status);
  return statuses;
}

const flushAll = () => Promise.all(c.servers.map((s) => s.running.usage!.recorder.flush()));

async function consoleGet(path: string, template: string) {
  const res = await account.users.basic.call('GET', path);
  consoleDoc.assertValid('GET', template, res.status, res.body);
  return res;
}

beforeAll(async () => {
  // Flushes come from the tests alone; the per-key failure budget is small to reach 429.
  c = await cluster({ USAGE_FLUSH_MS: '600000', LAST_USE_FLUSH_MS: '600000', AUTH_FAILURES_PER_KEY: '4' });
  s1 = await c.start();
  s2 = await c.start();
  account = await consoleAccount(s1);
  v1Doc = createResponseValidator(await (await fetch(`${s1.url}/v1/openapi.json`)).json());
  consoleDoc = createResponseValidator(await (await fetch(`${s1.url}/api/openapi.json`)).json());
}, 60_000);
afterAll(() => c?.close());

describe('counts across two instances', () => {
  it('adds up tokens and each failure reason per key, exactly, in the v1 and console APIs', async () => {
    const [a, b, expired, limited] = [await createKey('A'), await createKey('B'), await createKey('Expired'), await createKey('Limited')];
    expect(await tokens(s1, a, 7)).toEqual(Array(7).fill(200));
    expect(await tokens(s2, a, 5)).toEqual(Array(5).fill(200));
    expect(await tokens(s1, a, 2, 'wrong-secret-a')).toEqual([401, 401]);
    expect(await tokens(s2, a, 1, 'wrong-secret-a')).toEqual([401]);
    expect(await tokens(s2, b, 4)).toEqual(Array(4).fill(200));

    // An expired key is refused as an unknown one (401), and counted as expired.
    expect(await tokens(s1, expired, 1)).toEqual([200]);
    await s1.sql.query(`UPDATE access_keys SET expire_time = now() - interval '1 second' WHERE id = $1`, [expired.apiKey]);
    await new Promise((r) => setTimeout(r, 1_500)); // the change feed drops the cached row on both
    expect(await tokens(s1, expired, 2)).toEqual([401, 401]);
    expect(await tokens(s2, expired, 1)).toEqual([401]);

    // Past the key's failure budget (4 per minute, shared), 429.
    const refused = await tokens(s1, limited, 7, 'wrong-secret-l');
    const wrong = refused.filter((st) => st === 401).length;
    const rateLimited = refused.filter((st) => st === 429).length;
    expect(wrong + rateLimited).toBe(7);
    expect(rateLimited).toBeGreaterThan(0);

    await flushAll();

    // v1, authenticated by a token of key B (one more token for B, from s1).
    const bearer = `Bearer ${await s1.token(b.apiKey, b.apiSecret)}`;
    await flushAll();
    const v1 = async (key: Key) => {
      const res = await fetch(`${s2.url}/v1/projects/${account.projectId}/accessKeys/${key.apiKey}/usage?granularity=minute`, { headers: { authorization: bearer } });
      const body = await res.json();
      v1Doc.assertValid('GET', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/usage', res.status, body);
      expect(res.status).toBe(200);
      return body;
    };
    const usageA = await v1(a);
    expect(usageA.totals).toEqual({ tokens: 12, wrongSecret: 3, expired: 0, rateLimited: 0, quota: 0 });
    expect(usageA.keys).toEqual([expect.objectContaining({ accessKeyId: a.apiKey, label: 'A', totals: usageA.totals })]);
    expect(usageA.buckets.reduce((n: number, x: { tokens: number }) => n + x.tokens, 0)).toBe(12);
    expect((await v1(b)).totals).toEqual({ tokens: 5, wrongSecret: 0, expired: 0, rateLimited: 0, quota: 0 });
    expect((await v1(expired)).totals).toEqual({ tokens: 1, wrongSecret: 0, expired: 3, rateLimited: 0, quota: 0 });
    expect((await v1(limited)).totals).toEqual({ tokens: 0, wrongSecret: wrong, expired: 0, rateLimited, quota: 0 });

    // The same per bucket granularity: hours and days hold the same sums.
    for (const granularity of ['hour', 'day']) {
      const res = await consoleGet(`/projects/${account.projectId}/usage?granularity=${granularity}`, '/api/projects/{projectId}/usage');
      expect(res.status).toBe(200);
      expect(res.body.totals).toEqual({ tokens: 18, wrongSecret: 3 + wrong, expired: 3, rateLimited, quota: 0 });
      const byKey = Object.fromEntries(res.body.keys.map((k: { credentialId: string; totals: { tokens: number } }) => [k.credentialId, k.totals.tokens]));
      expect(byKey).toEqual({ [a.credentialId]: 12, [b.credentialId]: 5, [expired.credentialId]: 1, [limited.credentialId]: 0 });
      // Keys are named by credentialId in the console, never by their API key.
      expect(JSON.stringify(res.body)).not.toContain(a.apiKey);
    }
    const one = await consoleGet(`/projects/${account.projectId}/credentials/${a.credentialId}/usage?granularity=minute`, '/api/projects/{projectId}/credentials/{credentialId}/usage');
    expect(one.body.totals.tokens).toBe(12);
    const all = await consoleGet('/account/usage?granularity=day', '/api/account/usage');
    expect(all.body.totals.tokens).toBe(18);
  });

  it('shows another project\'s key usage to nobody, and refuses bad ranges with a message', async () => {
    const other = await s1.bootstrap();
    const bearer = `Bearer ${await s1.token(other.accessKey.accessKeyId, other.secret)}`;
    const key = await createKey('Not yours');
    const res = await fetch(`${s1.url}/v1/projects/${account.projectId}/accessKeys/${key.apiKey}/usage`, { headers: { authorization: bearer } });
    const body = await res.json();
    v1Doc.assertValid('GET', '/v1/projects/{projectId}/accessKeys/{accessKeyId}/usage', res.status, body);
    expect(res.status).toBe(403);
    const base = `/projects/${account.projectId}/usage`;
    const cases: Array<[string, RegExp]> = [
      ['?granularity=week', /granularity must be minute, hour or day/],
      ['?from=yesterday', /from must be an RFC 3339 time/],
      ['?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', /from must be before to/],
      ['?granularity=minute&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', /more than 2200 minute buckets/],
    ];
    for (const [query, message] of cases) {
      const r = await consoleGet(base + query, '/api/projects/{projectId}/usage');
      expect(r.status, query).toBe(400);
      expect(r.body.error.message, query).toMatch(message);
    }
    const unknown = await consoleGet(`/projects/${account.projectId}/credentials/00000000-0000-4000-8000-000000000000/usage`, '/api/projects/{projectId}/credentials/{credentialId}/usage');
    expect(unknown.status).toBe(404);
  });
});

describe('the token path', () => {
  it('makes no database statement per token request (usage and last use are batched)', async () => {
    const key = await createKey('Load');
    await tokens(s1, key, 2); // warm: the key is cached
    const queries = async () => (await s1.running.metrics.dbQueries.get()).values[0]?.value ?? 0;
    const before = await queries();
    const statuses = await Promise.all(Array.from({ length: 8 }, () => tokens(s1, key, 50)));
    const after = await queries();
    expect(statuses.flat().filter((st) => st === 200)).toHaveLength(400);
    expect(after - before).toBe(0);
    await s1.running.usage!.recorder.flush();
    const res = await consoleGet(`/projects/${account.projectId}/credentials/${key.credentialId}/usage`, '/api/projects/{projectId}/credentials/{credentialId}/usage');
    expect(res.body.totals.tokens).toBe(402);
  });
});

describe('Prometheus', () => {
  it('has per-project totals only where the operator opted in (USAGE_PROJECT_METRICS=on), and never a per-key label', async () => {
    const opted = await c.start({ USAGE_PROJECT_METRICS: 'on' });
    const key = await createKey('Metered');
    expect(await tokens(opted, key, 3)).toEqual([200, 200, 200]);
    expect(await tokens(opted, key, 1, 'kmsk_' + 'w'.repeat(49))).toEqual([401]);
    expect(await tokens(s1, key, 1)).toEqual([200]);
    const scrape = async (s: TestServer) => (await fetch(`${s.url}/metrics`)).text();
    const [on, off] = [await scrape(opted), await scrape(s1)];
    const sample = (text: string, name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    expect(sample(on, 'keymint_project_tokens_total', `project_id="${account.projectId}"`)).toBe(3);
    expect(sample(on, 'keymint_project_auth_failures_total', `project_id="${account.projectId}",reason="wrong_secret"`)).toBe(1);
    expect(off).not.toContain('keymint_project_');
    for (const text of [on, off]) {
      expect(text).not.toContain(key.apiKey);
      expect(text).not.toContain(key.credentialId);
    }
  });
});

describe('REST HMAC keys', () => {
  // A signed token request as docs/HMAC.md describes it (Date, x-Content-MD5, request-line).
  let lastDate = 0;
  const signedTokenRequest = (s: TestServer, id: string, secret: string) => {
    lastDate = Math.max(Date.now() - 200_000, lastDate + 1000); // each signature is used once
    const body = 'grant_type=client_credentials';
    const headers: Record<string, string> = { date: new Date(lastDate).toUTCString(), 'x-Content-MD5': createHash('md5').update(body).digest('hex') };
    const text = `date: ${headers.date}\nx-Content-MD5: ${headers['x-Content-MD5']}\nPOST /oauth2/token HTTP/1.1`;
    const signature = createHmac('sha256', secret).update(text).digest('base64');
    headers.authorization = `hmac username="${id}", algorithm="hmac-sha256", headers="date x-Content-MD5 request-line", signature="${signature}"`;
    return fetch(`${s.url}/oauth2/token`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => r.status);
  };

  it('counts signed token requests: tokens, and a bad signature as a wrong secret', async () => {
    const res = await account.users.administrator.call('POST', `/projects/${account.projectId}/credentials`, { kind: 'hmac', label: 'Signed' });
    expect(res.status).toBe(201);
    recordSecret(res.body.apiSecret, res.body.apiKey);
    const { apiKey, apiSecret, credential } = res.body as { apiKey: string; apiSecret: string; credential: { credentialId: string } };
    expect([await signedTokenRequest(s1, apiKey, apiSecret), await signedTokenRequest(s2, apiKey, apiSecret)]).toEqual([200, 200]);
    expect([await signedTokenRequest(s1, apiKey, `${apiSecret}x`), await signedTokenRequest(s2, apiKey, 'another')]).toEqual([401, 401]);
    await flushAll();
    const usage = await consoleGet(`/projects/${account.projectId}/credentials/${credential.credentialId}/usage?granularity=minute`, '/api/projects/{projectId}/credentials/{credentialId}/usage');
    expect(usage.body.totals).toEqual({ tokens: 2, wrongSecret: 2, expired: 0, rateLimited: 0, quota: 0 });
  });

  it('counts refused management requests too: a wrong Key Secret by Basic, a bad signature by hmac', async () => {
    const key = await createKey('Managed');
    const list = `/v1/projects/${account.projectId}/accessKeys`;
    const basic = (secret: string) => fetch(`${s1.url}${list}`, { headers: { authorization: `Basic ${Buffer.from(`${key.apiKey}:${secret}`).toString('base64')}` } }).then((r) => r.status);
    expect([await basic(key.apiSecret), await basic('wrong-1'), await basic('wrong-2')]).toEqual([200, 401, 401]);
    const signed = await account.users.administrator.call('POST', `/projects/${account.projectId}/credentials`, { kind: 'hmac', label: 'Signed manager' });
    recordSecret(signed.body.apiSecret, signed.body.apiKey);
    const date = new Date(Date.now() - 100_000).toUTCString();
    const text = `date: ${date}\nGET ${list} HTTP/1.1`;
    const bad = createHmac('sha256', 'not the secret').update(text).digest('base64');
    const status = await fetch(`${s2.url}${list}`, { headers: { date, authorization: `hmac username="${signed.body.apiKey}", algorithm="hmac-sha256", headers="date request-line", signature="${bad}"` } }).then((r) => r.status);
    expect(status).toBe(401);
    await flushAll();
    const usageOf = async (credentialId: string) =>
      (await consoleGet(`/projects/${account.projectId}/credentials/${credentialId}/usage?granularity=minute`, '/api/projects/{projectId}/credentials/{credentialId}/usage')).body.totals;
    expect(await usageOf(key.credentialId)).toEqual({ tokens: 0, wrongSecret: 2, expired: 0, rateLimited: 0, quota: 0 });
    expect(await usageOf(signed.body.credential.credentialId)).toEqual({ tokens: 0, wrongSecret: 1, expired: 0, rateLimited: 0, quota: 0 });
  });
});
