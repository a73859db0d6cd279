// Load and timing. autocannon drives the token endpoint in both shapes: warm (one key,
// fixed duration) and fleet (one request per key, each key once); a plain keep-alive HTTP
// client times requests one by one (the management API, creates). Latencies are kept
// per response in milliseconds with sub-millisecond precision (autocannon's own
// histogram rounds to whole milliseconds).
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { forEachConcurrently } from './concurrency.js';

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

/**
 * Token requests with autocannon (keep-alive, `connections` in flight). The same client
 * drives both shapes, so that warm and fleet figures compare like with like.
 */
export async function tokenLoad(o: TokenLoad): Promise<LoadResult> {
  const latencies: number[] = [];
  const headers = { authorization: o.authorization ?? '', 'content-type': FORM };
  const keys = o.keys;
  let next = 0;
  let reused = 0;
  // A fleet run ends at its last answer: autocannon only notices at its next 1 s sample
  // tick, so its own duration is rounded up to whole seconds (up to 1 s too long).
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  const fleet = keys && {
    amount: keys.length,
    requests: [
      {
        setupRequest: (req: { headers?: Record<string, string> }) => {
          if (next >= keys.length) reused++;
          const key = keys[Math.min(next++, keys.length - 1)];
          req.headers = { ...headers, authorization: basic(key.accessKeyId, key.secret) };
          return req;
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${o.url}/oauth2/token`,
        method: 'POST',
        headers,
        body: TOKEN_BODY,
        connections: Math.min(o.connections, keys?.length ?? o.connections),
        pipelining: 1,
        timeout: 30,
        ...(fleet ?? { duration: o.seconds ?? 10 }),
      } as autocannon.Options,
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      lastAnswerAt = performance.now();
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  if (reused) throw new Error(`the fleet load asked for ${reused} more keys than it was given; a key would have asked twice`);
  latencies.sort((a, b) => a - b);
  const seconds = fleet ? Math.max(0.001, (lastAnswerAt - startedAt) / 1000) : result.duration;
  return {
    requests: result['2xx'],
    sent: result.requests.sent,
    seconds,
    requestsPerSecond: result['2xx'] / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
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
