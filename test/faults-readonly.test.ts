// Issue 10: a read-only database (default_transaction_read_only, as on a hot standby after a
// failover) and a full disk (access_keys on a tablespace on an 8 MB tmpfs, filled): writes
// answer 503 UNAVAILABLE with Retry-After, never 500; reads and tokens go on; nothing is
// half-written (the ledger); all recovers by itself. And the SQLSTATEs of a serialization
// failure and a deadlock, produced by this real Postgres, map to 409 ABORTED (retry).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiError } from '../src/http/error-handler.js';
import { faultFixture, type FaultFixture } from './helpers/fault-fixture.js';
import { FaultLoad, statusOf, waitFor } from './helpers/fault-load.js';
import { basicHeader } from './helpers/token-requests.js';

let f: FaultFixture;
beforeAll(async () => {
  f = await faultFixture();
}, 120_000);
afterAll(() => f?.close());

const list = () => statusOf(`${f.base}/v1/projects/${f.boot.projectId}/accessKeys`, { headers: { authorization: basicHeader(f.boot.accessKey.accessKeyId, f.boot.secret) } });

/** Load through a fault that refuses writes only; returns what was answered while it lasted. */
async function writesRefused(name: string, fault: () => Promise<void>, heal: () => Promise<void>, until: (load: FaultLoad, since: number) => boolean) {
  const load = new FaultLoad(() => f.base, f.boot);
  load.start(4, 2);
  await waitFor('writes before the fault', async () => (load.created.size >= 10 ? true : undefined), 30_000);
  await fault();
  const faultAt = Date.now();
  await waitFor(`writes refused (${name})`, async () => (until(load, faultAt) ? true : undefined), 60_000);
  const reads = await list();
  const ready = await statusOf(`${f.base}/readyz`);
  const healAt = Date.now();
  await heal();
  const back = await waitFor('a write to succeed again', async () => (load.since(healAt, 'create').some((a) => a.status === 200) ? true : undefined), 30_000);
  await load.stop();
  expect(f.server.child.exitCode).toBe(null);
  expect(load.bodies500).toEqual([]);
  const refused = load.answers.filter((a) => a.at >= faultAt && a.at + a.ms <= healAt && a.kind !== 'token' && a.status !== 200);
  expect(refused.length).toBeGreaterThan(0);
  for (const a of refused) {
    expect(a.status).toBe(503);
    expect(a.retryAfter).toMatch(/^\d+$/);
  }
  const tokens = load.answers.filter((a) => a.at >= faultAt && a.at + a.ms <= healAt && a.kind === 'token');
  expect(tokens.every((t) => t.status === 200)).toBe(true);
  const ledger = await load.checkLedger(f.database.url);
  console.log(
    `FIGURE ${name}: ${refused.length} writes refused, all 503 with Retry-After (slowest ${Math.max(...refused.map((a) => a.ms))} ms); ${tokens.length} tokens, all 200; ` +
      `list ${reads.status}; /readyz ${ready.status} ${ready.body}; writes back ${back.ms} ms after the heal; ledger: ${ledger.creates} creates present, ${ledger.deletes} deletes absent`,
  );
  return { reads, ready };
}

describe('the database refuses writes', () => {
  it('read-only (default_transaction_read_only = on, as a hot standby): writes 503, reads and tokens go on', async () => {
    const { reads, ready } = await writesRefused(
      'read-only database',
      () => f.pgc.setReadOnly(true),
      () => f.pgc.setReadOnly(false),
      (load, since) => load.since(since, 'create').filter((a) => a.status === 503).length >= 5,
    );
    expect(reads.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', database: 'read-only' });
  }, 120_000);

  it('disk full (the table on a filled 8 MB tmpfs): writes 503, then recover once space is back', async () => {
    const small = await f.pgc.smallTablespace(8);
    const admin = new pg.Client({ connectionString: f.database.url });
    await admin.connect();
    try {
      await admin.query('ALTER TABLE access_keys SET TABLESPACE small');
      await admin.query('ALTER TABLE audit_events SET TABLESPACE small');
      const { reads } = await writesRefused(
        'disk full (tablespace on a full tmpfs)',
        async () => small.fill(),
        async () => small.free(),
        (load, since) => load.since(since, 'create').filter((a) => a.status === 503).length >= 5,
      );
      expect(reads.status).toBe(200);
    } finally {
      small.free();
      await admin.end();
    }
  }, 120_000);
});

describe('conflicts between transactions', () => {
  it('a serialization failure (40001) and a deadlock (40P01) from Postgres are 409 ABORTED with Retry-After', async () => {
    const [x, y] = [new pg.Client({ connectionString: f.database.url }), new pg.Client({ connectionString: f.database.url })];
    await Promise.all([x.connect(), y.connect()]);
    try {
      await x.query('CREATE TABLE IF NOT EXISTS conflict_probe (id int PRIMARY KEY, n int)');
      await x.query('INSERT INTO conflict_probe VALUES (1, 0), (2, 0) ON CONFLICT DO NOTHING');
      // Serialization: both read, both write what the other read.
      await x.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await y.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await x.query('SELECT sum(n) FROM conflict_probe');
      await y.query('SELECT sum(n) FROM conflict_probe');
      await x.query('UPDATE conflict_probe SET n = n + 1 WHERE id = 1');
      await y.query('UPDATE conflict_probe SET n = n + 1 WHERE id = 2');
      await x.query('COMMIT');
      const serialization = await y.query('COMMIT').catch((e: Error) => e);
      await y.query('ROLLBACK').catch(() => {});
      expect((serialization as { code?: string }).code).toBe('40001');
      // Deadlock: each holds the row the other wants.
      await x.query('BEGIN');
      await y.query('BEGIN');
      await x.query('UPDATE conflict_probe SET n = 0 WHERE id = 1');
      await y.query('UPDATE conflict_probe SET n = 0 WHERE id = 2');
      const results = await Promise.all([
        x.query('UPDATE conflict_probe SET n = 0 WHERE id = 2').catch((e: Error) => e),
        y.query('UPDATE conflict_probe SET n = 0 WHERE id = 1').catch((e: Error) => e),
      ]);
      await Promise.all([x.query('ROLLBACK'), y.query('ROLLBACK')]);
      const deadlock = results.find((r) => (r as { code?: string }).code === '40P01');
      expect(deadlock).toBeDefined();
      for (const err of [serialization, deadlock]) {
        const mapped = toApiError(err);
        expect(mapped?.code).toBe(409);
        expect(mapped?.status).toBe('ABORTED');
        expect(mapped?.headers['Retry-After']).toMatch(/^\d+$/);
      }
    } finally {
      await Promise.all([x.end(), y.end()]);
    }
  }, 60_000);
});
