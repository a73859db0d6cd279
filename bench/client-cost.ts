// The load generator's own CPU per request, warm shape against fleet shape:
// `npm run build && node dist/bench/client-cost.js [--seconds S] [--keys N] [--connections C] [--rounds R]`.
// raw-load.ts sends the token requests tokenLoad() builds to a server that answers every
// request with a fixed 200 body (fixed-answer-server.ts, on CPU 1 when pinning is on; this
// process on CPU 0), so nearly all the CPU this process spends is the client's. Building
// the fleet's requests (before the clock starts) is counted apart. Warm and fleet alternate.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { pinSelf } from './cpu-pinning.js';
import { basic, percentile, tokenRequestBytes } from './load.js';
import { freePort, spawnNode, waitUntilReady } from './processes.js';
import { rawLoad, type Work } from './raw-load.js';
import { scriptRunner } from './script.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string' }, keys: { type: 'string' }, connections: { type: 'string' }, rounds: { type: 'string' } },
});
const { progress, cleanups, run } = scriptRunner('client-cost');
pinSelf();

const cpuMicros = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** Distinct fake credentials (the server never checks them), as many as the fleet has keys. */
const fleetKeys = (n: number, round: number) =>
  Array.from({ length: n }, (_, i) => ({ accessKeyId: `0190f1a2-0000-7000-8000-${String(round * n + i).padStart(12, '0')}`, secret: `sk_${'s'.repeat(40)}${i}` }));

await run(async () => {
  const [seconds, keys, connections, rounds] = [Number(values.seconds ?? 5), Number(values.keys ?? 20_000), Number(values.connections ?? 32), Number(values.rounds ?? 2)];
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const server = spawnNode('fixed-answer server', fileURLToPath(new URL('./fixed-answer-server.js', import.meta.url)), { PORT: String(port) });
  cleanups.push(() => server.stop());
  await waitUntilReady(server, `http://${host}/`);
  const load = async (label: string, work: Work) => {
    const before = process.cpuUsage();
    const r = await rawLoad({ host: '127.0.0.1', port, connections, work });
    const perRequest = cpuMicros(before) / Math.max(1, r.sent);
    const latencies = r.latencies.sort((a, b) => a - b);
    progress(
      `${label}: ${r.ok} answers in ${r.seconds.toFixed(2)} s (${Math.round(r.ok / r.seconds)}/s), client CPU ${perRequest.toFixed(1)} µs per request, ` +
        `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, non-2xx ${r.non2xx}, errors ${r.errors}`,
    );
    return perRequest;
  };
  const warmRequest = tokenRequestBytes(host, basic('0190f1a2-0000-7000-8000-000000000000', `sk_${'s'.repeat(40)}`));
  const fleetRequests = (round: number) => {
    const credentials = fleetKeys(keys, round);
    const before = process.cpuUsage();
    const requests = credentials.map((k) => tokenRequestBytes(host, basic(k.accessKeyId, k.secret)));
    progress(`building ${keys} fleet requests (before the clock starts): ${(cpuMicros(before) / keys).toFixed(1)} µs each`);
    return requests;
  };
  await load('JIT warm-up, warm', { kind: 'repeat', request: warmRequest, seconds: 1 });
  await load('JIT warm-up, fleet', { kind: 'each', requests: fleetRequests(rounds + 1).slice(0, 2_000) });
  const warm: number[] = [];
  const fleet: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    warm.push(await load(`warm round ${round} (${seconds} s, ${connections} in flight)`, { kind: 'repeat', request: warmRequest, seconds }));
    fleet.push(await load(`fleet round ${round} (${keys} keys, ${connections} in flight)`, { kind: 'each', requests: fleetRequests(round) }));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  progress(`client CPU per request during the runs: warm ${mean(warm).toFixed(1)} µs, fleet ${mean(fleet).toFixed(1)} µs (fleet/warm ${(mean(fleet) / mean(warm)).toFixed(2)})`);
});
