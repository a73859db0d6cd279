// Issue 10 with WORKERS=2 (a node:cluster primary and two workers): every database connection
// cut under load kills no worker and the service recovers; a primary whose workers cannot
// start (the database is down) re-forks them with a backoff, starts serving as soon as the
// database is back, and when it never comes back exits non-zero (so that an on-failure
// restart policy brings it back), instead of the 0 it used to exit with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultFixture, type FaultFixture } from './helpers/fault-fixture.js';
import { outage, waitFor } from './helpers/fault-load.js';
import { spawn } from 'node:child_process';
import { MAIN, run } from './helpers/processes.js';
import { freePort } from './helpers/server.js';

let f: FaultFixture;
beforeAll(async () => {
  f = await faultFixture({ WORKERS: '2' });
}, 120_000);
afterAll(() => f?.close());

describe('WORKERS=2', () => {
  it('connections cut under load: no worker dies, 503 + Retry-After, warm tokens, recovery, no lost write', async () => {
    await outage({ ...f, databaseUrl: f.database.url, name: 'WORKERS=2, connections cut (proxy)', fault: () => f.proxy.cut(), heal: () => f.proxy.restore() });
    expect(f.server.output()).not.toMatch(/worker exited|failed during start-up/);
  }, 120_000);

  it('workers that cannot start are re-forked with a backoff, and serve once the database is back', async () => {
    await f.proxy.cut(); // the database is unreachable for the new primary's workers
    const port = await freePort();
    const primary = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...f.env, PORT: String(port) } });
    let output = '';
    primary.stdout.on('data', (d) => (output += d));
    primary.stderr.on('data', (d) => (output += d));
    try {
      await waitFor('two backoffs', async () => ((output.match(/forking another after a backoff/g) ?? []).length >= 2 ? true : undefined), 60_000);
      expect(output).toMatch(/"retryInMs":1000/); // the second wait is twice the first
      await f.proxy.restore();
      const back = await waitFor('a worker listening', async () => (output.includes('keymint listening') ? true : undefined), 60_000);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      console.log(`FIGURE WORKERS=2, database down at start: workers re-forked with backoff (${(output.match(/forking another/g) ?? []).length} times), serving ${back.ms} ms after the database returned`);
      const exited = new Promise<number | null>((r) => primary.once('exit', (code) => r(code)));
      primary.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await f.proxy.restore().catch(() => {});
      if (primary.exitCode === null) primary.kill('SIGKILL');
    }
  }, 120_000);

  it('exits non-zero when the workers keep failing and none is left', async () => {
    const dead = `postgres://postgres@127.0.0.1:${await freePort()}/none`;
    const r = await run(MAIN, [], { ...f.env, PORT: String(await freePort()), DATABASE_URL: dead, DB_CONNECT_TIMEOUT_MS: '500' });
    expect(r.code).toBe(1);
    const log = r.stdout + r.stderr;
    expect(log).toContain('workers keep failing during start-up; giving up');
    expect((log.match(/forking another after a backoff/g) ?? []).length).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
