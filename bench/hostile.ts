// The hostile run: the fleet again (fresh keys, each asking once) while flood.ts hammers the
// same endpoint with unknown Key IDs and wrong secrets from many loopback addresses. Reports
// the fleet as usual (its slowest request too), the flood's rate and answers, and what a flood
// request cost the server: its CPU time and database statements beyond what the fleet's own
// requests cost in the quiet run.
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FloodResult } from './flood.js';
import { tokenLoad, type LoadResult } from './load.js';
import { spawnNode } from './processes.js';
import { serverCost } from './server-cost.js';
import type { Keymint } from './servers.js';
import type { Credentials } from './seed.js';

const FLOOD_MAIN = fileURLToPath(new URL('./flood.js', import.meta.url));

export interface FloodOptions {
  connections: number;
  addresses: number;
  requestsPerConnection: number;
}

/**
 * `count` loopback addresses outside the fleet's network (127.0.0.1's /24): 127.0.1.2-251,
 * 127.0.2.2-251, ... An attacker does not share the legitimate clients' /24 here, so the
 * run measures the flood, not a per-network budget that the two would share.
 */
export const loopbackAddresses = (count: number) =>
  Array.from({ length: count }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${2 + (i % 250)}`);

export interface HostileFigures {
  fleet: LoadResult;
  flood: FloodResult;
  /** Flood requests answered per second. */
  floodPerSecond: number;
  /** Server CPU per flood request, in µs, beyond the fleet's own (from the quiet run's cost per token). */
  floodCpuMicros: number;
  floodStatementsPerRequest: number;
}

export async function hostileFleet(
  keymint: Keymint,
  keys: Credentials[],
  victims: string[],
  connections: number,
  quiet: { cpuMsPerToken: number; statementsPerToken: number },
  o: FloodOptions,
): Promise<HostileFigures> {
  const flood = spawnNode(
    'flood',
    FLOOD_MAIN,
    {
      FLOOD_CONFIG: JSON.stringify({
        url: keymint.url,
        connections: o.connections,
        addresses: loopbackAddresses(o.addresses),
        victims,
        requestsPerConnection: o.requestsPerConnection,
      }),
    },
    { cpu: 0, stdin: true },
  );
  try {
    for (let i = 0; !flood.output().includes('ready'); i++) {
      if (flood.exited() || i > 100) throw new Error(`the flood did not start:\n${flood.output()}`);
      await sleep(50);
    }
    await sleep(1_000); // the flood at full rate before the fleet starts
    const floodSentBefore = Date.now();
    const cost = await serverCost(keymint, () => tokenLoad({ url: keymint.url, connections, keys }));
    const windowSeconds = (Date.now() - floodSentBefore) / 1000;
    flood.process.stdin!.write('stop\n');
    for (let i = 0; !flood.exited(); i++) {
      if (i > 200) throw new Error('the flood did not stop');
      await sleep(50);
    }
    const line = flood.output().trim().split('\n').reverse().find((l) => l.startsWith('{'));
    if (!line) throw new Error(`the flood reported nothing:\n${flood.output()}`);
    const result = JSON.parse(line) as FloodResult;
    // The flood ran for `result.seconds`; the server cost was measured over the fleet's window only.
    const floodInWindow = (result.sent / result.seconds) * windowSeconds;
    const fleetCpuMs = cost.result.requests * quiet.cpuMsPerToken;
    return {
      fleet: cost.result,
      flood: result,
      floodPerSecond: result.sent / result.seconds,
      floodCpuMicros: (Math.max(0, cost.cpuMs - fleetCpuMs) / floodInWindow) * 1000,
      floodStatementsPerRequest: Math.max(0, cost.statements - cost.result.sent * quiet.statementsPerToken) / floodInWindow,
    };
  } finally {
    await flood.stop();
  }
}
