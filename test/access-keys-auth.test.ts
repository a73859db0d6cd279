// Who may call the Access Keys Management API v1: missing and bad credentials are 401
// with a challenge naming Bearer and Basic (the same answer for unknown key and wrong
// secret), a key of another project is 403 and changes nothing, helmet headers always.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { ApiClient, countKeys, keyRow, type ApiResponse } from './helpers/api-client.js';

let s: TestServer;
let api: ApiClient;
let a: Bootstrapped;
let b: Bootstrapped;
let aBearer: string;
let bKey: string; // a second key of project B, the target of A's attempts

beforeAll(async () => {
  s = await startTestServer();
  api = await ApiClient.create(s);
  a = await s.bootstrap();
  b = await s.bootstrap();
  aBearer = `Bearer ${await s.token(a.accessKey.accessKeyId, a.secret)}`;
  bKey = (await api.create(b.projectId, s.basic(b.accessKey.accessKeyId, b.secret), 'B second')).body.accessKey.accessKeyId;
});
afterAll(() => s?.close());

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** The five operations on project B (create and update with a valid body). */
function operations(project: () => string, key: () => string) {
  return [
    ['list', (auth?: string) => api.request('GET', `/v1/projects/${project()}/accessKeys`, { auth })],
    ['create', (auth?: string) => api.request('POST', `/v1/projects/${project()}/accessKeys`, { auth, json: { displayName: 'intruder' } })],
    ['get', (auth?: string) => api.request('GET', `/v1/projects/${project()}/accessKeys/${key()}`, { auth })],
    ['update', (auth?: string) => api.request('PATCH', `/v1/projects/${project()}/accessKeys/${key()}`, { auth, json: { displayName: 'intruder' } })],
    ['delete', (auth?: string) => api.request('DELETE', `/v1/projects/${project()}/accessKeys/${key()}`, { auth })],
  ] as const;
}
const onB = operations(() => b.projectId, () => bKey);

async function snapshotB() {
  return { count: await countKeys(s), b: await countKeys(s, b.projectId), row: await keyRow(s, bKey) };
}

function expect401(res: ApiResponse) {
  expect(res.status, res.text).toBe(401);
  expect(res.body.error.status).toBe('UNAUTHENTICATED');
  expect(res.body.error.message.length).toBeGreaterThan(10);
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/\bBearer\b/);
  expect(challenge).toMatch(/\bBasic\b/);
}

describe('missing credentials', () => {
  it.each(onB)('%s without Authorization is 401 with a Bearer and Basic challenge, and changes nothing', async (_name, call) => {
    const before = await snapshotB();
    const res = await call();
    expect401(res);
    expect(res.body.error.message).toMatch(/Bearer.*Basic/);
    expect(await snapshotB()).toEqual(before);
  });
});

describe('bad credentials', () => {
  const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
  const tamperSignature = (t: string) => {
    const [h, p, sig] = t.split('.');
    return `${h}.${p}.${flip(sig, Math.floor(sig.length / 2))}`;
  };
  const tamperPayload = (t: string) => {
    const [h, p, sig] = t.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, project_id: b.projectId })).toString('base64url');
    return `${h}.${forged}.${sig}`;
  };
  const unsigned = (t: string) => {
    const [, p] = t.split('.');
    return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${p}.`;
  };
  const cases: [string, () => string | Promise<string>][] = [
    ['a wrong secret', () => s.basic(a.accessKey.accessKeyId, `${a.secret.slice(0, -1)}x`)],
    ["another key's secret", () => s.basic(a.accessKey.accessKeyId, b.secret)],
    ['an unknown key', () => s.basic(randomUUID(), a.secret)],
    ['a non-UUID key id', () => s.basic('admin', a.secret)],
    ['an empty secret', () => s.basic(a.accessKey.accessKeyId, '')],
    ['Basic without a colon', () => `Basic ${b64(`${a.accessKey.accessKeyId}${a.secret}`)}`],
    ['Basic with bad base64', () => 'Basic !!!not-base64!!!'],
    ['Basic with nothing', () => 'Basic'],
    ['Basic with an empty user', () => `Basic ${b64(`:${a.secret}`)}`],
    ['an unknown scheme', () => `Digest ${b64(`${a.accessKey.accessKeyId}:${a.secret}`)}`],
    ['the secret as a Bearer token', () => `Bearer ${a.secret}`],
    ['Bearer garbage', () => 'Bearer garbage'],
    ['Bearer with extra parts', () => `${aBearer} extra`],
    ['a Bearer token with an altered signature', async () => `Bearer ${tamperSignature(aBearer.slice(7))}`],
    ['a Bearer token with altered claims', async () => `Bearer ${tamperPayload(aBearer.slice(7))}`],
    ['an unsigned Bearer token (alg none)', async () => `Bearer ${unsigned(aBearer.slice(7))}`],
  ];

  it.each(cases)('%s is 401', async (_name, make) => {
    const before = await snapshotB();
    expect401(await api.list(a.projectId, await make()));
    expect401(await api.create(a.projectId, await make(), 'never'));
    expect(await snapshotB()).toEqual(before);
  });

  it('gives the identical answer for an unknown key and a wrong secret', async () => {
    const unknown = await api.list(a.projectId, s.basic(randomUUID(), a.secret));
    const wrong = await api.list(a.projectId, s.basic(a.accessKey.accessKeyId, 'kmsk_wrong'));
    expect(unknown.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
    expect(unknown.headers.get('www-authenticate')).toBe(wrong.headers.get('www-authenticate'));
  });

  it('refuses an expired token', async () => {
    const token = `Bearer ${await s.token(a.accessKey.accessKeyId, a.secret)}`;
    expect((await api.list(a.projectId, token)).status).toBe(200);
    // The server runs in this process: move its clock past the token's expiry.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + (s.config.tokenTtlSeconds + 120) * 1000 });
    try {
      const res = await api.list(a.projectId, token);
      expect401(res);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses the token of a deleted key, and the deleted key's Basic credentials", async () => {
    const created = (await api.create(a.projectId, aBearer, 'short-lived')).body;
    const id = created.accessKey.accessKeyId;
    const token = `Bearer ${await s.token(id, created.secret)}`;
    expect((await api.get(a.projectId, id, token)).status).toBe(200);
    expect((await api.delete(a.projectId, id, aBearer)).status).toBe(200);
    expect401(await api.list(a.projectId, token));
    expect401(await api.list(a.projectId, s.basic(id, created.secret)));
  });
});

describe('another project', () => {
  const credentials: [string, () => string][] = [
    ['Bearer', () => aBearer],
    ['Basic', () => s.basic(a.accessKey.accessKeyId, a.secret)],
  ];
  const cases = credentials.flatMap(([kind, auth]) => onB.map(([op, call]) => [`${op} with ${kind}`, auth, call] as const));

  it.each(cases)("%s: a key of project A on project B's keys is 403 and changes nothing", async (_name, auth, call) => {
    const before = await snapshotB();
    const res = await call(auth());
    expect(res.status, res.text).toBe(403);
    expect(res.body.error.status).toBe('PERMISSION_DENIED');
    expect(res.body.error.message).toMatch(/can manage the keys of that project only/);
    expect(await snapshotB()).toEqual(before);
    expect(before.row.display_name).toBe('B second');
  });

  it("is 404 when A names B's key under its own project, and changes nothing", async () => {
    const before = await snapshotB();
    for (const [, call] of operations(() => a.projectId, () => bKey).slice(2)) {
      const res = await call(aBearer);
      expect(res.status, res.text).toBe(404);
      expect(res.body.error.status).toBe('NOT_FOUND');
    }
    expect(await snapshotB()).toEqual(before);
  });

  it('is 403 for a project ID that is no project at all', async () => {
    for (const project of [randomUUID(), 'not-a-project']) {
      const res = await api.list(project, aBearer);
      expect(res.status, res.text).toBe(403);
      expect(res.body.error.status).toBe('PERMISSION_DENIED');
    }
  });

  it('reads project IDs case-insensitively, like key IDs', async () => {
    const res = await api.list(a.projectId.toUpperCase(), aBearer);
    expect(res.status, res.text).toBe(200);
    expect(res.body.accessKeys[0].projectId).toBe(a.projectId);
  });
});

describe('helmet', () => {
  it('sets its headers on API responses, successes and errors alike', async () => {
    const responses = [
      await api.list(a.projectId, aBearer),
      await api.list(a.projectId),
      await api.get(a.projectId, randomUUID(), aBearer),
      await api.list(b.projectId, aBearer),
      await api.request('POST', `/v1/projects/${a.projectId}/accessKeys`, { auth: aBearer, raw: '{', contentType: 'application/json' }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 401, 404, 403, 400]);
    for (const res of responses) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });
});
