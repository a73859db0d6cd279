// Issue #12's server side: generated secrets are stored as `sha256$<base64url>` digests;
// a bcrypt row (stored before) verifies once and is rewritten as its digest exactly once,
// whichever instances see it first; person-chosen passwords stay bcrypt; made-up Key IDs
// cost no lookup, and a key made on another instance works on its first request.
import { createHash, randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, type Cluster } from './helpers/cluster.js';
import { consoleAccount } from './helpers/console-account.js';
import { recordSecret, type TestServer } from './helpers/server.js';
import { otherLastChar, postToken, until } from './helpers/token-requests.js';

let c: Cluster;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  c = await cluster({ TRUST_PROXY: '1' });
  [a, b] = await Promise.all([c.start(), c.start()]);
});
afterAll(() => c?.close());

const digestOf = (secret: string) => `sha256$${createHash('sha256').update(secret).digest('base64url')}`;
const storedHash = async (id: string) => (await a.sql.query('SELECT secret_hash FROM access_keys WHERE id = $1', [id])).rows[0]?.secret_hash as string;
const metric = async (s: TestServer, name: string) => {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
};

describe('stored secrets', () => {
  it('a new Key Secret is stored as its SHA-256 digest, with the scheme named', async () => {
    const k = await a.bootstrap();
    const stored = await storedHash(k.accessKey.accessKeyId);
    expect(stored).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
    expect(stored).toBe(digestOf(k.secret));
    expect((await postToken(b.url, { basic: [k.accessKey.accessKeyId, k.secret] })).status).toBe(200);
  });

  it('a console REST Basic secret is a digest; a legacy password (chosen by a person) stays bcrypt', async () => {
    const acct = await consoleAccount(a);
    const call = acct.users.administrator.call;
    const basic = await call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: 'digest please' });
    expect(basic.status, basic.text).toBe(201);
    recordSecret(basic.body.secret);
    const password = 'LegacyPassw0rd';
    recordSecret(password);
    const legacy = await call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'legacy', username: `stays.bcrypt${Date.now()}`, password });
    expect(legacy.status, legacy.text).toBe(201);
    const rows = await a.sql.query('SELECT kind, secret_hash FROM access_keys WHERE project_id = $1 ORDER BY kind', [acct.projectId]);
    const byKind = Object.fromEntries(rows.rows.map((r) => [r.kind, r.secret_hash as string]));
    expect(byKind.basic).toMatch(/^sha256\$/);
    expect(byKind.legacy).toMatch(/^\$2[aby]\$/);
    expect((await postToken(a.url, { basic: [legacy.body.credential.username, password] })).status).toBe(200);
    const after = await a.sql.query("SELECT secret_hash FROM access_keys WHERE project_id = $1 AND kind = 'legacy'", [acct.projectId]);
    expect(after.rows[0].secret_hash).toBe(byKind.legacy); // used, and still bcrypt: never "upgraded"
  });

  it('a bcrypt row verifies once and is rewritten as its digest exactly once, across two instances', async () => {
    const k = await a.bootstrap();
    const id = k.accessKey.accessKeyId;
    // As a row written before digests: bcrypt of the same secret.
    await a.sql.query('UPDATE access_keys SET secret_hash = $2 WHERE id = $1', [id, await bcrypt.hash(k.secret, 4)]);
    const { rows } = await a.sql.query<{ seq: string }>('SELECT max(seq) AS seq FROM change_log');
    const mark = rows[0].seq;
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) => postToken((i % 2 ? a : b).url, { basic: [id, k.secret], headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } })),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await storedHash(id)).toBe(digestOf(k.secret));
    // One change announced for the key: the upgrade, by one instance; the other's UPDATE matched nothing.
    const changes = await a.sql.query('SELECT count(*)::int AS n FROM change_log WHERE id = $1 AND seq > $2', [id, mark]);
    expect(changes.rows[0].n).toBe(1);
    // And it keeps working, now from the digest, on both; a wrong secret does not.
    for (const s of [a, b]) {
      await until('the upgraded row to be read', async () => ((await postToken(s.url, { basic: [id, k.secret] })).status === 200 ? true : undefined));
      expect((await postToken(s.url, { basic: [id, `${k.secret}x`], headers: { 'x-forwarded-for': '192.0.2.99' } })).status).toBe(401);
    }
  });

  it('a wrong secret against a bcrypt row is refused and leaves the row as it was', async () => {
    const k = await a.bootstrap();
    const id = k.accessKey.accessKeyId;
    const hash = await bcrypt.hash(k.secret, 4);
    await a.sql.query('UPDATE access_keys SET secret_hash = $2 WHERE id = $1', [id, hash]);
    expect((await postToken(a.url, { basic: [id, 'not-the-secret'], headers: { 'x-forwarded-for': '192.0.2.150' } })).status).toBe(401);
    expect(await storedHash(id)).toBe(hash);
  });
});

describe('the cold path', () => {
  it('made-up Key IDs are answered without a lookup', async () => {
    await postToken(a.url, { basic: [randomUUID(), 'warm-up'], headers: { 'x-forwarded-for': '198.18.0.1' } });
    const filtered = () => metric(a, 'keymint_cache_lookups_total{cache="access_key",result="unknown_filtered"}');
    const lookups = () => metric(a, 'keymint_cache_lookups_total{cache="access_key",result="miss"}');
    const [f0, l0, q0] = [await filtered(), await lookups(), await metric(a, 'keymint_db_queries_total')];
    for (let wave = 0; wave < 4; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => postToken(a.url, { basic: [randomUUID(), 'made-up'], headers: { 'x-forwarded-for': `198.18.${wave * 50 + i + 1}.1` } })),
      );
      expect(answers.every((r) => r.status === 401)).toBe(true);
    }
    expect((await filtered()) - f0).toBe(200);
    expect((await lookups()) - l0).toBe(0);
    // What is left are the writes of the failures, shared with the other instance: batched,
    // one statement per 100 ms at most (auth/failure-limiter.ts), far fewer than the requests.
    expect((await metric(a, 'keymint_db_queries_total')) - q0).toBeLessThan(100);
  });

  // The attack: made-up Key IDs shaped like keys created this very second (fresh UUIDv7s),
  // which the filter cannot rule out from its last look. Before, each was a lookup (200
  // requests, 200 statements); now they wait for one shared look of the keys created since.
  it('made-up Key IDs shaped like brand-new keys cost a few shared looks, not a lookup each', async () => {
    await postToken(a.url, { basic: [uuidv7(), 'warm-up'], headers: { 'x-forwarded-for': '198.19.0.1' } });
    const lookups = () => metric(a, 'keymint_cache_lookups_total{cache="access_key",result="miss"}');
    const [l0, q0] = [await lookups(), await metric(a, 'keymint_db_queries_total')];
    for (let wave = 0; wave < 4; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => postToken(a.url, { basic: [uuidv7(), 'made-up'], headers: { 'x-forwarded-for': `198.19.${wave * 50 + i + 1}.1` } })),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(50).fill(401));
    }
    expect((await lookups()) - l0).toBe(0);
    expect((await metric(a, 'keymint_db_queries_total')) - q0).toBeLessThan(60);
  });

  // The fleet's shape: many keys, each asking once, together. Reads asked for while others
  // are being made go together in one statement (db/batched-reads.ts): before, one each.
  it('first tokens of many keys at once are read in a few batched statements, and each is right', async () => {
    const { projectId, accessKey, secret } = await a.bootstrap();
    const made: Array<{ id: string; secret: string }> = [];
    for (let i = 0; i < 80; i++) {
      const res = await fetch(`${a.url}/v1/projects/${projectId}/accessKeys`, {
        method: 'POST',
        headers: { authorization: a.basic(accessKey.accessKeyId, secret), 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: `fleet ${i}` }),
      });
      const body = (await res.json()) as { accessKey: { accessKeyId: string }; secret: string };
      recordSecret(body.secret);
      made.push({ id: body.accessKey.accessKeyId, secret: body.secret });
    }
    const misses = () => metric(b, 'keymint_cache_lookups_total{cache="access_key",result="miss"}');
    const [m0, q0] = [await misses(), await metric(b, 'keymint_db_queries_total')];
    // Every other key presents a wrong secret: a batch answers each key for itself.
    const answers = await Promise.all(made.map((k, i) => postToken(b.url, { basic: [k.id, i % 2 ? otherLastChar(k.secret) : k.secret], headers: { 'x-forwarded-for': `198.20.0.${i + 1}` } })));
    expect(answers.map((r) => r.status)).toEqual(made.map((_, i) => (i % 2 ? 401 : 200)));
    expect((await misses()) - m0).toBe(80);
    expect((await metric(b, 'keymint_db_queries_total')) - q0).toBeLessThan(40);
  });

  it('a key created on one instance works on its first request at another', async () => {
    for (let i = 0; i < 5; i++) {
      const k = await a.bootstrap();
      expect((await postToken(b.url, { basic: [k.accessKey.accessKeyId, k.secret] })).status).toBe(200);
    }
  });
});
