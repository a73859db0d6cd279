// The warm token comparison: check that each server issues a real RFC 9068 token, warm
// both up, then run baseline and Keymint alternately (B, K, B, K) with the same load.
// Keymint's /metrics is scraped around its measured runs to count database statements
// and cache lookups per token issued. Any non-2xx response or socket error fails the run.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { increaseBySeries, total } from './metrics.js';
import { basic, tokenRequest, warmTokenLoad, type LoadResult } from './load.js';
import { cpuTicks, machineTicks, waitUntilIdle } from './processes.js';
import type { Baseline, Keymint } from './servers.js';

export interface WarmOptions {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  rounds: number;
  progress(message: string): void;
}

/** Fetches one token and checks it is a JWT access token (typ at+jwt) signed with `alg`. */
export async function fetchAccessToken(url: string, authorization: string, alg: string, label: string): Promise<string> {
  const r = await tokenRequest(url, authorization);
  if (r.status !== 200) throw new Error(`${label}: token request answered ${r.status}: ${r.body.slice(0, 300)}`);
  const token = (JSON.parse(r.body) as { access_token?: string }).access_token ?? '';
  const header = decodeProtectedHeader(token);
  const claims = decodeJwt(token);
  if (header.typ !== 'at+jwt' || header.alg !== alg || typeof claims.client_id !== 'string' || !claims.aud) {
    throw new Error(`${label}: not an ${alg} at+jwt access token: ${JSON.stringify({ header, claims })}`);
  }
  return token;
}

function assertClean(label: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0) {
    throw new Error(`${label}: ${r.non2xx} non-2xx responses and ${r.errors} socket errors under load; the figures would be meaningless`);
  }
}

export async function compareWarm(baseline: Baseline, keymint: Keymint, keymintAuthorization: string, o: WarmOptions) {
  const targets = [
    { label: 'baseline', url: baseline.url, authorization: basic(baseline.clientId, baseline.secret) },
    { label: 'Keymint', url: keymint.url, authorization: keymintAuthorization },
  ];
  // Requests still in flight when a run stops keep a server busy; the next run starts on quiet servers.
  const settle = () => Promise.all([waitUntilIdle(baseline.child.pid), waitUntilIdle(keymint.child.pid)]);
  for (const t of targets) {
    await fetchAccessToken(t.url, t.authorization, 'ES256', t.label);
    o.progress(`warm-up ${t.label} (${o.warmupSeconds} s)`);
    assertClean(`${t.label} warm-up`, await warmTokenLoad(t.url, t.authorization, o.warmupSeconds, o.connections));
    await settle();
  }

  const runs: Record<string, LoadResult[]> = { baseline: [], Keymint: [] };
  const before = await keymint.metrics();
  const ours = async () => (await Promise.all([cpuTicks('self'), cpuTicks(keymint.child.pid), cpuTicks(baseline.child.pid)])).reduce((a, b) => a + b, 0);
  const [machineBefore, oursBefore] = [await machineTicks(), await ours()];
  for (let round = 1; round <= o.rounds; round++) {
    for (const t of targets) {
      o.progress(`round ${round}: ${t.label} (${o.durationSeconds} s, ${o.connections} connections)`);
      const r = await warmTokenLoad(t.url, t.authorization, o.durationSeconds, o.connections);
      assertClean(`${t.label} round ${round}`, r);
      runs[t.label].push(r);
      await settle();
      o.progress(`  ${Math.round(r.requestsPerSecond)} requests/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
    }
  }
  const after = await keymint.metrics();
  const [machineAfter, oursAfter] = [await machineTicks(), await ours()];
  // The share of the machine's CPU that neither the load generator nor the two servers used
  // (Postgres and anything else running): other work on the machine skews the figures.
  const otherCpuShare =
    (machineAfter.busy - machineBefore.busy - (oursAfter - oursBefore)) / Math.max(1, machineAfter.total - machineBefore.total);
  o.progress(`other processes used ${(otherCpuShare * 100).toFixed(1)}% of the machine's CPU during the measured runs`);

  const queriesAfter = total(after, 'keymint_db_queries_total');
  if (queriesAfter === undefined) throw new Error('Keymint does not export keymint_db_queries_total; queries per request cannot be counted');
  // Every request sent reached the server and cost it its queries, including the ones still
  // in flight when the load generator stopped (it drops those without counting a response).
  const sent = runs.Keymint.reduce((sum, r) => sum + r.sent, 0);
  const statements = queriesAfter - (total(before, 'keymint_db_queries_total') ?? 0);
  return {
    baseline: runs.baseline,
    keymint: runs.Keymint,
    otherCpuShare,
    queries: { statements, requests: sent, cacheLookups: increaseBySeries(before, after, 'keymint_cache_lookups_total') },
  };
}
