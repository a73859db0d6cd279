// Issue 10, "bounded waits": the database hangs rather than fails. A frozen server
// (SIGSTOP on the postmaster and every backend, 12 s), a table locked by another session,
// and a partition that silences every connection with no FIN and no RST (black-hole
// proxy), whose dead connections must not stay in the pool once it heals. For each: no
// exit, database-bound answers 503 + Retry-After within a bound, warm tokens served,
// /readyz 503 within 2.5 s, recovery by itself, no acknowledged write lost.
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { faultFixture, type FaultFixture } from './helpers/fault-fixture.js';
import { outage } from './helpers/fault-load.js';

let f: FaultFixture;
beforeAll(async () => {
  f = await faultFixture();
}, 120_000);
afterAll(() => f?.close());

// DB_STATEMENT_TIMEOUT_MS 5 s + 1 s client read timeout, plus the wait for a free connection.
const BOUND_MS = 9_000;

describe('the database hangs', () => {
  it('frozen (SIGSTOP) for 12 s: answers in bounded time, recovers on SIGCONT', async () => {
    await outage({ ...f, databaseUrl: f.database.url, name: 'Postgres frozen (SIGSTOP) 12 s', minMs: 12_000, answerWithinMs: BOUND_MS, fault: () => f.pgc.freeze(), heal: () => f.pgc.thaw() });
  }, 120_000);

  it('access_keys locked by another session for 8 s: 503 after lock_timeout, not a wait of 8 s', async () => {
    const locker = new pg.Client({ connectionString: f.database.url });
    await locker.connect();
    try {
      await outage({
        ...f, databaseUrl: f.database.url, name: 'access_keys locked (ACCESS EXCLUSIVE) 8 s', minMs: 8_000, answerWithinMs: BOUND_MS,
        fault: async () => {
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE access_keys IN ACCESS EXCLUSIVE MODE');
        },
        heal: async () => {
          await locker.query('ROLLBACK');
        },
      });
    } finally {
      await locker.end();
    }
  }, 120_000);

  it('a partition that silences every connection (black hole) for 10 s: bounded answers, and the pool heals', async () => {
    await outage({
      ...f, databaseUrl: f.database.url, name: 'network partition (black hole, no FIN/RST) 10 s', minMs: 10_000, answerWithinMs: BOUND_MS,
      fault: () => f.proxy.blackhole({ stallNew: true }),
      heal: () => f.proxy.heal(),
    });
  }, 120_000);
});
