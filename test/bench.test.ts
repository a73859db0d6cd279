// `npm run bench -- --quick` end to end with tiny numbers: it measures every shape, writes a
// report that leads with the fleet and judges each target of issue 12 (met or not: timings
// never decide this test), and leaves no database or server process behind.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_URL } from './helpers/database.js';
import { run } from './helpers/processes.js';

const BENCH = fileURLToPath(new URL('../dist/bench/run.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'keymint-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run bench -- --quick', () => {
  it('measures every shape, writes the report and cleans up', { timeout: 420_000 }, async () => {
    const out = join(dir, 'PERFORMANCE.md');
    const r = await run(BENCH, ['--quick', '--out', out], {
      BENCH_DATABASE_URL: ADMIN_URL,
      BENCH_FLEET_KEYS: '20',
      BENCH_SCALE_ROWS: '300,450',
      BENCH_DURATION: '1',
      BENCH_PIN: '0',
    });
    expect(r.code, r.stderr).toBe(0);

    const doc = readFileSync(out, 'utf8');
    expect(doc).toMatch(/^# Performance\n\n\*\*Fleet: 20 distinct keys, each asking for one token: [\d,]+ tokens\/s/);
    expect(doc).toContain('The fleet is the shape of real traffic.');
    expect(doc).toContain('npm run bench -- --baseline-dir /tmp/km-before');
    const targets = doc.slice(doc.indexOf('## Targets of issues 12 and 16'), doc.indexOf('## Before and after'));
    for (const target of [
      'Fleet ≥ 0.8× warm, 20 keys',
      'Fleet ≥ 0.8× warm, 450 keys in the table',
      'Fleet p99 < 4× its p50',
      'Warm ≥ 1.0× bare oidc-provider',
      'Hostile: fleet ≥ 0.5× quiet',
      'Hostile: no legitimate request over 1 s',
      'Key creation ≥ 20× today',
      'keymint/verify on a repeated token ≥ 20× jose jwtVerify',
      'RSS < 300 MB at 450 keys',
      'Usage counting and quotas on cost < 5% against off (issue 16), warm and fleet',
    ]) {
      const row = targets.split('\n').find((line) => line.startsWith(`| ${target}`));
      expect(row, target).toMatch(/\| (met|\*\*not met\*\*) \|$/);
    }
    expect(doc).toMatch(/\| hostile \(fleet under flood\) \| 20 \|/);
    expect(doc).toMatch(/\| fleet, usage counting off \| 20 \|/);
    expect(doc).toMatch(/\| warm, usage counting off \| one \|/);
    expect(doc).toMatch(/\| Flood requests answered per second \| [\d,]+ \|/);

    // Every database it created is gone, and so is every server it started.
    const databases = [...r.stderr.matchAll(/dropped database (\w+)/g)].map((m) => m[1]);
    expect(databases.length).toBeGreaterThanOrEqual(1);
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [databases]);
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
    const pids = [...r.stderr.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThanOrEqual(1);
    expect(pids.filter(alive)).toEqual([]);
  });
});
