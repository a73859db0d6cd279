// The resident keys (src/auth/resident-keys.ts, resident-table.ts): every qualifying key
// judged from memory, kept fresh by the change feed on every instance. A key that exists
// when an instance starts gets its first token there without a read; a change of it on
// another instance (delete, expiry, rotation, grants) takes effect there as for a cached key;
// a page read while a key changed does not bring the old row back; a feed reset reloads.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cluster, type Cluster } from './helpers/cluster.js';
import { recordSecret, type Bootstrapped, type TestServer } from './helpers/server.js';
import { postToken } from './helpers/token-requests.js';
import { ResidentTable } from '../src/auth/resident-table.js';
import { ResidentKeys } from '../src/auth/resident-keys.js';
import { hashSecret, DIGEST_PREFIX } from '../src/auth/secret-hash.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let c: Cluster;
let a: TestServer;
let boot: Bootstrapped;
const silent = { info() {}, warn() {} };

beforeAll(async () => {
  c = await cluster();
  a = await c.start();
  boot = await a.bootstrap();
});
afterAll(() => c?.close());

const admin = () => a.basic(boot.accessKey.accessKeyId, boot.secret);
const keysUrl = () => `${a.url}/v1/projects/${boot.projectId}/accessKeys`;

async function newKey(name: string) {
  const res = await fetch(keysUrl(), { method: 'POST', headers: { authorization: admin(), 'content-type': 'application/json' }, body: JSON.stringify({ displayName: name }) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { accessKey: { accessKeyId: string }; secret: string };
  recordSecret(body.secret, body.accessKey.accessKeyId);
  return { id: body.accessKey.accessKeyId, secret: body.secret };
}

const status = async (s: TestServer, id: string, secret: string) => (await postToken(s.url, { basic: [id, secret] })).status;
const counter = async (s: TestServer, result: string) =>
  (await s.running.metrics.cacheLookups.get()).values.find((v) => v.labels.cache === 'access_key' && v.labels.result === result)?.value ?? 0;
const statements = async (s: TestServer) => (await s.running.metrics.dbQueries.get()).values[0]?.value ?? 0;

async function loaded(s: TestServer): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const text = await s.running.metrics.registry.metrics();
    if (/^keymint_resident_keys_loaded 1$/m.test(text)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the resident keys did not load');
}

async function until(check: () => Promise<boolean>, ms = 3000): Promise<number> {
  const from = Date.now();
  while (!(await check())) {
    if (Date.now() - from > ms) throw new Error('not within the time');
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - from;
}

describe('an instance that starts after its keys were made', () => {
  let b: TestServer;
  let keys: Array<{ id: string; secret: string }>;
  beforeAll(async () => {
    keys = [];
    for (let i = 0; i < 12; i++) keys.push(await newKey(`resident ${i}`));
    b = await c.start();
    await loaded(b);
  });

  it("gives each key's first token without a read, and refuses a wrong secret and an unknown key as before", async () => {
    const misses = await counter(b, 'miss');
    const before = await statements(b);
    const answers = await Promise.all(keys.slice(0, 8).map((k) => status(b, k.id, k.secret)));
    expect(answers).toEqual(Array(8).fill(200));
    expect(await counter(b, 'miss')).toBe(misses);
    // Usage and last-use flushes may write meanwhile; the keys themselves cost no read.
    expect((await statements(b)) - before).toBeLessThan(4);
    expect(await status(b, keys[8].id, `${keys[8].secret.slice(0, -1)}${keys[8].secret.endsWith('A') ? 'B' : 'A'}`)).toBe(401);
    expect(await status(b, randomUUID(), keys[8].secret)).toBe(401);
  });

  it('refuses a key deleted on another instance, within a second', async () => {
    const k = keys[9];
    expect(await status(b, k.id, k.secret)).toBe(200);
    const del = await fetch(`${keysUrl()}/${k.id}`, { method: 'DELETE', headers: { authorization: admin() } });
    expect(del.status).toBe(200);
    expect(await until(async () => (await status(b, k.id, k.secret)) === 401, 1000)).toBeLessThan(1000);
  });

  it('follows an expiry set and a secret rotated on another instance', async () => {
    const [expiring, rotating] = [keys[10], keys[11]];
    const past = new Date(Date.now() - 60_000).toISOString();
    const patched = await fetch(`${keysUrl()}/${expiring.id}`, { method: 'PATCH', headers: { authorization: admin(), 'content-type': 'application/json' }, body: JSON.stringify({ expireTime: past }) });
    if (patched.status === 200) {
      await until(async () => (await status(b, expiring.id, expiring.secret)) === 401, 1000);
    } else {
      // The API refuses an expiry in the past: write it as SQL would (a row changed by hand also notifies).
      await a.sql.query('UPDATE access_keys SET expire_time = now() - interval \'1 minute\' WHERE id = $1', [expiring.id]);
      await until(async () => (await status(b, expiring.id, expiring.secret)) === 401, 1000);
    }
    const rotated = await fetch(`${keysUrl()}/${rotating.id}:rotateSecret`, { method: 'POST', headers: { authorization: admin(), 'content-type': 'application/json' }, body: JSON.stringify({ previousSecretExpireTime: new Date(Date.now() + 3_600_000).toISOString() }) });
    expect(rotated.status).toBe(200);
    const fresh = ((await rotated.json()) as { secret: string }).secret;
    recordSecret(fresh, rotating.id);
    await until(async () => (await status(b, rotating.id, fresh)) === 200, 1000);
    expect(await status(b, rotating.id, rotating.secret)).toBe(200); // the previous secret, until its time
  });

  it('reloads everything after a feed reset, and keeps serving meanwhile', async () => {
    const k = await newKey('after reset');
    const { resident } = b.running;
    resident.reset();
    expect(resident.loaded).toBe(false);
    expect(await status(b, k.id, k.secret)).toBe(200); // read from the database meanwhile
    await loaded(b);
    expect(resident.get(keys[0].id)?.id).toBe(keys[0].id);
    expect(resident.get(keys[9].id)).toBeUndefined(); // deleted above: not brought back
  });
});

describe('the table', () => {
  it('finds every key it holds, none it does not, and survives growth and removal', () => {
    const t = new ResidentTable(1);
    const profile = { projectId: randomUUID(), accountId: randomUUID(), policy: null };
    const ids = Array.from({ length: 5000 }, () => randomUUID());
    ids.forEach((id, i) => t.set(id, Buffer.alloc(32, i % 251), i % 3 ? null : 1_700_000_000_000 + i, profile));
    expect(t.size).toBe(5000);
    ids.forEach((id, i) => {
      const e = t.get(id)!;
      expect(e.digest[0]).toBe(i % 251);
      expect(e.expiresAt).toBe(i % 3 ? null : 1_700_000_000_000 + i);
    });
    for (let i = 0; i < 2000; i++) expect(t.get(randomUUID())).toBeUndefined();
    expect(t.get('not-a-uuid')).toBeUndefined();
    expect(t.get(ids[0].toUpperCase())).toBeUndefined(); // canonical lower case only
    expect(t.remove(ids[1])).toBe(true);
    expect(t.get(ids[1])).toBeUndefined();
    expect(t.remove(ids[1])).toBe(false);
    t.set(ids[1], Buffer.alloc(32, 7), null, profile);
    expect(t.get(ids[1])!.digest[0]).toBe(7);
    expect(t.size).toBe(5000);
  });

  it('does not grow with churn: removed entries are compacted away', () => {
    const t = new ResidentTable(1);
    const profile = { projectId: randomUUID(), accountId: randomUUID(), policy: null };
    const kept = Array.from({ length: 100 }, () => randomUUID());
    kept.forEach((id, i) => t.set(id, Buffer.alloc(32, i), null, profile));
    let peak = 0;
    for (let round = 0; round < 60_000; round++) {
      const id = randomUUID();
      t.set(id, Buffer.alloc(32, 1), null, { ...profile, policy: { grants: [], customClaims: { round } } });
      t.remove(id);
      peak = Math.max(peak, t.bytes);
    }
    expect(t.size).toBe(100);
    // 60,100 keys went through it; it never held room for more than a few thousand.
    expect(peak).toBeLessThan(2_000_000);
    kept.forEach((id, i) => expect(t.get(id)!.digest[0]).toBe(i));
    expect(t.get(kept[0])!.profile).toEqual(profile);
  });
});

describe('a page read while a key changes', () => {
  it('does not bring that key back', async () => {
    const db = new pg.Pool({ connectionString: c.database.url, max: 2 });
    try {
      const k = await newKey('changes during the load');
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let paged = false;
      // The pool, with the first page read held until the change has been seen.
      const slow = {
        query: async (...args: Parameters<pg.Pool['query']>) => {
          const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
          if (text.includes('string_agg(packed') && !paged) {
            paged = true;
            const result = await (db.query as (...a: unknown[]) => Promise<unknown>)(...args);
            await held;
            return result;
          }
          return (db.query as (...a: unknown[]) => Promise<unknown>)(...args);
        },
      } as unknown as pg.Pool;
      const resident = new ResidentKeys({ db: slow, log: silent, page: 1000 });
      const done = resident.start();
      await until(async () => paged);
      resident.remove(k.id); // the change arrives while the page (read before it) is in flight
      release();
      await done;
      expect(resident.loaded).toBe(true);
      expect(resident.get(k.id)).toBeUndefined();
      expect(resident.get(boot.accessKey.accessKeyId)).toBeDefined();
      expect(resident.get(boot.accessKey.accessKeyId)!.secretHash).toBe(hashSecret(boot.secret));
    } finally {
      await db.end();
    }
  });

  it('loads only keys it can judge alone: not one whose secret is still a bcrypt hash', async () => {
    const db = new pg.Pool({ connectionString: c.database.url, max: 2 });
    try {
      const bcryptKey = await newKey('bcrypt');
      await a.sql.query("UPDATE access_keys SET secret_hash = '$2b$04$abcdefghijklmnopqrstuuJ3nH3p1FZsZb1nN6pQH1m3xGq0pXvZ2' WHERE id = $1", [bcryptKey.id]);
      const resident = new ResidentKeys({ db, log: silent, page: 3 });
      await resident.start();
      expect(resident.get(bcryptKey.id)).toBeUndefined();
      const any = resident.get(boot.accessKey.accessKeyId)!;
      expect(any.secretHash!.startsWith(DIGEST_PREFIX)).toBe(true);
      expect(any.projectId).toBe(boot.projectId);
      expect(any.accountId).toBe(boot.accountId);
    } finally {
      await db.end();
    }
  });
});
