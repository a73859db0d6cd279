// The resident keys (src/auth/resident-keys.ts) under attack and change, across three
// instances on one database. The risk is staleness: a deleted, expired, rotated or re-granted
// key still honoured from memory somewhere. Many keys are made by SQL (3,000 whose secrets the
// test keeps, among filler rows, so that a load takes many pages); then:
// 1. instance C starts while A deletes, rotates (three ways), expires, re-grants and binds to
//    DPoP keys: once C says it has loaded (keymint_resident_keys_loaded 0 -> 1), every instance
//    answers every key as the database says, and holds no stale copy of any; the expiries C
//    loads are the database's, judged against the clock;
// 2. a client hammers B with 20 keys while A deletes them one by one: B refuses each within
//    1 s of the delete's answer, and never issues a token for it after its first refusal;
// 3. B's change feed is cut (its LISTEN connection only, at a proxy: its pool goes on) while A
//    changes keys: back, B catches up from change_log; away "31 minutes" (the feed's clock
//    moved on, and the changes pruned from change_log), B resets (reloads everything) and is
//    right again;
// 4. 2,000 made-up Key IDs (UUIDv7) against a loaded instance: 401 each, no key read.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashSecret } from '../src/auth/secret-hash.js';
import { generateSecret } from '../src/kernel/secrets.js';
import { cluster, type Cluster } from './helpers/cluster.js';
import { consoleAccount } from './helpers/console-account.js';
import { startPgProxy, type PgProxy } from './helpers/pg-proxy.js';
import { gauge, listenBackends, seedKeys, uuidV7, type Known } from './helpers/resident-cluster.js';
import { KeyChurn, pooled, type Sizes } from './helpers/resident-churn.js';
import { recordSecret, type TestServer } from './helpers/server.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const API = 'https://orders.resident.test';
const LEGACY = 'https://legacy.resident.test';
const KNOWN = 3_000;
const FILLER = Number(process.env.RESIDENT_FILLER ?? 100_000);

let c: Cluster;
let a: TestServer, b: TestServer, cc: TestServer;
let proxy: PgProxy;
let churn: KeyChurn;
const figures: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  c = await cluster({ TOKEN_AUDIENCE: LEGACY, TOKEN_SCOPES: 'read write' });
  // An instance to set up with, stopped before A and B start: they load every key at start.
  const setup = await c.start();
  const acct = await consoleAccount(setup);
  const api = await acct.users.administrator.call('POST', '/apis', { identifier: API, displayName: 'Orders', scopes: [{ name: 'orders:read' }, { name: 'orders:write' }] });
  expect(api.status, api.text).toBe(201);
  const made = await acct.users.administrator.call('POST', `/projects/${acct.projectId}/credentials`, { kind: 'basic', label: 'manager' });
  expect(made.status, made.text).toBe(201);
  recordSecret(made.body.apiSecret, made.body.apiKey);
  const manager: Known = { id: made.body.apiKey, secret: made.body.apiSecret };
  const from = Date.now();
  const keys = await seedKeys(setup.sql, acct.projectId, KNOWN, FILLER);
  churn = new KeyChurn({ keys, manager, projectId: acct.projectId, api: API, legacy: LEGACY });
  figures.push(`${KNOWN} known keys among ${FILLER} filler rows made by SQL in ${Date.now() - from} ms`);
  await c.stop(setup);
  proxy = await startPgProxy(c.database.url);
  a = await c.start();
  b = await c.start({ DATABASE_URL: proxy.url });
  for (const s of [a, b]) await loaded(s);
});

afterAll(async () => {
  await c?.close();
  await proxy?.close();
  console.log(figures.map((f) => `FIGURE resident ${f}`).join('\n'));
});

async function loaded(s: TestServer, ms = 60_000): Promise<void> {
  const from = Date.now();
  while ((await gauge(s, 'keymint_resident_keys_loaded')) !== 1) {
    if (Date.now() - from > ms) throw new Error('the resident keys did not load');
    await sleep(20);
  }
}

describe('keys changed on A while C loads its resident keys', () => {
  it('are answered as the database says by A, B and C once C has loaded, every key of them', async () => {
    const p = churn.plan({ deleted: 100, expired: 50, rotatedNow: 20, rotatedRevoked: 20, rotatedOverlap: 10, regranted: 50, dpop: 20, unchanged: 400 });
    const jobs = churn.changes(a, p);
    // And keys that C loads with an expiry (set before it starts): soon, and in a day.
    const [soon, dated] = [churn.take(20), churn.take(20)];
    await a.sql.query("UPDATE access_keys SET expire_time = now() + interval '6 seconds' WHERE id = ANY($1::uuid[])", [soon.map((k) => k.id)]);
    await a.sql.query("UPDATE access_keys SET expire_time = now() + interval '1 day' WHERE id = ANY($1::uuid[])", [dated.map((k) => k.id)]);
    const { rows: expiries } = await a.sql.query<{ id: string; ms: number }>(
      'SELECT id, (extract(epoch FROM expire_time) * 1000)::float8 AS ms FROM access_keys WHERE id = ANY($1::uuid[])',
      [[...soon, ...dated].map((k) => k.id)],
    );
    const startedAt = Date.now();
    cc = await c.start();
    expect(await gauge(cc, 'keymint_resident_keys_loaded'), 'C had loaded before the churn began: more filler rows needed').toBe(0);
    let loadedAt = 0;
    const watching = (async () => {
      while ((await gauge(cc, 'keymint_resident_keys_loaded')) !== 1) {
        if (Date.now() - startedAt > 60_000) throw new Error('C did not load');
        await sleep(5);
      }
      loadedAt = Date.now();
    })();
    // Beside the API's changes, an operator's SQL gives keys a new secret, one statement each,
    // as fast as it can until C has loaded: many commit while a page that holds their key is read.
    const storm = churn.take(1_000).map((k) => ({ ...k, fresh: generateSecret(), at: 0 }));
    let stormNext = 0;
    const stormed = Promise.all(
      [0, 1].map(async () => {
        while (!loadedAt && stormNext < storm.length) {
          const k = storm[stormNext++];
          await a.sql.query('UPDATE access_keys SET secret_hash = $2 WHERE id = $1', [k.id, hashSecret(k.fresh)]);
          k.at = Date.now();
        }
      }),
    );
    const answeredAt = await pooled(jobs.map((job) => async () => (await job(), Date.now())), 10);
    await watching;
    await stormed;
    const stormAt = storm.filter((k) => k.at).map((k) => k.at);
    const during = answeredAt.filter((t) => t < loadedAt).length;
    figures.push(
      `C loaded ${await gauge(cc, 'keymint_resident_keys')} keys in ${loadedAt - startedAt} ms (from its start); ${during} of ${jobs.length} API changes ` +
        `and ${stormAt.filter((t) => t < loadedAt).length} by SQL were answered meanwhile, the last ${Math.max(...answeredAt, ...stormAt) - startedAt} ms after C's start`,
    );
    expect(during, 'no change was made during the load').toBeGreaterThan(0);
    // The bound: a change is in effect everywhere within 1 s of its answer.
    await sleep(Math.max(0, Math.max(...answeredAt, ...stormAt) + 1_000 - Date.now()));
    const judgedAt = Date.now();
    const wrong = [...(await churn.judge(a, 'A', p, false)), ...(await churn.judge(b, 'B', p, false)), ...(await churn.judge(cc, 'C', p))];
    figures.push(`churn: ${p.unchanged.length + jobs.length} keys judged on three instances in ${Date.now() - judgedAt} ms`);
    for (const [name, s] of [['A', a], ['B', b], ['C', cc]] as const) {
      for (const k of storm) {
        const r = s.running.resident.get(k.id);
        if (!k.at && r?.secretHash !== hashSecret(k.secret)) wrong.push(`${name}: ${k.id}, not changed, not resident`);
        if (k.at && r && r.secretHash !== hashSecret(k.fresh)) wrong.push(`${name}: a resident copy of ${k.id} with the secret it had before the SQL`);
      }
    }
    expect(wrong).toEqual([]);

    // C loaded the expiries from its pages as the database holds them (to the millisecond)...
    for (const { id, ms } of expiries) expect(Math.abs(cc.running.resident.get(id)!.expiresAt! - ms), id).toBeLessThan(1);
    for (const k of dated) expect(await churn.status(cc, k)).toBe(200);
    // ...and judges them against the clock at each use: past it, no change needed, refused everywhere.
    const soonIds = new Set(soon.map((k) => k.id));
    await sleep(Math.max(0, Math.max(...expiries.filter((e) => soonIds.has(e.id)).map((e) => e.ms)) + 50 - Date.now()));
    const lapsed = await pooled([a, b, cc].flatMap((s) => soon.map((k) => async () => `${s.url} ${k.id}: ${await churn.status(s, k)}`)), 32);
    expect(lapsed.filter((l) => !l.endsWith(': 401'))).toEqual([]);
  });
});

describe('a client hammering B while A deletes its keys one by one', () => {
  it("B refuses each within 1 s of the delete's answer, and never issues a token for it after", async () => {
    const victims = churn.take(20);
    for (const k of victims) expect(await churn.status(b, k)).toBe(200);
    const seen: Array<{ k: number; sent: number; status: number }> = [];
    let stop = false;
    const hammer = Array.from({ length: 4 }, async (_, n) => {
      for (let i = n; !stop; i += 4) {
        const k = i % victims.length;
        const sent = Date.now();
        seen.push({ k, sent, status: await churn.status(b, victims[k]) });
      }
    });
    await sleep(200);
    const refusedAt: number[] = [];
    const lags: number[] = [];
    try {
      for (const [i, k] of victims.entries()) {
        await churn.v1('DELETE', churn.keyUrl(a, k.id));
        const answered = Date.now();
        let got = 200;
        while (got === 200 && Date.now() - answered <= 1_000) {
          got = await churn.status(b, k);
          if (got === 200) await sleep(5);
        }
        lags.push(Date.now() - answered);
        expect(got, `B's answer for ${k.id}, ${lags.at(-1)} ms after its delete was answered`).toBe(401);
        refusedAt[i] = Date.now();
      }
    } finally {
      stop = true;
      await Promise.all(hammer);
    }
    const sorted = [...lags].sort((x, y) => x - y);
    figures.push(`hammer: ${seen.length} token requests to B while A deleted 20 keys; B refused each ${sorted[0]}-${sorted.at(-1)} ms (median ${sorted[10]}) after the delete's answer`);
    for (const lag of lags) expect(lag).toBeLessThanOrEqual(1_000);
    expect(seen.filter((r) => r.status !== 200 && r.status !== 401)).toEqual([]);
    const issuedAfter = seen.filter((r) => refusedAt[r.k] !== undefined && r.sent >= refusedAt[r.k] && r.status !== 401);
    expect(issuedAfter.map((r) => `${victims[r.k].id}: ${r.status} ${r.sent - refusedAt[r.k]} ms after its first refusal`)).toEqual([]);
    expect(seen.filter((r) => r.sent >= refusedAt[r.k]).length).toBeGreaterThan(20);
  });
});

/** B's LISTEN connection (through the proxy), if it has one. */
async function listenOfB(): Promise<number | undefined> {
  const ports = new Set(proxy.upstreamPorts());
  const mine = (await listenBackends(a.sql, c.database.name)).filter((l) => ports.has(l.clientPort));
  expect(mine.length).toBeLessThanOrEqual(1);
  return mine[0]?.pid;
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const from = Date.now();
  while (!(await check())) {
    if (Date.now() - from > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

const logLines = (s: TestServer, msg: string) =>
  readFileSync(s.logFile, 'utf8').split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);

/** Cuts B's change feed (its LISTEN connection; its pool goes on), runs `meanwhile`, lets it back. */
async function withFeedOfBCut(meanwhile: () => Promise<void>, beforeBack: () => void = () => {}): Promise<void> {
  expect(await listenOfB(), 'B listens before the cut').toBeDefined();
  proxy.refuseApplication = 'keymint-listen';
  try {
    await until('B has no LISTEN connection', async () => (await listenOfB()) === undefined);
    await meanwhile();
    // Longer than B's poll: were its feed alive, it would have seen the changes by now.
    await sleep(1_500);
    expect(await listenOfB(), 'B stayed cut off').toBeUndefined();
    beforeBack();
  } finally {
    proxy.refuseApplication = undefined;
  }
  await until('B listens again', async () => (await listenOfB()) !== undefined);
}

describe("B's change feed cut off while A changes keys", () => {
  const sizes: Sizes = { deleted: 10, expired: 10, rotatedNow: 5, rotatedRevoked: 5, rotatedOverlap: 5, regranted: 10, dpop: 5, unchanged: 100 };

  it('B catches up from change_log when its LISTEN connection is back: every change, no reset', async () => {
    const p = churn.plan(sizes);
    const reconnects = logLines(b, 'change feed reconnected').length;
    const loads = logLines(b, 'resident keys loaded').length;
    let staleMeanwhile = 0;
    await withFeedOfBCut(async () => {
      await pooled(churn.changes(a, p), 6);
      // While cut off, B still judges from memory what it holds (the window the feed closes).
      for (const k of p.deleted) if ((await churn.status(b, k)) === 200) staleMeanwhile++;
    });
    await until('B says its feed is back', async () => logLines(b, 'change feed reconnected').length > reconnects);
    const back = logLines(b, 'change feed reconnected');
    // The catch-up poll runs as the connection comes back; a second poll, a second later at most.
    await sleep(1_000);
    expect(await churn.judge(b, 'B', p)).toEqual([]);
    expect(logLines(b, 'resident keys loaded').length, 'a short cut is caught up, not reset').toBe(loads);
    figures.push(`feed cut: B away ${String(back.at(-1)!.awayMs)} ms; ${staleMeanwhile} of ${p.deleted.length} keys deleted meanwhile still honoured by B while cut off; all ${Object.values(sizes).reduce((x, y) => x + y)} keys right after`);
  });

  it('B away "31 minutes" (its feed\'s clock moved on) resets: reloads every key, and is right about every change', async () => {
    const p = churn.plan(sizes);
    const loads = logLines(b, 'resident keys loaded').length;
    const realNow = Date.now.bind(Date);
    const fromFeed = () => {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 30;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      return stack.includes('src/db/change-feed.ts');
    };
    try {
      await withFeedOfBCut(
        async () => {
          const { rows } = await a.sql.query<{ seq: string }>('SELECT coalesce(max(seq), 0) AS seq FROM change_log');
          await pooled(churn.changes(a, p), 6);
          // Gone from change_log, as it would be after an hour: only the reset's reload can put B right.
          await a.sql.query('DELETE FROM change_log WHERE seq > $1', [rows[0].seq]);
        },
        // The loss was noted at the cut; the reconnection will find 31 minutes gone.
        () => void vi.spyOn(Date, 'now').mockImplementation(() => realNow() + (fromFeed() ? 31 * 60_000 : 0)),
      );
      await until('B resets its resident keys', async () => (await gauge(b, 'keymint_resident_keys_loaded')) === 0 || logLines(b, 'resident keys loaded').length > loads);
    } finally {
      vi.restoreAllMocks();
    }
    const away = logLines(b, 'change feed reconnected').at(-1)!.awayMs as number;
    expect(away).toBeGreaterThan(30 * 60_000);
    await loaded(b);
    expect(logLines(b, 'resident keys loaded').length).toBe(loads + 1);
    expect(await churn.judge(b, 'B', p)).toEqual([]);
    figures.push(`feed reset: B reloaded ${await gauge(b, 'keymint_resident_keys')} keys; all right after`);
  });
});

describe("B's key cache's maximum age while its feed is cut", () => {
  it('a key deleted on A meanwhile is refused by B once the cache has dropped it, resident or not', async () => {
    const [plain, twoSecrets] = churn.take(2);
    // twoSecrets has a previous secret: never resident, cached like any key read.
    const rotated = (await churn.v1('POST', `${churn.keyUrl(a, twoSecrets.id)}:rotateSecret`, {})) as { secret: string };
    recordSecret(rotated.secret, twoSecrets.id);
    for (const k of [plain, twoSecrets]) expect(await churn.status(b, k)).toBe(200);
    expect(b.running.resident.get(plain.id)).toBeDefined();
    expect(b.running.resident.get(twoSecrets.id)).toBeUndefined();
    const realNow = performance.now.bind(performance);
    const realDate = Date.now.bind(Date);
    const fromCache = () => (new Error().stack ?? '').includes('lru-cache');
    // The resident table's clock is Date.now, against the feed's last catch-up (auth/resident-keys.ts).
    const fromResident = () => (new Error().stack ?? '').includes('resident-keys');
    const answers: Record<string, number> = {};
    try {
      await withFeedOfBCut(async () => {
        for (const k of [plain, twoSecrets]) await churn.v1('DELETE', churn.keyUrl(a, k.id));
        // Within the cache's maximum age, B honours both from memory (as it did before resident keys).
        for (const k of [plain, twoSecrets]) expect(await churn.status(b, k)).toBe(200);
        // Six minutes later for B's cache (maximum age 5 min, its safety net): both entries are dropped.
        vi.spyOn(performance, 'now').mockImplementation(() => realNow() + (fromCache() ? 6 * 60_000 : 0));
        vi.spyOn(Date, 'now').mockImplementation(() => realDate() + (fromResident() ? 6 * 60_000 : 0));
        for (const [name, k] of Object.entries({ plain, twoSecrets })) answers[name] = await churn.status(b, k);
      });
    } finally {
      vi.restoreAllMocks();
    }
    // Both read again and refused: a resident copy is trusted no longer than a cache entry while the feed is cut.
    expect(answers).toEqual({ plain: 401, twoSecrets: 401 });
    // Once the feed has caught up again, the table is trusted again.
    expect(b.running.resident.fresh).toBe(true);
  });
});

describe('a flood of made-up Key IDs against a loaded instance', () => {
  const counter = async (s: TestServer, result: string) =>
    (await s.running.metrics.cacheLookups.get()).values.find((v) => v.labels.cache === 'access_key' && v.labels.result === result)?.value ?? 0;
  const statements = async (s: TestServer) => (await s.running.metrics.dbQueries.get()).values[0]?.value ?? 0;

  it.each([
    ['older than the filter', () => Date.now() - 60_000 - Math.floor(Math.random() * 300 * 86_400_000)],
    ['made this very millisecond', () => Date.now()],
  ])('1,000 UUIDv7s %s: 401 each, no key read', async (_name, ms) => {
    await loaded(cc);
    const ids = Array.from({ length: 1_000 }, () => uuidV7(ms()));
    const before = { statements: await statements(cc), misses: await counter(cc, 'miss'), filtered: await counter(cc, 'unknown_filtered') };
    const from = Date.now();
    const answers = await pooled(ids.map((id) => () => churn.status(cc, { id, secret: generateSecret() })), 128);
    const took = Date.now() - from;
    const delta = { statements: (await statements(cc)) - before.statements, misses: (await counter(cc, 'miss')) - before.misses, filtered: (await counter(cc, 'unknown_filtered')) - before.filtered };
    figures.push(`flood, ${_name}: 1000 IDs in ${took} ms, ${delta.statements} statements, ${delta.misses} key reads, ${delta.filtered} filtered`);
    expect(answers.filter((st) => st !== 401)).toEqual([]);
    // No key is read for them: the filter of known IDs refuses each (a false "maybe" is one in thousands).
    expect(delta.misses).toBeLessThanOrEqual(3);
    expect(delta.filtered).toBeGreaterThanOrEqual(ids.length - 3);
    // What statements there are are not per ID: the failure budgets' batched writes (one per
    // 100 ms) and, for IDs that could be new keys, the filter's looks (one per 50 ms at most).
    expect(delta.statements).toBeLessThan(ids.length / 2);
  });
});
