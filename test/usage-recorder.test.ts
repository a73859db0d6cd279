// The usage recorder against real Postgres (issue 16), two recorders standing for two
// instances: each flush writes minute rows and Postgres sums them into the hour and day rows
// of the same statement, so the three granularities hold exactly the same sums, across an
// hour and a day boundary and after a failed write is retried; a flush reads back only the
// limited keys it wrote (the write returns their totals) and those idle here near a limit,
// never every key it has served; windows past their quota's window are forgotten.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createPool, type Db, type Queryable } from '../src/db/pool.js';
import { migrate } from '../src/db/migrate.js';
import { UsageRecorder } from '../src/usage/recorder.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const log = pino({ level: 'silent' });

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  await migrate(database.url);
  db = createPool(database.url, 4);
});
afterAll(async () => {
  await db?.end();
  await database?.drop();
});

async function project(): Promise<string> {
  const [accountId, projectId] = [randomUUID(), randomUUID()];
  await db.query(`INSERT INTO accounts (id, name) VALUES ($1, 'Usage recorder')`, [accountId]);
  await db.query(`INSERT INTO projects (id, account_id, name) VALUES ($1, $2, 'P')`, [projectId, accountId]);
  return projectId;
}

/** The pool, noting each statement's first words; `fail` makes the next write fail. */
function watched() {
  const statements: string[] = [];
  let fail = 0;
  const q: Queryable = {
    query: ((text: string, values?: unknown[]) => {
      const sql = text.replace(/\s+/g, ' ').trim();
      statements.push(sql.startsWith('WITH u AS') ? 'write' : sql.startsWith('SELECT key_id, granularity, tokens') ? 'read back' : 'other');
      if (fail > 0 && sql.startsWith('WITH u AS')) {
        fail--;
        return Promise.reject(new Error('connection lost'));
      }
      return db.query(text, values);
    }) as Queryable['query'],
  };
  return { q, statements, failNextWrite: () => fail++ };
}

const sums = async (keyIds: string[]) =>
  (
    await db.query<{ key_id: string; granularity: string; bucket: Date; tokens: number; wrong_secret: number }>(
      `SELECT key_id, granularity, bucket, tokens::int, wrong_secret::int FROM usage_counts
        WHERE key_id = ANY($1::uuid[]) ORDER BY key_id, granularity, bucket`,
      [keyIds],
    )
  ).rows;

describe('writing minute rows, summed into hours and days by Postgres', () => {
  it('keeps the same exact sums in all three granularities across instances, an hour and a day boundary, and a failed write', async () => {
    const projectId = await project();
    const [k1, k2] = [randomUUID(), randomUUID()];
    // 23:58 UTC on some day: the counts span two hours and two days.
    let at = Math.ceil(Date.now() / DAY) * DAY + DAY - 2 * 60_000;
    const now = () => at;
    const a = watched();
    const b = watched();
    const ra = new UsageRecorder({ db: a.q, log, now });
    const rb = new UsageRecorder({ db: b.q, log, now });
    const countN = (r: UsageRecorder, key: string, n: number, field: 'tokens' | 'wrong_secret' = 'tokens') => {
      for (let i = 0; i < n; i++) r.count(key, projectId, field);
    };
    countN(ra, k1, 5); // 23:58
    countN(rb, k1, 7);
    countN(rb, k2, 2, 'wrong_secret');
    at += 60_000; // 23:59
    countN(ra, k1, 3);
    a.failNextWrite();
    await ra.flush(); // fails: kept for the next flush
    expect(ra.pending).toBe(2);
    at += 2 * 60_000; // 00:01 the next day
    countN(ra, k1, 11);
    countN(rb, k2, 4);
    await Promise.all([ra.flush(), rb.flush()]);
    expect(ra.pending).toBe(0);

    const day0 = at - (at % DAY) - DAY;
    const iso = (ms: number) => new Date(ms).toISOString();
    const byKey = (x: unknown[], y: unknown[]) => String(x[0]).localeCompare(String(y[0])) || String(x[1]).localeCompare(String(y[1])) || String(x[2]).localeCompare(String(y[2]));
    const rows = (await sums([k1, k2])).map((r) => [r.key_id === k1 ? 'k1' : 'k2', r.granularity, r.bucket.toISOString(), r.tokens, r.wrong_secret]);
    expect(rows.sort(byKey)).toEqual(
      [
        ['k1', 'day', iso(day0), 15, 0],
        ['k1', 'day', iso(day0 + DAY), 11, 0],
        ['k1', 'hour', iso(day0 + 23 * HOUR), 15, 0],
        ['k1', 'hour', iso(day0 + DAY), 11, 0],
        ['k1', 'minute', iso(day0 + DAY - 2 * 60_000), 12, 0],
        ['k1', 'minute', iso(day0 + DAY - 60_000), 3, 0],
        ['k1', 'minute', iso(day0 + DAY + 60_000), 11, 0],
        ['k2', 'day', iso(day0), 0, 2],
        ['k2', 'day', iso(day0 + DAY), 4, 0],
        ['k2', 'hour', iso(day0 + 23 * HOUR), 0, 2],
        ['k2', 'hour', iso(day0 + DAY), 4, 0],
        ['k2', 'minute', iso(day0 + DAY - 2 * 60_000), 0, 2],
        ['k2', 'minute', iso(day0 + DAY + 60_000), 4, 0],
      ].sort(byKey),
    );
    // One write per flush (the failed one included), and nothing is read back: no key has a quota.
    expect(a.statements.filter((s) => s !== 'other')).toEqual(['write', 'write']);
    expect(b.statements.filter((s) => s !== 'other')).toEqual(['write']);
  });
});

describe('reading back the shared totals of keys with a quota', () => {
  it('reads back only the keys it wrote (with the write) and those idle here near a limit, never every key served', async () => {
    const projectId = await project();
    await db.query('INSERT INTO project_quotas (project_id, per_hour) VALUES ($1, 100)', [projectId]);
    let at = Math.floor(Date.now() / HOUR) * HOUR + 5 * 60_000;
    const now = () => at;
    const a = watched();
    const b = watched();
    const ra = new UsageRecorder({ db: a.q, log, now });
    const rb = new UsageRecorder({ db: b.q, log, now });
    await Promise.all([ra.start(), rb.start()]);
    const issue = (r: UsageRecorder, key: string, n: number) => {
      const waits: number[] = [];
      for (let i = 0; i < n; i++) {
        const wait = r.admit(key, projectId);
        waits.push(wait);
        if (!wait) r.count(key, projectId, 'tokens');
      }
      return waits.filter((w) => w === 0).length;
    };
    try {
      // 2,000 keys with a token each: one write returns their totals; no other read.
      const fleet = Array.from({ length: 2_000 }, () => randomUUID());
      for (const k of fleet) expect(issue(ra, k, 1)).toBe(1);
      a.statements.length = 0;
      await ra.flush();
      expect(a.statements).toEqual(['write', 'other']); // the write, the quotas reloaded
      expect(ra.quotas.tracked).toBe(2_000);
      // Idle, far from their limit: not read back again.
      a.statements.length = 0;
      await ra.flush();
      expect(a.statements).toEqual(['other']);

      // A key near its limit on A is read back by A while idle there, and refused at once.
      const [busy, quiet] = [randomUUID(), randomUUID()];
      expect(issue(ra, busy, 60)).toBe(60);
      expect(issue(ra, quiet, 1)).toBe(1);
      await ra.flush();
      expect(issue(rb, busy, 40)).toBe(40);
      expect(issue(rb, quiet, 99)).toBe(99);
      await rb.flush(); // B's write returns 100 for both
      expect(issue(rb, busy, 1)).toBe(0);
      expect(issue(rb, quiet, 1)).toBe(0);
      a.statements.length = 0;
      await ra.flush();
      expect(a.statements).toEqual(['read back', 'other']); // `busy` only (60 known >= half of 100)
      expect(issue(ra, busy, 1)).toBe(0);
      // `quiet` (1 known on A) is admitted from what A knew, for one flush interval at most:
      // the documented overshoot (what the other instance issued meanwhile); A's next write
      // returns the shared total and A refuses too.
      expect(issue(ra, quiet, 1)).toBe(1);
      await ra.flush();
      expect(issue(ra, quiet, 1)).toBe(0);
      const { rows } = await db.query<{ tokens: number }>(`SELECT tokens::int FROM usage_counts WHERE key_id = $1 AND granularity = 'hour'`, [quiet]);
      expect(rows).toEqual([{ tokens: 101 }]);

      // An hourly quota's window is forgotten once its hour has passed with the key idle.
      at += HOUR;
      await ra.flush();
      expect(ra.quotas.tracked).toBe(0);
    } finally {
      await Promise.all([ra.close(), rb.close()]);
    }
  });

  it('keeps a daily quota window all day, forgets it the next day, and forgets a key no longer limited', async () => {
    const projectId = await project();
    await db.query('INSERT INTO project_quotas (project_id, per_day) VALUES ($1, 3)', [projectId]);
    let at = Math.floor(Date.now() / DAY) * DAY + HOUR;
    const ra = new UsageRecorder({ db, log, now: () => at });
    await ra.start();
    try {
      const key = randomUUID();
      for (let i = 0; i < 3; i++) {
        expect(ra.admit(key, projectId)).toBe(0);
        ra.count(key, projectId, 'tokens');
      }
      await ra.flush();
      at += 5 * HOUR;
      await ra.flush();
      expect(ra.quotas.tracked).toBe(1);
      expect(ra.admit(key, projectId)).toBeGreaterThan(17 * 3600); // until the day ends, ~18 h
      at += DAY;
      await ra.flush();
      expect(ra.quotas.tracked).toBe(0);
      expect(ra.admit(key, projectId)).toBe(0);
      await db.query('DELETE FROM project_quotas WHERE project_id = $1', [projectId]);
      await ra.flush(); // reloads the limits: none
      await ra.flush();
      expect(ra.quotas.tracked).toBe(0);
    } finally {
      await ra.close();
    }
  });
});
