// A short warm-versus-fleet run of one server under `node --cpu-prof`, to find where the
// cold path's time goes: `npm run build && node dist/bench/profile-fleet.js [--main DIST_MAIN]
// [--rows N] [--keys N] [--dir DIR] [--only warm|fleet]`. Prints tokens/s and server CPU per token for both shapes;
// the profiles (one per server process) land in DIR (default ./profiles), for Chrome DevTools.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fleetRun, warmUp } from './fleet.js';
import { basic, tokenLoad } from './load.js';
import { pinSelf } from './cpu-pinning.js';
import { scriptRunner } from './script.js';
import { createBenchDatabase, Seeder } from './seed.js';
import { serverCost } from './server-cost.js';
import { startKeymint } from './servers.js';

const { values } = parseArgs({ options: { main: { type: 'string' }, rows: { type: 'string' }, keys: { type: 'string' }, dir: { type: 'string' }, only: { type: 'string' } } });
const { progress, cleanups, run } = scriptRunner('profile');
pinSelf();

await run(async () => {
  const [rows, keys] = [Number(values.rows ?? 20_000), Number(values.keys ?? 5_000)];
  const dir = resolve(values.dir ?? 'profiles');
  const database = await createBenchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  cleanups.push(() => database.drop());
  const keymint = await startKeymint(database.url, { label: 'Keymint', main: values.main && resolve(values.main), profileDir: dir });
  cleanups.push(() => keymint.stop());
  const seeder = new Seeder(database.url, 'digest');
  cleanups.push(() => seeder.close());
  await seeder.createProject('Profile', 10);
  await seeder.growTo(rows, progress);
  const [owner] = await seeder.takeKeys(1);
  await seeder.prepare(500 + keys);
  await keymint.restart();
  await warmUp(keymint, seeder, owner, 2, 500);
  // --only: one shape in the profile, so that the two can be compared function by function.
  if (values.only !== 'fleet') {
    const warm = await serverCost(keymint, () => tokenLoad({ url: keymint.url, authorization: basic(owner.accessKeyId, owner.secret), seconds: 5, connections: 32 }));
    progress(`warm: ${Math.round(warm.result.requestsPerSecond)} tokens/s, ${(warm.cpuMs / warm.result.requests).toFixed(2)} ms server CPU per token`);
  }
  if (values.only === 'warm') return;
  const fleet = await fleetRun(keymint, seeder, keys, 32, 'fleet');
  progress(`fleet: ${Math.round(fleet.requestsPerSecond)} tokens/s, ${fleet.cpuMsPerToken.toFixed(2)} ms server CPU per token, ${fleet.statementsPerToken.toFixed(2)} statements per token, p50 ${fleet.p50.toFixed(1)} ms, p99 ${fleet.p99.toFixed(1)} ms`);
  progress(`profiles in ${dir} (written when the server stops)`);
});
