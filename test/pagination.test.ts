// Keyset pagination of GET /v1/projects/{projectId}/accessKeys: pages of the asked size
// in id order, every key exactly once, "" after the last page, new keys at the end,
// deleted ones skipped, and page tokens that are opaque and tamper-evident.
import bcrypt from 'bcrypt';
import { v7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Bootstrapped, type TestServer } from './helpers/server.js';
import { ApiClient, countKeys, type ApiResponse } from './helpers/api-client.js';

let s: TestServer;
let api: ApiClient;
let p: Bootstrapped; // 250 inserted keys + its bootstrap key
let q: Bootstrapped; // another project, a few keys
let pAuth: string;
let expected: string[]; // p's key IDs in id order, from the database

type Key = { accessKeyId: string; projectId: string; displayName: string };

/** Inserts `n` keys straight into the table: v7 IDs and one fixed bcrypt hash, for speed. */
async function insertKeys(projectId: string, n: number, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => v7());
  const names = ids.map((_, i) => `${prefix} ${String(i).padStart(4, '0')}`);
  await s.sql.query(
    `INSERT INTO access_keys (id, project_id, display_name, secret_hash)
     SELECT id, $1, name, $4 FROM unnest($2::uuid[], $3::text[]) AS t(id, name)`,
    [projectId, ids, names, FIXED_HASH],
  );
  return ids;
}
let FIXED_HASH: string;

beforeAll(async () => {
  s = await startTestServer();
  api = await ApiClient.create(s);
  FIXED_HASH = await bcrypt.hash('not a real secret', 4);
  p = await s.bootstrap();
  q = await s.bootstrap();
  pAuth = `Bearer ${await s.token(p.accessKey.accessKeyId, p.secret)}`;
  await insertKeys(p.projectId, 250, 'bulk');
  await insertKeys(q.projectId, 3, 'other');
  const { rows } = await s.sql.query<{ id: string }>('SELECT id FROM access_keys WHERE project_id = $1 ORDER BY id', [p.projectId]);
  expected = rows.map((r) => r.id);
});
afterAll(() => s?.close());

const page = (project: string, auth: string, size?: number, token?: string) =>
  api.list(project, auth, [size && `pageSize=${size}`, token && `pageToken=${encodeURIComponent(token)}`].filter(Boolean).join('&'));

/** Walks every page; `between` runs after each page but the last. */
async function walk(project: string, auth: string, size: number, between?: (seen: Key[][]) => Promise<void>) {
  const pages: Key[][] = [];
  const tokens: string[] = [];
  let token: string | undefined;
  do {
    const res: ApiResponse = await page(project, auth, size, token);
    expect(res.status, res.text).toBe(200);
    pages.push(res.body.accessKeys);
    token = res.body.nextPageToken;
    tokens.push(res.body.nextPageToken);
    if (token && between) await between(pages);
    expect(pages.length).toBeLessThan(1000);
  } while (token);
  return { pages, tokens, ids: pages.flat().map((k) => k.accessKeyId) };
}

describe('walking the pages', () => {
  it('gives 100, 100, 51 keys, then an empty token; every key once, in id order', async () => {
    expect(expected.length).toBe(251);
    expect(expected[0]).toBe(p.accessKey.accessKeyId);
    const { pages, tokens, ids } = await walk(p.projectId, pAuth, 100);
    expect(pages.map((pg) => pg.length)).toEqual([100, 100, 51]);
    expect(tokens.slice(0, -1).every((t) => t.length > 0)).toBe(true);
    expect(tokens.at(-1)).toBe('');
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    expect(pages.flat().every((k) => k.projectId === p.projectId)).toBe(true);
  });

  it('is stable: the same walk twice gives the same pages, with Basic as with Bearer', async () => {
    const first = await walk(p.projectId, pAuth, 37);
    const second = await walk(p.projectId, s.basic(p.accessKey.accessKeyId, p.secret), 37);
    expect(second.pages).toEqual(first.pages);
    expect(first.ids).toEqual(expected);
    expect(first.pages.map((pg) => pg.length)).toEqual([...Array(6).fill(37), 251 - 6 * 37]);
  });

  it('returns everything in one page with pageSize=1000', async () => {
    const res = await page(p.projectId, pAuth, 1000);
    expect(res.body.accessKeys.map((k: Key) => k.accessKeyId)).toEqual(expected);
    expect(res.body.nextPageToken).toBe('');
  });

  it('has a default page size of 100', async () => {
    const res = await page(p.projectId, pAuth);
    expect(res.body.accessKeys.map((k: Key) => k.accessKeyId)).toEqual(expected.slice(0, 100));
    expect(res.body.nextPageToken).not.toBe('');
  });

  it('gives no empty last page when the keys fill the pages exactly', async () => {
    const exact = await page(p.projectId, pAuth, 251);
    expect(exact.body.accessKeys.length).toBe(251);
    expect(exact.body.nextPageToken).toBe('');
    const { pages } = await walk(p.projectId, pAuth, 250);
    expect(pages.map((pg) => pg.length)).toEqual([250, 1]);
  });

  it("never shows another project's keys, and walks that project on its own", async () => {
    const qAuth = s.basic(q.accessKey.accessKeyId, q.secret);
    const { ids } = await walk(q.projectId, qAuth, 2);
    expect(ids.length).toBe(4);
    expect(ids.some((id) => expected.includes(id))).toBe(false);
  });
});

describe('keyset semantics', () => {
  it('shows a key created during the walk at the end, and skips one deleted during it', async () => {
    const r = await s.bootstrap();
    const auth = s.basic(r.accessKey.accessKeyId, r.secret);
    const inserted = await insertKeys(r.projectId, 30, 'walk');
    let created = '';
    const deleted: string[] = [];
    const { ids } = await walk(r.projectId, auth, 10, async (seen) => {
      if (seen.length !== 1) return;
      const last = seen[0].at(-1)!.accessKeyId;
      // Delete the key the page token points after, and one not yet seen.
      deleted.push(last, inserted[20]);
      for (const id of deleted) expect((await api.delete(r.projectId, id, auth)).status).toBe(200);
      const res = await api.create(r.projectId, auth, 'created mid-walk');
      expect(res.status).toBe(200);
      created = res.body.accessKey.accessKeyId;
    });
    const all = [r.accessKey.accessKeyId, ...inserted];
    expect(ids.at(-1)).toBe(created);
    expect(ids.slice(0, 10)).toEqual(all.slice(0, 10)); // the first page, before the deletes
    expect(ids.slice(10)).toEqual([...all.slice(10).filter((id) => !deleted.includes(id)), created]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await countKeys(s, r.projectId)).toBe(31 - 2 + 1);
  });
});

describe('page tokens', () => {
  let token: string;
  beforeAll(async () => {
    token = (await page(p.projectId, pAuth, 100)).body.nextPageToken;
  });
  const expect400 = (res: ApiResponse) => {
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringMatching(/pageToken/) });
  };

  it('are opaque: not plain JSON, no readable IDs, URL-safe', async () => {
    expect(() => JSON.parse(token)).toThrow();
    expect(token).not.toContain(p.projectId);
    expect(token).not.toContain(expected[99]);
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('refuse tampering: another position under the old MAC, or a changed MAC', async () => {
    const [payload, mac] = token.split('.');
    const position = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
    const moved = Buffer.from(JSON.stringify(position.map((v) => (v === expected[99] ? expected[199] : v)))).toString('base64url');
    expect(moved).not.toBe(payload);
    expect400(await page(p.projectId, pAuth, 100, `${moved}.${mac}`));
    expect400(await page(p.projectId, pAuth, 100, `${payload}.${mac.split('').reverse().join('')}`));
    expect400(await page(p.projectId, pAuth, 100, `${payload}.`));
    // The untouched token still works, and yields the second page.
    const ok = await page(p.projectId, pAuth, 100, token);
    expect(ok.body.accessKeys.map((k: Key) => k.accessKeyId)).toEqual(expected.slice(100, 200));
  });

  it("refuse a token of another project's list", async () => {
    const qAuth = s.basic(q.accessKey.accessKeyId, q.secret);
    const foreign = (await page(q.projectId, qAuth, 1)).body.nextPageToken;
    expect(foreign).not.toBe('');
    expect400(await page(p.projectId, pAuth, 1, foreign));
    // Nor is p's token any good on q's list.
    expect400(await page(q.projectId, qAuth, 1, token));
  });

  it('do not depend on the page size they were made with', async () => {
    const res = await page(p.projectId, pAuth, 50, token);
    expect(res.body.accessKeys.map((k: Key) => k.accessKeyId)).toEqual(expected.slice(100, 150));
  });
});
