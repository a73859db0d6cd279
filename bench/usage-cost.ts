// The usage on/off fleet comparison alone (issue 16), quicker than `npm run bench`:
// `npm run build && node dist/bench/usage-cost.js [--rows N] [--keys N] [--rounds N] [--dir DIR]`.
// Two servers on one fresh database (usage on with an unreached project quota; usage off),
// both warmed up, then alternating fleet rounds (bench/usage-rounds.ts). --dir: CPU profiles
// of both servers (node --cpu-prof), written when they stop.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { warmUp } from './fleet.js';
import { pinSelf } from './cpu-pinning.js';
import { scriptRunner } from './script.js';
import { createBenchDatabase, Seeder } from './seed.js';
import { SETTINGS, startKeymint } from './servers.js';
import { setUnreachedProjectQuota, usageCost, usageRounds } from './usage-rounds.js';

const { values } = parseArgs({
  options: { rows: { type: 'string' }, keys: { type: 'string' }, rounds: { type: 'string' }, dir: { type: 'string' }, warmup: { type: 'string' } },
});
const { progress, cleanups, run } = scriptRunner('usage-cost');
pinSelf();

await run(async () => {
  const [keys, rounds, warmupKeys] = [Number(values.keys ?? 5_000), Number(values.rounds ?? 3), Number(values.warmup ?? 500)];
  const rows = Number(values.rows ?? 1 + 2 * warmupKeys + 2 * rounds * keys);
  const profileDir = values.dir && resolve(values.dir);
  const database = await createBenchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  cleanups.push(() => database.drop());
  const on = await startKeymint(database.url, { label: 'usage on', profileDir });
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
  progress(`${rounds} rounds of ${keys} fresh keys each, on then off, 32 in flight (${rows} keys in the table)`);
  const r = await usageRounds({ on, off }, seeder, { rounds, keys, connections: 32, progress });
  const c = usageCost(r);
  progress(
    `median: on ${Math.round(c.onRps)} / off ${Math.round(c.offRps)} tokens/s (cost ${(100 * c.throughputCost).toFixed(1)}%); ` +
      `CPU ${c.onCpu.toFixed(2)} / ${c.offCpu.toFixed(2)} ms per token (+${(100 * c.cpuCost).toFixed(1)}%); machine ${c.onMachine.toFixed(2)} / ${c.offMachine.toFixed(2)} ms per token`,
  );
});
