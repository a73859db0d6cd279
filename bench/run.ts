// `npm run bench`: starts everything it measures (fresh databases, Keymint, the bare
// oidc-provider baseline, and with --baseline-dir the code before a change), measures the
// traffic shapes of issue 12 side by side in one run (warm, fleet, hostile, scale, creates,
// keymint/verify), prints one table and writes docs/PERFORMANCE.md (full run) or --out FILE.
// `--quick` measures the same shapes with small numbers. Child processes and databases are
// removed on every way out. Settings: plan.ts; BENCH_DATABASE_URL for the Postgres to use.
import { loadavg } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { basic, timedPool, tokenRequest } from './load.js';
import { measureChanges, measureListPages } from './management.js';
import { figuresTable, USAGE_OFF, type Figures, type ScalePoint } from './report.js';
import { performanceDoc } from './performance-doc.js';
import { createBenchDatabase, describeMachine, Seeder, type Credentials } from './seed.js';
import { SETTINGS, startBaseline, startKeymint, type Keymint } from './servers.js';
import { assertClean, compareWarm, fetchAccessToken, settle } from './warm.js';
import { scriptRunner } from './script.js';
import { pinSelf } from './cpu-pinning.js';
import { readPlan, type Plan } from './plan.js';
import { fleetRun, warmUp } from './fleet.js';
import { hostileFleet } from './hostile.js';
import { measureVerify } from './verify-rate.js';
import { tokenLoad } from './load.js';
import { serverCost } from './server-cost.js';
import type { SecretScheme } from './secret-digest.js';
import { setUnreachedProjectQuota, usageCost, usageRounds } from './usage-rounds.js';



const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const { progress, cleanups, run } = scriptRunner('bench');
pinSelf();

interface Served {
  keymint: Keymint;
  databaseUrl: string;
  seeder: Seeder;
  owner: Credentials;
  /** A key of a small project of its own, for creates (a project's key limit is not what they measure). */
  creator: { projectId: string; key: Credentials };
}

/**
 * A Keymint on a database of its own, seeded in the stored format it accepts: the current
 * digest when a token request with such a key succeeds, else bcrypt (code before issue 12).
 */
async function serve(label: string, plan: Plan, rows: number, victims: number, main?: string): Promise<Served> {
  const database = await createBenchDatabase(ADMIN_URL);
  cleanups.push(() => database.drop().then(() => progress(`dropped database ${database.name}`)));
  const keymint = await startKeymint(database.url, { label, main, profileDir: main ? undefined : process.env.BENCH_PROFILE_DIR });
  cleanups.push(() => keymint.stop());
  progress(`${label} at ${keymint.url} (pid ${keymint.pid}), database ${database.name}`);
  for (const scheme of ['digest', 'bcrypt'] as SecretScheme[]) {
    const seeder = new Seeder(database.url, scheme);
    cleanups.push(() => seeder.close());
    await seeder.createProject(`${label} ${scheme}`, SETTINGS.bcryptCost);
    progress(`seeding ${rows.toLocaleString('en-US')} keys (${scheme} scheme)`);
    await seeder.growTo(rows, progress);
    const small = new Seeder(database.url, scheme);
    cleanups.push(() => small.close());
    await small.createProject(`${label} creates`, SETTINGS.bcryptCost);
    await small.growTo(1, progress);
    const [owner] = await seeder.takeKeys(1);
    const [creator] = await small.takeKeys(1);
    await seeder.prepare(Math.max(0, rows - 1 - victims));
    await keymint.restart(); // caches start empty, whatever the server keeps in memory
    progress(`${label} restarted (pid ${keymint.pid})`);
    const probe = await tokenRequest(keymint.url, basic(owner.accessKeyId, owner.secret));
    if (probe.status === 200) return { keymint, databaseUrl: database.url, seeder, owner, creator: { projectId: small.projectId, key: creator } };
    progress(`${label} refused a key stored in the ${scheme} scheme (${probe.status}); trying the next`);
  }
  throw new Error(`${label} accepts neither stored scheme the benchmark knows`);
}

async function measureCreates(s: Served, concurrency: number[], count: number) {
  const { key, projectId } = s.creator;
  const bearer = await fetchAccessToken(s.keymint.url, basic(key.accessKeyId, key.secret), SETTINGS.signingAlg, s.keymint.label);
  return measureChanges({ url: s.keymint.url, projectId, bearer }, concurrency, count);
}

/** One key again and again on one server, with the server's CPU per token. */
async function warmRun(keymint: Keymint, owner: Credentials, seconds: number, connections: number, label: string) {
  await settle([keymint.pid]);
  const cost = await serverCost(keymint, () => tokenLoad({ url: keymint.url, authorization: basic(owner.accessKeyId, owner.secret), seconds, connections }));
  const r = assertClean(label, cost.result);
  return { ...r, cpuMsPerToken: cost.cpuMs / Math.max(1, r.requests) };
}

async function freshTokens(url: string, owner: Credentials, count: number): Promise<string[]> {
  const tokens: string[] = [];
  const r = await timedPool(count, 32, async () => {
    const t = await tokenRequest(url, basic(owner.accessKeyId, owner.secret));
    if (t.status === 200) tokens.push((JSON.parse(t.body) as { access_token: string }).access_token);
    return t;
  });
  if (r.failures.length) throw new Error(`fetching tokens: ${r.failures[0]}`);
  return tokens;
}

async function scalePoint(s: Served, plan: Plan, rows: number, withList: boolean): Promise<ScalePoint> {
  progress(`scale: growing the table to ${rows.toLocaleString('en-US')} keys`);
  await s.seeder.growTo(rows, progress);
  await s.seeder.prepare(plan.fleetWarmupKeys + plan.fleetKeys);
  await s.keymint.restart();
  const residentLoadMs = s.keymint.residentLoadMs;
  progress(`Keymint restarted (pid ${s.keymint.pid})${residentLoadMs !== undefined ? `, resident keys loaded in ${(residentLoadMs / 1000).toFixed(1)} s` : ''}`);
  await settle([s.keymint.pid]);
  const rssAtStart = await s.keymint.rssBytes();
  await warmUp(s.keymint, s.seeder, s.owner, plan.warmupSeconds, plan.fleetWarmupKeys);
  const [c] = plan.connections;
  progress(`scale ${rows}: warm (${plan.durationSeconds} s), then a fleet of ${plan.fleetKeys} keys, ${c} in flight`);
  const warm = await warmRun(s.keymint, s.owner, plan.durationSeconds, c, 'scale warm');
  const fleet = await fleetRun(s.keymint, s.seeder, plan.fleetKeys, c, `fleet at ${rows} keys`);
  progress(`  warm ${Math.round(warm.requestsPerSecond)}/s; fleet ${Math.round(fleet.requestsPerSecond)}/s, p99 ${fleet.p99.toFixed(1)} ms, RSS ${(fleet.rssAfter / 1e6).toFixed(0)} MB`);
  let list: ScalePoint['list'];
  if (withList) {
    const bearer = await fetchAccessToken(s.keymint.url, basic(s.owner.accessKeyId, s.owner.secret), SETTINGS.signingAlg, 'Keymint');
    list = await measureListPages({ url: s.keymint.url, projectId: s.seeder.projectId, bearer }, plan.listSamplesPerPage);
  }
  return { rows, rssAtStart, residentLoadMs, warm, fleet, rssAfter: await s.keymint.rssBytes(), list };
}

async function main(): Promise<void> {
  const plan = readPlan();
  const loadAtStart = loadavg()[0];
  const [c, cHigh] = plan.connections;
  // Fleets: warm-up, judged, high, hostile; the usage-off server's warm-up, and the usage on/off rounds.
  const stageRows = 1 + 2 * plan.fleetWarmupKeys + (4 + 2 * plan.rounds) * plan.fleetKeys + plan.victimKeys;

  const current = await serve('Keymint', plan, stageRows, plan.victimKeys);
  // Issue 16: usage counting and quotas on (the default, with a project quota no run reaches)
  // against a second server on the same database with USAGE_COUNTING=off.
  await setUnreachedProjectQuota(current.databaseUrl, current.seeder.projectId);
  await current.keymint.restart();
  const usageOff = await startKeymint(current.databaseUrl, { label: USAGE_OFF, masterKey: current.keymint.masterKey, env: { USAGE_COUNTING: 'off' } });
  cleanups.push(() => usageOff.stop());
  progress(`${USAGE_OFF} at ${usageOff.url} (pid ${usageOff.pid}), same database`);
  const before = plan.baselineDir
    ? await serve('Keymint before', plan, 1 + plan.beforeFleetKeys, 0, join(plan.baselineDir, 'dist/src/main.js'))
    : undefined;
  const baseline = await startBaseline();
  cleanups.push(() => baseline.stop());
  progress(`bare oidc-provider at ${baseline.url} (pid ${baseline.pid})`);
  const { keymint, seeder, owner } = current;
  const ownerAuth = basic(owner.accessKeyId, owner.secret);

  const targets = [
    { label: 'baseline', url: baseline.url, authorization: basic(baseline.clientId, baseline.secret), pid: baseline.pid },
    { label: 'Keymint', url: keymint.url, authorization: ownerAuth, pid: keymint.pid },
    { label: USAGE_OFF, url: usageOff.url, authorization: ownerAuth, pid: usageOff.pid },
    ...(before ? [{ label: 'Keymint before', url: before.keymint.url, authorization: basic(before.owner.accessKeyId, before.owner.secret), pid: before.keymint.pid }] : []),
  ];
  const warm = await compareWarm(targets, { connections: c, warmupSeconds: plan.warmupSeconds, durationSeconds: plan.durationSeconds, rounds: plan.rounds, progress });
  progress(`warm, ${cHigh} in flight`);
  const warmHigh = await warmRun(keymint, owner, plan.durationSeconds, cHigh, 'warm high');

  progress(`fleet: warm-up with ${plan.fleetWarmupKeys} keys, then ${plan.fleetKeys} keys at ${c} and at ${cHigh} in flight`);
  await warmUp(keymint, seeder, owner, 0, plan.fleetWarmupKeys);
  const fleet = await fleetRun(keymint, seeder, plan.fleetKeys, c, 'fleet');
  progress(`  ${Math.round(fleet.requestsPerSecond)} tokens/s, p50 ${fleet.p50.toFixed(1)} ms, p99 ${fleet.p99.toFixed(1)} ms`);
  const fleetHigh = await fleetRun(keymint, seeder, plan.fleetKeys, cHigh, 'fleet high');
  progress(`  ${Math.round(fleetHigh.requestsPerSecond)} tokens/s at ${cHigh}, p99 ${fleetHigh.p99.toFixed(1)} ms`);
  const fleetRead = await fleetRun(keymint, seeder, plan.fleetKeys, c, 'fleet, keys not resident', true);
  progress(`  keys not resident (read once each): ${Math.round(fleetRead.requestsPerSecond)} tokens/s, ${fleetRead.statementsPerToken.toFixed(2)} statements per token`);

  progress(`${USAGE_OFF}: warm-up with ${plan.fleetWarmupKeys} keys; then usage on and off alternately, ${plan.rounds} rounds of ${plan.fleetKeys} fresh keys each at ${c} in flight`);
  await warmUp(usageOff, seeder, owner, 0, plan.fleetWarmupKeys);
  const usage = await usageRounds({ on: keymint, off: usageOff }, seeder, { rounds: plan.rounds, keys: plan.fleetKeys, connections: c, progress });
  const cost = usageCost(usage);
  progress(`  usage on ${Math.round(cost.onRps)} / off ${Math.round(cost.offRps)} tokens/s (medians; cost ${(100 * cost.throughputCost).toFixed(1)}%)`);
  await usageOff.stop();

  progress(`hostile: a fleet of ${plan.fleetKeys} keys under a flood from ${plan.flood.addresses} addresses`);
  const victims = await seeder.takeIdsOnly(plan.victimKeys);
  const hostileKeys = await seeder.takeKeys(plan.fleetKeys);
  await settle([keymint.pid]);
  const hostile = await hostileFleet(keymint, hostileKeys, victims, c, fleet, plan.flood);
  progress(`  fleet ${Math.round(hostile.fleet.requestsPerSecond)} tokens/s (max ${hostile.fleet.max.toFixed(0)} ms, ${hostile.fleet.non2xx} non-2xx), flood ${Math.round(hostile.floodPerSecond)}/s`);

  let beforeFigures: Figures['before'];
  if (before) {
    progress(`before: a fleet of ${plan.beforeFleetKeys} keys, ${c} in flight`);
    const beforeFleet = await fleetRun(before.keymint, before.seeder, plan.beforeFleetKeys, c, 'fleet before');
    progress(`  ${beforeFleet.requestsPerSecond.toFixed(1)} tokens/s`);
    const creates = await measureCreates(before, [c], plan.beforeCreates);
    beforeFigures = { scheme: before.seeder.scheme, fleet: beforeFleet, creates };
    await before.keymint.stop();
  }

  progress(`creates and deletes: ${plan.creates} each at ${plan.createConcurrency.join(' and ')} in flight`);
  const creates = await measureCreates(current, plan.createConcurrency, plan.creates);

  progress(`keymint/verify: ${plan.verifyTokens} fresh tokens, ${plan.verifySeconds} s per figure`);
  const verify = await measureVerify(keymint.issuer, await freshTokens(keymint.url, owner, plan.verifyTokens + 1), plan.verifySeconds);
  progress(`  repeated ${Math.round(verify.keymintRepeated)}/s vs jose ${Math.round(verify.joseRepeated)}/s`);
  const rssStage = await keymint.rssBytes();

  const scale: ScalePoint[] = [];
  for (const [i, rows] of plan.scaleRows.entries()) scale.push(await scalePoint(current, plan, rows, i === 0));

  const figures: Figures = {
    date: new Date(),
    machine: await describeMachine(ADMIN_URL, loadAtStart),
    plan,
    scheme: seeder.scheme,
    stageRows,
    warm: { ...warm, high: warmHigh },
    fleet,
    fleetHigh,
    fleetRead,
    usage,
    hostile,
    before: beforeFigures,
    creates,
    verify,
    rssStage,
    scale,
  };
  process.stdout.write(`${figuresTable(figures)}\n`);
  if (plan.out) {
    await writeFile(plan.out, performanceDoc(figures));
    progress(`wrote ${plan.out}`);
  }
}

await run(main);
