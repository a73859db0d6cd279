// The usage on/off comparison alone (issue 16), quicker than `npm run bench`:
// `npm run build && node dist/bench/usage-cost.js [--rows N] [--keys N] [--rounds N] [--warm SECONDS]
// [--off-first] [--null] [--idle SECONDS] [--dir DIR]`.
// Two servers on one fresh database (usage on with an unreached project quota; usage off),
// both warmed up, then alternating fleet rounds (bench/usage-rounds.ts). --warm: first as many
// warm rounds of that many seconds (one key, bench/warm.ts), on then off (--off-first: off
// then on). --null: both servers with usage off, to see the comparison's own spread on this
// machine. --idle: each server's CPU while nobody asks. --dir: CPU profiles of both servers
// (node --cpu-prof), written when they stop.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { warmUp } from './fleet.js';
import { pinSelf } from './cpu-pinning.js';
import { scriptRunner } from './script.js';
import { createBenchDatabase, Seeder } from './seed.js';
import { SETTINGS, startKeymint } from './servers.js';
import { basic } from './load.js';
import { compareWarm } from './warm.js';
import { cpuTicks } from './processes.js';
import { median, setUnreachedProjectQuota, usageCost, usageRounds } from './usage-rounds.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    keys: { type: 'string' },
    rounds: { type: 'string' },
    dir: { type: 'string' },
    warmup: { type: 'string' },
    warm: { type: 'string' },
    'off-first': { type: 'boolean' },
    null: { type: 'boolean' },
    idle: { type: 'string' },
  },
});
const { progress, cleanups, run } = scriptRunner('usage-cost');
pinSelf();

await run(async () => {
  const [keys, rounds, warmupKeys] = [Number(values.keys ?? 5_000), Number(values.rounds ?? 3), Number(values.warmup ?? 500)];
  const rows = Number(values.rows ?? 1 + 2 * warmupKeys + 2 * rounds * keys);
  const profileDir = values.dir && resolve(values.dir);
  const database = await createBenchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  cleanups.push(() => database.drop());
  const on = await startKeymint(database.url, { label: 'usage on', profileDir, env: values.null ? { USAGE_COUNTING: 'off' } : {} });
  cleanups.push(() => on.stop());
  const seeder = new Seeder(database.url, 'digest');
  cleanups.push(() => seeder.close());
  await seeder.createProject('Usage cost', SETTINGS.bcryptCost);
  await seeder.growTo(rows, progress);
  const [owner] = await seeder.takeKeys(1);
  await seeder.prepare(2 * warmupKeys + 2 * rounds * keys);
  await setUnreachedProjectQuota(database.url, seeder.projectId);
  await on.restart();
  const off = await startKeymint(database.url, { label: 'usage off', masterKey: on.masterKey, env: { USAGE_COUNTING: 'off' }, profileDir });
  cleanups.push(() => off.stop());
  await warmUp(on, seeder, owner, 2, warmupKeys);
  await warmUp(off, seeder, owner, 2, warmupKeys);
  if (values.idle) {
    // What each server spends while nobody asks (timers, flushes, sweeps).
    const [a0, b0] = [await cpuTicks(on.pid), await cpuTicks(off.pid)];
    await new Promise((r) => setTimeout(r, Number(values.idle) * 1000));
    const [a1, b1] = [await cpuTicks(on.pid), await cpuTicks(off.pid)];
    progress(`idle ${values.idle} s: on ${(a1 - a0) * 10} ms CPU, off ${(b1 - b0) * 10} ms CPU`);
  }
  if (values.warm) {
    const authorization = basic(owner.accessKeyId, owner.secret);
    const targets = [
      { label: 'on', url: on.url, authorization, pid: on.pid },
      { label: 'off', url: off.url, authorization, pid: off.pid },
    ];
    if (values['off-first']) targets.reverse();
    const warm = await compareWarm(targets, { connections: 32, warmupSeconds: 2, durationSeconds: Number(values.warm), rounds, progress });
    const of = (label: string) => ({ rps: median(warm.runs[label].map((r) => r.requestsPerSecond)), cpu: median(warm.runs[label].map((r) => r.cpuMsPerToken ?? NaN)) });
    const [w1, w0] = [of('on'), of('off')];
    progress(`warm median: on ${Math.round(w1.rps)} / off ${Math.round(w0.rps)} tokens/s (cost ${(100 * (1 - w1.rps / w0.rps)).toFixed(1)}%); CPU ${w1.cpu.toFixed(2)} / ${w0.cpu.toFixed(2)} ms per token`);
  }
  progress(`${rounds} rounds of ${keys} fresh keys each, alternately (on, off, off, on, ...), 32 in flight (${rows} keys in the table)`);
  const r = await usageRounds({ on, off }, seeder, { rounds, keys, connections: 32, progress });
  const c = usageCost(r);
  progress(
    `median: on ${Math.round(c.onRps)} / off ${Math.round(c.offRps)} tokens/s (cost ${(100 * c.throughputCost).toFixed(1)}%); ` +
      `CPU ${c.onCpu.toFixed(2)} / ${c.offCpu.toFixed(2)} ms per token (+${(100 * c.cpuCost).toFixed(1)}%)`,
  );
});
