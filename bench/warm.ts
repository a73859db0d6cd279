// The warm token shape: one key asking again and again. Checks that each server issues a
// real RFC 9068 token, warms each up, then runs the servers alternately (A, B, C, A, B, C)
// with the same load, waiting for every server to be idle before each run. Also the share
// of the machine's CPU that other processes used meanwhile (a shared machine skews figures).
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { tokenLoad, tokenRequest, type LoadResult } from './load.js';
import { cpuTicks, machineTicks, waitUntilIdle } from './processes.js';

export interface WarmTarget {
  label: string;
  url: string;
  authorization: string;
  pid: number;
}

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

/** Throws when a run had any non-2xx answer or socket error: its figures would be meaningless. */
export function assertClean(label: string, r: LoadResult): LoadResult {
  if (r.non2xx > 0 || r.errors > 0) {
    throw new Error(`${label}: ${r.non2xx} non-2xx responses and ${r.errors} socket errors under load; the figures would be meaningless`);
  }
  return r;
}

export const settle = (pids: number[]) => Promise.all(pids.map((pid) => waitUntilIdle(pid)));

export async function compareWarm(targets: WarmTarget[], o: WarmOptions) {
  const pids = targets.map((t) => t.pid);
  for (const t of targets) {
    await fetchAccessToken(t.url, t.authorization, 'ES256', t.label);
    o.progress(`warm-up ${t.label} (${o.warmupSeconds} s)`);
    assertClean(`${t.label} warm-up`, await tokenLoad({ url: t.url, authorization: t.authorization, seconds: o.warmupSeconds, connections: o.connections }));
    await settle(pids);
  }
  const runs: Record<string, LoadResult[]> = Object.fromEntries(targets.map((t) => [t.label, []]));
  const ours = async () => (await Promise.all([cpuTicks('self'), ...pids.map((pid) => cpuTicks(pid))])).reduce((a, b) => a + b, 0);
  const [machineBefore, oursBefore] = [await machineTicks(), await ours()];
  for (let round = 1; round <= o.rounds; round++) {
    for (const t of targets) {
      o.progress(`warm round ${round}: ${t.label} (${o.durationSeconds} s, ${o.connections} in flight)`);
      const ticks = await cpuTicks(t.pid);
      const r = assertClean(
        `${t.label} round ${round}`,
        await tokenLoad({ url: t.url, authorization: t.authorization, seconds: o.durationSeconds, connections: o.connections }),
      );
      r.cpuMsPerToken = ((await cpuTicks(t.pid)) - ticks) * 10 / Math.max(1, r.requests);
      runs[t.label].push(r);
      await settle(pids);
      o.progress(`  ${Math.round(r.requestsPerSecond)} tokens/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
    }
  }
  const [machineAfter, oursAfter] = [await machineTicks(), await ours()];
  // The share of the machine's CPU that neither the load generator nor the servers used
  // (Postgres and anything else running).
  const otherCpuShare =
    (machineAfter.busy - machineBefore.busy - (oursAfter - oursBefore)) / Math.max(1, machineAfter.total - machineBefore.total);
  o.progress(`other processes used ${(otherCpuShare * 100).toFixed(1)}% of the machine's CPU during the warm runs`);
  return { runs, otherCpuShare };
}
