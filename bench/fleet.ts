// The fleet shape: N distinct keys, each asking for one token, as real clients do once per
// token lifetime. Each run takes fresh keys from the seeder (a key never asks twice in a
// run or across runs), waits for the server to be idle, and counts what the server spent
// on it (CPU time and database statements per token) and its resident memory afterwards.
import { basic, tokenLoad, type LoadResult } from './load.js';
import { serverCost } from './server-cost.js';
import type { Seeder } from './seed.js';
import type { Keymint } from './servers.js';
import { assertClean, settle } from './warm.js';

export interface FleetFigure extends LoadResult {
  keys: number;
  connections: number;
  tableRows: number;
  cpuMsPerToken: number;
  statementsPerToken: number;
  rssAfter: number;
}

/** `touched`: the keys are changed first (the server reads each from the database, not from memory). */
export async function fleetRun(keymint: Keymint, seeder: Seeder, keys: number, connections: number, label: string, touched = false): Promise<FleetFigure> {
  const credentials = await seeder.takeKeys(keys);
  if (touched) {
    await seeder.touch(credentials);
    await new Promise((r) => setTimeout(r, 1000)); // the change notifications reach the server
  }
  await settle([keymint.pid]);
  const cost = await serverCost(keymint, () => tokenLoad({ url: keymint.url, connections, keys: credentials }));
  const r = assertClean(label, cost.result);
  return {
    ...r,
    keys,
    connections,
    tableRows: seeder.rows,
    cpuMsPerToken: cost.cpuMs / Math.max(1, r.requests),
    statementsPerToken: cost.statements / Math.max(1, r.sent),
    rssAfter: await keymint.rssBytes(),
  };
}

/** After a (re)start: a few seconds of the warm key and a fleet of keys nobody measures, so JIT and pools are warm. */
export async function warmUp(keymint: Keymint, seeder: Seeder, owner: { accessKeyId: string; secret: string }, seconds: number, fleetKeys: number) {
  if (seconds > 0) assertClean('warm-up', await tokenLoad({ url: keymint.url, authorization: basic(owner.accessKeyId, owner.secret), seconds, connections: 32 }));
  if (fleetKeys > 0) await fleetRun(keymint, seeder, fleetKeys, 32, 'fleet warm-up');
  await settle([keymint.pid]);
}
