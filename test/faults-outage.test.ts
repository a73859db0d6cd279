// Issue 10, "never exit on a database fault", against a real Postgres that this file starts
// itself (test/helpers/pg-cluster.ts) and a Keymint child process under write and token load:
// every connection cut while transactions run (TCP proxy), then `pg_ctl stop -m immediate`.
// For each: the process stays alive, warm tokens are served from memory, database-bound
// requests get 503 with Retry-After (never a 500), it recovers by itself, and the ledger of
// acknowledged writes holds in SQL afterwards (test/helpers/fault-load.ts).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { faultFixture, type FaultFixture } from './helpers/fault-fixture.js';
import { outage } from './helpers/fault-load.js';

let f: FaultFixture;
beforeAll(async () => {
  f = await faultFixture();
}, 120_000);
afterAll(() => f?.close());

describe('the database fails under load', () => {
  it('every connection cut while transactions run: no exit, 503 + Retry-After, warm tokens, recovery, no lost write', async () => {
    await outage({ ...f, databaseUrl: f.database.url, name: 'connections cut (proxy)', fault: () => f.proxy.cut(), heal: () => f.proxy.restore() });
  }, 120_000);

  it('pg_ctl stop -m immediate under load, then start: the same', async () => {
    await outage({ ...f, databaseUrl: f.database.url, name: 'pg_ctl stop -m immediate', fault: () => f.pgc.stopImmediate(), heal: () => f.pgc.start() });
  }, 120_000);
});
