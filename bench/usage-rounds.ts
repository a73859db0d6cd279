// Issue 16's cost of usage counting and quotas, measured fairly: two servers on one database,
// "on" (the defaults, with a project quota no run reaches, so every token is counted and
// checked) and "off" (USAGE_COUNTING=off), each given fleets of the same number of fresh keys
// in alternating rounds, in the order on, off, off, on, on, off, ... (so that a drift of the
// machine over the run favours neither), both idle before each round. The figure is the
// median of the rounds, with each round's tokens/s and server CPU per token beside it.
import pg from 'pg';
import { fleetRun, type FleetFigure } from './fleet.js';
import type { Seeder } from './seed.js';
import type { Keymint } from './servers.js';
import { settle } from './warm.js';

/** A project default quota far above what any run asks for: quotas are checked, never reached. */
export async function setUnreachedProjectQuota(databaseUrl: string, projectId: string): Promise<void> {
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    await sql.query(
      `INSERT INTO project_quotas (project_id, per_hour, per_day) VALUES ($1, 2000000000, 2000000000)
       ON CONFLICT (project_id) DO NOTHING`,
      [projectId],
    );
  } finally {
    await sql.end();
  }
}

export type UsageRound = FleetFigure;

export interface UsageRounds {
  on: UsageRound[];
  off: UsageRound[];
}

export async function usageRounds(
  servers: { on: Keymint; off: Keymint },
  seeder: Seeder,
  o: { rounds: number; keys: number; connections: number; progress(m: string): void },
): Promise<UsageRounds> {
  const out: UsageRounds = { on: [], off: [] };
  for (let i = 1; i <= o.rounds; i++) {
    for (const side of i % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      // Both idle: the other server's last flush does not land in this round.
      await settle([servers.on.pid, servers.off.pid]);
      const f = await fleetRun(servers[side], seeder, o.keys, o.connections, `fleet, usage ${side}, round ${i}`);
      out[side].push(f);
      o.progress(`  usage ${side}, round ${i}: ${Math.round(f.requestsPerSecond)} tokens/s, ${f.cpuMsPerToken.toFixed(2)} ms server CPU per token`);
    }
  }
  return out;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Cost of "on" against "off": 1 - median on / median off, in throughput and (on/off - 1) in CPU per token. */
export function usageCost(r: UsageRounds) {
  const rps = (fs: UsageRound[]) => median(fs.map((f) => f.requestsPerSecond));
  const cpu = (fs: UsageRound[]) => median(fs.map((f) => f.cpuMsPerToken));
  return {
    onRps: rps(r.on),
    offRps: rps(r.off),
    throughputCost: 1 - rps(r.on) / rps(r.off),
    onCpu: cpu(r.on),
    offCpu: cpu(r.off),
    cpuCost: cpu(r.on) / cpu(r.off) - 1,
  };
}
