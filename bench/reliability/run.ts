// `npm run reliability`: the measured figures of issue 6 (enumeration timing, the soak, a
// security-header sweep, the dependency audit) and of issue 11 (guesses judged per burst,
// cold requests under a flood) on a fresh Postgres database with Keymint child processes,
// written into docs/RELIABILITY.md. Exits non-zero when statuses or bodies tell the
// enumeration cases apart, a burst is judged past its budget or a right secret is refused,
// a legitimate request under the flood is not a 200, the soak saw a 5xx, a socket error or
// a lost write, or a route lacks helmet's headers or sends CORS headers; the doc is written
// either way. Child processes and the database are removed on every way out.
// Settings: RELIABILITY_DATABASE_URL, TIMING_TRIES (default 300), FLOOD_SECONDS (default 10),
// SOAK_SECONDS (default 60), SOAK_CONNECTIONS (default 200).
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generateMasterKey } from '../../src/crypto/master-key.js';
import { basic } from '../load.js';
import { waitUntilIdle } from '../processes.js';
import { createBenchDatabase, describeMachine } from '../seed.js';
import { Seeder } from './seeder.js';
import { SETTINGS } from '../servers.js';
import { auditDependencies } from './audit.js';
import { attackFailures, measureAttacks } from './attacks.js';
import { attackFigures } from './doc-attacks.js';
import { fiveXx, soakFigures, timingFigures, type SoakFigures } from './doc-figures.js';
import { reliabilityDoc } from './doc.js';
import { headerFailures, sweepHeaders } from './headers.js';
import { getToken, startKeymintWith } from './keymint.js';
import { WriteLedger } from './soak-ledger.js';
import { runSoak } from './soak.js';
import { query } from './stats.js';
import { prepareCases } from './timing-cases.js';
import { measureEnumeration, timingFailures } from './timing.js';
import { measureSignIn, signInFailures, signInFigures } from './sign-in-timing.js';
import { intFromEnv, scriptRunner } from '../script.js';

const DOC = fileURLToPath(new URL('../../../docs/RELIABILITY.md', import.meta.url));
const ADMIN_URL = process.env.RELIABILITY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WARMUP_TRIES = 10;
const GOOD_KEYS = 8;
const GUESSED_KEYS = 2_000;
const TIMEOUT_SECONDS = 30;

const { progress, cleanups, run } = scriptRunner('reliability');
// The soak and timing runs measure the server as deployed, on every core: no pinning.
process.env.BENCH_PIN = '0';

async function main(): Promise<string[]> {
  const loadAtStart = loadavg()[0];
  const tries = intFromEnv('TIMING_TRIES', 300, 20);
  const floodSeconds = intFromEnv('FLOOD_SECONDS', 10, 5);
  const seconds = intFromEnv('SOAK_SECONDS', 60, 10);
  const connections = intFromEnv('SOAK_CONNECTIONS', 200, 1);

  progress(`creating a database on ${new URL(ADMIN_URL).host}`);
  const database = await createBenchDatabase(ADMIN_URL);
  cleanups.push(() => database.drop().then(() => progress(`dropped database ${database.name}`)));
  const masterKey = generateMasterKey();
  const seeder = new Seeder(database.url, masterKey, SETTINGS.bcryptCost);
  cleanups.push(() => seeder.close());

  // Enumeration and timing: limits out of reach, so that every try reaches the secret check.
  const unlimited = {
    AUTH_FAILURES_PER_ADDRESS: '1000000', AUTH_FAILURES_PER_KEY: '1000000',
    SIGNIN_FAILURES_PER_EMAIL: '1000000', SIGNIN_FAILURES_PER_ADDRESS: '1000000',
  };
  const timingServer = await startKeymintWith(database.url, masterKey, unlimited);
  cleanups.push(() => timingServer.stop());
  progress(`timing: Keymint at ${timingServer.url} (pid ${timingServer.child.pid}); preparing the cases`);
  // One cold key per cold try at each endpoint, plus one each for the header comparison.
  const cases = await prepareCases(timingServer.url, database.url, seeder, 2 * (tries + WARMUP_TRIES + 1));
  progress(`timing: ${tries} tries of ${cases.cases.length} cases at 2 endpoints, one at a time`);
  const timing = await measureEnumeration(timingServer.url, cases, { tries, warmup: WARMUP_TRIES, progress });
  progress(`timing: ${tries} sign-ins of each case`);
  const signIn = await measureSignIn(timingServer.url, database.url, SETTINGS.bcryptCost, tries);
  await timingServer.stop();
  process.stdout.write(`${signInFigures(signIn)}\n`);
  process.stdout.write(`${timingFigures(timing, timingServer.settings)}\n`);

  // The attacks of issue 11, on a fresh process as deployed: default budgets, no proxy (the
  // source address is the socket's). The timing tries were failures from 127.0.0.1, and the
  // budgets are shared: start afresh (here and before the soak).
  await query(database.url, 'DELETE FROM auth_failures');
  // The budgets written out at their defaults, so that the report names them.
  const budgets = { AUTH_FAILURES_PER_ADDRESS: 30, AUTH_FAILURES_PER_KEY: 10, SIGNIN_FAILURES_PER_EMAIL: 5, SIGNIN_FAILURES_PER_ADDRESS: 20 };
  const attackSettings = { TRUST_PROXY: 'false', ...Object.fromEntries(Object.entries(budgets).map(([k, v]) => [k, String(v)])) };
  const attackServer = await startKeymintWith(database.url, masterKey, attackSettings);
  cleanups.push(() => attackServer.stop());
  progress(`attacks: Keymint at ${attackServer.url} (pid ${attackServer.child.pid})`);
  const attackOwner = await seeder.bootstrap('Attacks');
  const attacks = await measureAttacks(
    { url: attackServer.url, seeder, projectId: attackOwner.projectId, perKey: budgets.AUTH_FAILURES_PER_KEY, perEmail: budgets.SIGNIN_FAILURES_PER_EMAIL, floodSeconds, progress },
    attackServer.settings,
  );
  await attackServer.stop();
  process.stdout.write(`${attackFigures(attacks)}\n`);

  // The soak, on a fresh process: default limits, bad clients spread over many addresses.
  await query(database.url, 'DELETE FROM auth_failures');
  const soakServer = await startKeymintWith(database.url, masterKey, { TRUST_PROXY: '1' });
  cleanups.push(() => soakServer.stop());
  progress(`soak: Keymint at ${soakServer.url} (pid ${soakServer.child.pid}); seeding`);
  const owner = await seeder.bootstrap('Soak');
  const good = (await seeder.createKeys(owner.projectId, GOOD_KEYS, 2)).map((k) => basic(k.accessKeyId, k.secret));
  const guessedProject = await seeder.bootstrap('Soak guessed');
  await seeder.insertRows(guessedProject.projectId, GUESSED_KEYS);
  const guessed = (await query<{ id: string }>(database.url, "SELECT id FROM access_keys WHERE project_id = $1 AND display_name LIKE 'bulk key %'", [guessedProject.projectId])).map((r) => r.id);
  for (const authorization of good) await getToken(soakServer.url, authorization);
  const ownerBasic = basic(owner.accessKeyId, owner.secret);
  const bearer = await getToken(soakServer.url, ownerBasic);
  const routes = await sweepHeaders(soakServer.url, owner.projectId, ownerBasic, bearer);

  progress(`soak: ${connections} clients for ${seconds} s`);
  const ledger = new WriteLedger();
  const run = await runSoak({
    url: soakServer.url, seconds, connections, timeoutSeconds: TIMEOUT_SECONDS, projectId: owner.projectId, bearer, good, guessed, ledger,
    rssBytes: () => soakServer.rssBytes(),
    progress,
  });
  // Requests the clients abandoned at the stop may still be running: let them finish first.
  await waitUntilIdle(soakServer.child.pid);
  const soak: SoakFigures = {
    settings: { seconds, connections, timeoutSeconds: TIMEOUT_SECONDS, goodKeys: GOOD_KEYS, guessedKeys: guessed.length, server: soakServer.settings },
    run,
    writes: await ledger.verify(database.url, owner.projectId),
  };
  process.stdout.write(`${soakFigures(soak)}\n`);

  progress('running npm audit --omit=dev');
  const audit = await auditDependencies();
  const failures = [
    ...timingFailures(timing),
    ...signInFailures(signIn),
    ...attackFailures(attacks),
    ...(fiveXx(run) ? [`soak: ${fiveXx(run)} responses with a 5xx status`] : []),
    ...(run.errors ? [`soak: ${run.errors} socket errors (${run.timeouts} timeouts after ${TIMEOUT_SECONDS} s)`] : []),
    ...(soak.writes.missing.length ? [`soak: ${soak.writes.missing.length} acknowledged creates missing from the database`] : []),
    ...(soak.writes.resurrected.length ? [`soak: ${soak.writes.resurrected.length} acknowledged deletes still in the database`] : []),
    ...headerFailures(routes).map((f) => `headers: ${f}`),
  ];
  const settings = { TIMING_TRIES: String(tries), FLOOD_SECONDS: String(floodSeconds), SOAK_SECONDS: String(seconds), SOAK_CONNECTIONS: String(connections) };
  const machine = await describeMachine(ADMIN_URL, loadAtStart);
  await writeFile(DOC, reliabilityDoc({ date: new Date(), machine, settings, timing, timingServer: timingServer.settings, signIn, attacks, soak, routes, audit, failures }));
  progress(`wrote ${DOC}`);
  return failures;
}

await run(main);
