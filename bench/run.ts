// `npm run bench`: starts everything it measures (a fresh database, Keymint, the bare
// oidc-provider baseline), measures the figures of issue 5, prints one table and writes
// docs/PERFORMANCE.md. Child processes and the database are removed on every way out.
// Settings: BENCH_DATABASE_URL, BENCH_DURATION (s, default 10), BENCH_KEYS (default
// 100000), BENCH_COLD_KEYS (default 1000).
import { cpus, loadavg } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createVerifier } from '../src/verify/index.js';
import { basic, timedPool, tokenRequest } from './load.js';
import { measureManagement } from './management.js';
import { figuresTable, performanceDoc, type Figures } from './report.js';
import { createBenchDatabase, describeMachine, Seeder } from './seed.js';
import { SETTINGS, startBaseline, startKeymint } from './servers.js';
import { compareWarm, fetchAccessToken } from './warm.js';
import { intFromEnv, scriptRunner } from './script.js';
import { pinSelf } from './cpu-pinning.js';

const DOC = fileURLToPath(new URL('../../docs/PERFORMANCE.md', import.meta.url));
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const { progress, cleanups, run } = scriptRunner('bench');
pinSelf();

async function verificationsPerSecond(issuer: string, token: string, seconds: number): Promise<number> {
  const verifier = createVerifier({ issuer, audience: issuer });
  const loop = async (ms: number) => {
    let count = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      await verifier.verify(token);
      count++;
    }
    return count;
  };
  await loop(500);
  const start = performance.now();
  const count = await loop(seconds * 1000);
  return count / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0];
  const settings = {
    connections: 50,
    warmupSeconds: 3,
    durationSeconds: intFromEnv('BENCH_DURATION', 10, 1),
    keys: intFromEnv('BENCH_KEYS', 100_000, 1),
    coldKeys: intFromEnv('BENCH_COLD_KEYS', 1_000, 1),
    coldConcurrency: 50,
    samplesPerPage: 200,
    changes: 300,
    verifySeconds: 3,
    bcryptCost: SETTINGS.bcryptCost,
    signingAlg: SETTINGS.signingAlg,
  };

  progress(`creating a database on ${new URL(ADMIN_URL).host}`);
  const database = await createBenchDatabase(ADMIN_URL);
  cleanups.push(() => database.drop().then(() => progress(`dropped database ${database.name}`)));
  const keymint = await startKeymint(database.url);
  cleanups.push(() => keymint.stop());
  const baseline = await startBaseline();
  cleanups.push(() => baseline.stop());
  progress(`Keymint at ${keymint.url} (pid ${keymint.child.pid}), baseline at ${baseline.url}`);

  const seeder = new Seeder(database.url, keymint.masterKey, SETTINGS.bcryptCost);
  cleanups.push(() => seeder.close());
  const owner = await seeder.bootstrap('Bench');
  progress(`inserting ${settings.keys - 1} rows next to the bootstrap key`);
  await seeder.insertRows(owner.projectId, settings.keys - 1);
  const keyCount = await seeder.countKeys(owner.projectId);
  if (keyCount !== settings.keys) throw new Error(`expected ${settings.keys} keys in the project, found ${keyCount}`);
  const cold = await seeder.bootstrap('Cold');
  progress(`creating ${settings.coldKeys} keys with bcrypt cost ${SETTINGS.bcryptCost} (this takes a while)`);
  const coldKeys = await seeder.createKeys(cold.projectId, settings.coldKeys, cpus().length * 2);
  const rssBefore = await keymint.rssBytes();

  const ownerAuth = basic(owner.accessKeyId, owner.secret);
  const warm = await compareWarm(baseline, keymint, ownerAuth, { ...settings, rounds: 2, progress });

  progress(`cold path: first token of ${settings.coldKeys} keys, ${settings.coldConcurrency} in flight`);
  const coldRun = await timedPool(coldKeys.length, settings.coldConcurrency, (i) =>
    tokenRequest(keymint.url, basic(coldKeys[i].accessKeyId, coldKeys[i].secret)),
  );
  if (coldRun.failures.length) throw new Error(`cold path: ${coldRun.failures.length} requests failed, e.g. ${coldRun.failures[0]}`);

  progress('management API: walking every page, then timing first, middle and last');
  const bearer = await fetchAccessToken(keymint.url, ownerAuth, SETTINGS.signingAlg, 'Keymint');
  const management = await measureManagement({ url: keymint.url, projectId: owner.projectId, bearer, samplesPerPage: settings.samplesPerPage, changes: settings.changes });
  if (management.listed !== settings.keys) throw new Error(`the list walk saw ${management.listed} keys, expected ${settings.keys}`);

  progress(`keymint/verify for ${settings.verifySeconds} s`);
  const verify = { perSecond: await verificationsPerSecond(keymint.issuer, bearer, settings.verifySeconds) };
  const rssAfter = await keymint.rssBytes();

  const figures: Figures = {
    date: new Date(),
    machine: await describeMachine(ADMIN_URL, loadAtStart),
    settings,
    warm: { baseline: warm.baseline, keymint: warm.keymint, otherCpuShare: warm.otherCpuShare },
    queries: warm.queries,
    cold: { perSecond: coldRun.perSecond, p50: coldRun.p50, p99: coldRun.p99 },
    management,
    verify,
    rssBytes: { before: rssBefore, after: rssAfter },
  };
  process.stdout.write(`${figuresTable(figures)}\n`);
  await writeFile(DOC, performanceDoc(figures));
  progress(`wrote ${DOC}`);
}

await run(main);
