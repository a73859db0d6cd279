// Load and timing. Our own generator on node:net (raw-load.ts) drives the token endpoint in
// both shapes, warm (one key, fixed duration) and fleet (one request per key, each key once),
// with every request's bytes built before the run, so that a fleet request costs the client
// what a warm one does; a plain keep-alive HTTP client times requests one by one (the
// management API, creates). Latencies are kept per response in milliseconds with
// sub-millisecond precision.
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { forEachConcurrently } from './concurrency.js';
import { rawLoad, type Work } from './raw-load.js';

export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
export const TOKEN_BODY = 'grant_type=client_credentials';
const FORM = 'application/x-www-form-urlencoded';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values: number[]) => percentile(values, 50);

export interface LoadResult {
  /** 2xx responses completed within the run. */
  requests: number;
  /** Requests written to the server, including those still in flight when the run stopped. */
  sent: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** The slowest 2xx response. */
  max: number;
  non2xx: number;
  errors: number;
  /** Server CPU time per 2xx response, in ms, when the run was measured with it. */
  cpuMsPerToken?: number;
}

export interface TokenLoad {
  url: string;
  connections: number;
  /** warm: one key for every request, for `seconds`. */
  authorization?: string;
  seconds?: number;
  /** fleet: one request per key, each key once; the run ends when all have answered. */
  keys?: ReadonlyArray<{ accessKeyId: string; secret: string }>;
}

/** The bytes of one token request, built once before a run. */
export function tokenRequestBytes(host: string, authorization: string): Buffer {
  const head = `POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${authorization}\r\nContent-Type: ${FORM}\r\n`;
  return Buffer.from(`${head}Content-Length: ${Buffer.byteLength(TOKEN_BODY)}\r\n\r\n${TOKEN_BODY}`, 'latin1');
}

/**
 * Token requests from raw-load.ts, `connections` in flight. The same client drives both
 * shapes, every request's bytes built before the clock starts, so that warm and fleet
 * figures compare like with like.
 */
export async function tokenLoad(o: TokenLoad): Promise<LoadResult> {
  const url = new URL(o.url);
  if (url.protocol !== 'http:') throw new Error(`the load generator speaks plain HTTP only, not ${url.protocol}`);
  const keys = o.keys;
  const work: Work = keys
    ? { kind: 'each', requests: keys.map((k) => tokenRequestBytes(url.host, basic(k.accessKeyId, k.secret))) }
    : { kind: 'repeat', request: tokenRequestBytes(url.host, o.authorization ?? ''), seconds: o.seconds ?? 10 };
  const r = await rawLoad({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), connections: o.connections, work });
  if (keys && r.sent > keys.length) throw new Error(`the fleet load sent ${r.sent - keys.length} more requests than it had keys; a key would have asked twice`);
  if (r.errors) {
    const kinds = [...r.errorKinds].map(([kind, n]) => `${n} × ${kind}`).join('; ');
    process.stderr.write(`[load] ${r.errors} errors in a token load: ${kinds}\n`);
  }
  const latencies = r.latencies.sort((a, b) => a - b);
  return {
    requests: r.ok,
    sent: r.sent,
    seconds: r.seconds,
    requestsPerSecond: r.ok / r.seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 128 });

export interface Timed {
  status: number;
  body: string;
  ms: number;
}

/** One HTTP request on a keep-alive connection; `ms` runs from sending to the last byte. */
export function timedRequest(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = httpRequest(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - start }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const tokenRequest = (url: string, authorization: string) =>
  timedRequest('POST', `${url}/oauth2/token`, { authorization, 'content-type': FORM }, TOKEN_BODY);

/** Runs `count` calls of `fn` with `concurrency` in flight; requests/s over the whole run and per-call latency. */
export async function timedPool(count: number, concurrency: number, fn: (i: number) => Promise<Timed>) {
  const latencies: number[] = [];
  const failures: string[] = [];
  const start = performance.now();
  await forEachConcurrently(count, concurrency, async (i) => {
    const r = await fn(i);
    if (r.status < 200 || r.status >= 300) failures.push(`${r.status} ${r.body.slice(0, 200)}`);
    else latencies.push(r.ms);
  });
  const seconds = (performance.now() - start) / 1000;
  return { count, seconds, perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

/** `count` sequential calls: the median and p99 of their latencies. */
export async function sequentialLatency(count: number, fn: () => Promise<Timed>) {
  const r = await timedPool(count, 1, () => fn());
  if (r.failures.length) throw new Error(`${r.failures.length} of ${count} requests failed, e.g. ${r.failures[0]}`);
  return { median: r.p50, p99: r.p99 };
}

export function closeAgent(): void {
  agent.destroy();
}
