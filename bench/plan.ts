// What a benchmark run measures and how much of it: the full run (the figures of
// docs/PERFORMANCE.md) or --quick (small numbers, for development and the smoke test), from
// the command line and a few BENCH_* overrides.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { intFromEnv } from './script.js';

export interface Plan {
  mode: 'full' | 'quick';
  /** Where the report goes; undefined: printed only. */
  out?: string;
  /** A checkout of the code before a change, built (dist/src/main.js), measured in the same run. */
  baselineDir?: string;
  warmupSeconds: number;
  durationSeconds: number;
  rounds: number;
  /** Requests in flight: the warm comparison and the judged fleet run use the first. */
  connections: [number, number];
  /** Keys in each measured fleet run, each asking once. */
  fleetKeys: number;
  /** Keys of the un-measured fleet warm-up after each (re)start. */
  fleetWarmupKeys: number;
  /** Keys that the hostile run's wrong secrets name (nobody presents their real secret). */
  victimKeys: number;
  /** Rows in the table for the scale runs. */
  scaleRows: number[];
  /** Fleet keys for the code before (--baseline-dir), bcrypt-bound there. */
  beforeFleetKeys: number;
  flood: { connections: number; addresses: number; requestsPerConnection: number };
  creates: number;
  beforeCreates: number;
  createConcurrency: number[];
  listSamplesPerPage: number;
  verifySeconds: number;
  verifyTokens: number;
}

export function readPlan(argv = process.argv.slice(2)): Plan {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, 'baseline-dir': { type: 'string' }, out: { type: 'string' } },
  });
  const quick = values.quick === true;
  const defaultOut = quick ? undefined : new URL('../../docs/PERFORMANCE.md', import.meta.url).pathname;
  const fleetKeys = intFromEnv('BENCH_FLEET_KEYS', quick ? 300 : 10_000, 10);
  const scale = process.env.BENCH_SCALE_ROWS;
  return {
    mode: quick ? 'quick' : 'full',
    out: values.out ? resolve(values.out) : defaultOut,
    baselineDir: values['baseline-dir'] ? resolve(values['baseline-dir']) : undefined,
    warmupSeconds: quick ? 1 : 3,
    durationSeconds: intFromEnv('BENCH_DURATION', quick ? 2 : 10, 1),
    rounds: quick ? 1 : 2,
    connections: [32, 128],
    fleetKeys,
    fleetWarmupKeys: quick ? Math.min(50, fleetKeys) : 1_000,
    victimKeys: quick ? 50 : 1_000,
    scaleRows: scale ? scale.split(',').map(Number) : quick ? [3_000, 6_000] : [100_000, 1_000_000],
    beforeFleetKeys: intFromEnv('BENCH_BEFORE_FLEET_KEYS', quick ? 20 : 400, 1),
    flood: { connections: 32, addresses: quick ? 100 : 1_000, requestsPerConnection: 20 },
    creates: quick ? 40 : 300,
    beforeCreates: quick ? 10 : 60,
    createConcurrency: [1, 32],
    listSamplesPerPage: quick ? 20 : 200,
    verifySeconds: quick ? 1 : 3,
    verifyTokens: quick ? 400 : 6_000,
  };
}
