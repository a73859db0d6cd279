// The hostile run's attacker, a child process of its own (so that it does not share the
// load generator's event loop): token requests that must all fail, half naming Key IDs that
// do not exist (fresh UUIDv7s, shaped like real ones) and half naming real keys with wrong
// secrets (well-formed, checksummed), from many loopback source addresses. Each connection
// makes a few requests from one address, then reconnects from the next one.
// FLOOD_CONFIG (JSON): url, connections, addresses, victims (Key IDs), requestsPerConnection.
// Prints "ready" once running; on "stop" (or stdin's end) prints one JSON line of results.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { v7 as uuidv7 } from 'uuid';
import { generateSecret } from '../src/kernel/secrets.js';

interface FloodConfig {
  url: string;
  connections: number;
  addresses: string[];
  victims: string[];
  requestsPerConnection: number;
}

export interface FloodResult {
  seconds: number;
  sent: number;
  byStatus: Record<string, number>;
  errors: number;
  p50: number;
  p99: number;
  addressesUsed: number;
}

const config = JSON.parse(process.env.FLOOD_CONFIG ?? '') as FloodConfig;
const target = new URL('/oauth2/token', config.url);
const body = 'grant_type=client_credentials';
let stopped = false;
let sent = 0;
let errors = 0;
const byStatus: Record<string, number> = {};
const latencies: number[] = [];
const used = new Set<string>();

function attempt(agent: Agent, localAddress: string, n: number): Promise<void> {
  const id = n % 2 === 0 ? uuidv7() : config.victims[n % config.victims.length];
  const authorization = `Basic ${Buffer.from(`${id}:${generateSecret()}`).toString('base64')}`;
  return new Promise((resolve) => {
    const start = performance.now();
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        localAddress,
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - start);
          byStatus[String(res.statusCode)] = (byStatus[String(res.statusCode)] ?? 0) + 1;
          resolve();
        });
        res.on('error', () => {
          errors++;
          resolve();
        });
      },
    );
    req.on('error', () => {
      errors++;
      resolve();
    });
    sent++;
    req.end(body);
  });
}

async function worker(index: number): Promise<void> {
  for (let turn = index; !stopped; turn += config.connections) {
    const localAddress = config.addresses[turn % config.addresses.length];
    used.add(localAddress);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let j = 0; j < config.requestsPerConnection && !stopped; j++) await attempt(agent, localAddress, sent);
    agent.destroy();
  }
}

const started = performance.now();
const workers = Array.from({ length: config.connections }, (_, i) => worker(i));
process.stdout.write('ready\n');

let finished = false;
const finish = async () => {
  if (finished) return;
  finished = true;
  stopped = true;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] : NaN);
  const result: FloodResult = { seconds, sent, byStatus, errors, p50: at(50), p99: at(99), addressesUsed: used.size };
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
};
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (line.trim() === 'stop') void finish();
});
input.on('close', () => void finish());
