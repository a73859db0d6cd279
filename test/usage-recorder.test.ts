// The usage recorder and the retention sweep against real Postgres (issue 16), two
// recorders standing for two instances: each count is in exactly one row — a flush writes
// minute rows, the sweep moves minutes into hours and hours into days as they age (two sweeps
// at once move each row once) — and a reading at any granularity sums the finer rows, so the
// sums are exact across an hour and a day boundary, a failed write retried, and the sweep; a
// flush reads back only the limited keys it wrote and those idle here near a limit, never
// every key it has served; windows past their quota's window are forgotten.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { createPool, type Db, type Queryable } from '../src/db/pool.js';
import { migrate } from '../src/db/migrate.js';
import { UsageRecorder } from '../src/usage/recorder.js';
import { UsageRetention } from '../src/usage/retention.js';
import { usageSeries } from '../src/usage/queries.js';
import type { Granularity } from '../src/usage/fields.js';
import { createTestDatabase, migrateBefore, type TestDatabase } from './helpers/database.js';

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
      const write = sql.startsWith('INSERT INTO usage_counts');
      statements.push(write ? 'write' : sql.startsWith('SELECT key_id, sum(tokens)') ? 'read back' : 'other');
      if (fail > 0 && write) {
        fail--;
        return Promise.reject(new Error('connection lost'));
      }
      return db.query(text, values);
    }) as Queryable['query'],
  };
  return { q, statements, failNextWrite: () => fail++ };
}

const rowsOf = async (keyIds: string[]) =>
  (
    await db.query<{ key_id: string; granularity: string; bucket: Date; tokens: number; wrong_secret: number }>(
      `SELECT key_id, granularity, bucket, tokens::int, wrong_secret::int FROM usage_counts
        WHERE key_id = ANY($1::uuid[]) ORDER BY key_id, granularity, bucket`,
      [keyIds],
    )
  ).rows;

const byText = (x: unknown[], y: unknown[]) => x.slice(0, 3).join(' ').localeCompare(y.slice(0, 3).join(' '));

/** What the usage API reads: [key, bucket, tokens, wrong secrets] per key and bucket of the granularity. */
async function series(projectId: string, granularity: Granularity, from: number, to: number, names: Record<string, string>) {
  const rows = await usageSeries(db, { granularity, from: new Date(from), to: new Date(to), projectId });
  return rows.map((r) => [names[r.key_id], r.bucket.toISOString(), r.tokens, r.wrong_secret]).sort(byText);
}

describe('each count in one row: minutes written, rolled into hours and days as they age', () => {
  it('keeps exact sums at every granularity across instances, an hour and a day boundary, a failed write and the retention sweep', async () => {
    const projectId = await project();
    const [k1, k2] = [randomUUID(), randomUUID()];
    const names = { [k1]: 'k1', [k2]: 'k2' };
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
    // One write per flush (the failed one included), and nothing is read back: no key has a quota.
    expect(a.statements.filter((s) => s !== 'other')).toEqual(['write', 'write']);
    expect(b.statements.filter((s) => s !== 'other')).toEqual(['write']);

    const day0 = at - (at % DAY) - DAY;
    const iso = (ms: number) => new Date(ms).toISOString();
    expect((await rowsOf([k1, k2])).map((r) => r.granularity)).toEqual(Array(5).fill('minute'));
    const [from, to] = [day0, day0 + 2 * DAY];
    const expected = {
      minute: [
        ['k1', iso(day0 + DAY - 2 * 60_000), 12, 0],
        ['k1', iso(day0 + DAY - 60_000), 3, 0],
        ['k1', iso(day0 + DAY + 60_000), 11, 0],
        ['k2', iso(day0 + DAY - 2 * 60_000), 0, 2],
        ['k2', iso(day0 + DAY + 60_000), 4, 0],
      ],
      hour: [
        ['k1', iso(day0 + 23 * HOUR), 15, 0],
        ['k1', iso(day0 + DAY), 11, 0],
        ['k2', iso(day0 + 23 * HOUR), 0, 2],
        ['k2', iso(day0 + DAY), 4, 0],
      ],
      day: [
        ['k1', iso(day0), 15, 0],
        ['k1', iso(day0 + DAY), 11, 0],
        ['k2', iso(day0), 0, 2],
        ['k2', iso(day0 + DAY), 4, 0],
      ],
    };
    for (const g of ['minute', 'hour', 'day'] as const) expect(await series(projectId, g, from, to, names), g).toEqual(expected[g]);

    // Two days after the first midnight, with a minute retention of 48 hours and an hour
    // retention of 1 day, two sweeps at once: 23:58 and 23:59 are rolled into their hour, and
    // that hour into its day; 00:01 is not 48 hours old yet.
    at += 48 * HOUR - 60_000;
    const keep = { minute: 48 * 60, hour: 24, day: 730 };
    const sweeps = [new UsageRetention({ db, log, keep, now }), new UsageRetention({ db, log, keep, now })];
    await Promise.all(sweeps.map((s) => s.sweep()));
    const left = (await rowsOf([k1, k2])).map((r) => [names[r.key_id], r.granularity, r.bucket.toISOString(), r.tokens, r.wrong_secret]);
    expect(left.sort(byText)).toEqual([
      ['k1', 'day', iso(day0), 15, 0],
      ['k1', 'minute', iso(day0 + DAY + 60_000), 11, 0],
      ['k2', 'day', iso(day0), 0, 2],
      ['k2', 'minute', iso(day0 + DAY + 60_000), 4, 0],
    ]);
    expect(await series(projectId, 'day', from, to, names)).toEqual(expected.day);
    // The rolled hour is now in its day only (the hour retention is 1 day), as it was gone before.
    expect(await series(projectId, 'hour', from, to, names)).toEqual(expected.hour.filter((r) => r[1] !== iso(day0 + 23 * HOUR)));
    // Days past the day retention are deleted.
    await new UsageRetention({ db, log, keep: { ...keep, day: 1 }, now }).sweep();
    expect(await series(projectId, 'day', from, to, names)).toEqual(expected.day.filter((r) => r[1] !== iso(day0)));
  });
});

describe('reading back the shared totals of keys with a quota', () => {
  it('reads back only the keys it wrote and those idle here near a limit, never every key served', async () => {
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
      expect(a.statements).toEqual(['write', 'read back', 'other']); // the write, its keys' totals, the quotas reloaded
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
      await rb.flush(); // B reads back 100 for both
      expect(issue(rb, busy, 1)).toBe(0);
      expect(issue(rb, quiet, 1)).toBe(0);
      a.statements.length = 0;
      await ra.flush();
      expect(a.statements).toEqual(['read back', 'other']); // `busy` only (60 known >= half of 100)
      expect(issue(ra, busy, 1)).toBe(0);
      // `quiet` (1 known on A) is admitted from what A knew, for one flush interval at most:
      // the documented overshoot (what the other instance issued meanwhile); A's next flush
      // reads back the shared total and A refuses too.
      expect(issue(ra, quiet, 1)).toBe(1);
      await ra.flush();
      expect(issue(ra, quiet, 1)).toBe(0);
      const { rows } = await db.query<{ tokens: number }>(`SELECT sum(tokens)::int AS tokens FROM usage_counts WHERE key_id = $1`, [quiet]);
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

describe('upgrading counts written three times (before migration 0100)', () => {
  it('keeps every sum: an hour keeps what its minutes do not hold, a day what its hours do not, empty rows go', async () => {
    const old = await createTestDatabase();
    const sql = new pg.Client({ connectionString: old.url });
    try {
      await migrateBefore(old.url, '0100');
      await sql.connect();
      const [accountId, projectId, key] = [randomUUID(), randomUUID(), randomUUID()];
      await sql.query(`INSERT INTO accounts (id, name) VALUES ($1, 'Old')`, [accountId]);
      await sql.query(`INSERT INTO projects (id, account_id, name) VALUES ($1, $2, 'P')`, [projectId, accountId]);
      // The old way: 4 tokens at 10:05 and 2 at 10:07 (minutes kept), 9 earlier in the 09:00 hour
      // (its minutes deleted), 30 on the day in hours deleted too; 1 wrong secret at 10:05.
      const day = Math.floor(Date.now() / DAY) * DAY - DAY;
      const rows: Array<[string, number, number, number]> = [
        ['minute', day + 10 * HOUR + 5 * 60_000, 4, 1],
        ['minute', day + 10 * HOUR + 7 * 60_000, 2, 0],
        ['hour', day + 10 * HOUR, 6, 1],
        ['hour', day + 9 * HOUR, 9, 0],
        ['day', day, 45, 1],
      ];
      for (const [granularity, bucket, tokens, wrong] of rows) {
        await sql.query(
          `INSERT INTO usage_counts (key_id, granularity, bucket, project_id, tokens, wrong_secret) VALUES ($1, $2, to_timestamp($3 / 1000.0), $4, $5, $6)`,
          [key, granularity, bucket, projectId, tokens, wrong],
        );
      }
      await migrate(old.url);
      const { rows: now } = await sql.query<{ granularity: string; bucket: Date; tokens: number; wrong_secret: number }>(
        'SELECT granularity, bucket, tokens::int, wrong_secret::int FROM usage_counts WHERE key_id = $1 ORDER BY granularity, bucket',
        [key],
      );
      expect(now.map((r) => [r.granularity, r.bucket.getTime() - day, r.tokens, r.wrong_secret])).toEqual([
        ['day', 0, 30, 0],
        ['hour', 9 * HOUR, 9, 0],
        ['minute', 10 * HOUR + 5 * 60_000, 4, 1],
        ['minute', 10 * HOUR + 7 * 60_000, 2, 0],
      ]);
      const at = (g: Granularity) => usageSeries(sql, { granularity: g, from: new Date(day), to: new Date(day + DAY), keyId: key });
      expect((await at('day')).map((r) => [r.tokens, r.wrong_secret])).toEqual([[45, 1]]);
      expect((await at('hour')).map((r) => [r.bucket.getTime() - day, r.tokens])).toEqual([[9 * HOUR, 9], [10 * HOUR, 6]]);
    } finally {
      await sql.end().catch(() => {});
      await old.drop();
    }
  });
});
