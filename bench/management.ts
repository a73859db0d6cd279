// The Access Keys Management API: list latency of the first, a middle and the last page of
// a large project (positions found by walking every page once), and creates and deletes
// per second at the given numbers in flight. Authenticated with a Bearer token, as a client
// would after one token request.
import { randomBytes } from 'node:crypto';
import { sequentialLatency, timedPool, timedRequest, type Timed } from './load.js';

export interface ManagementOptions {
  url: string;
  projectId: string;
  bearer: string;
}

export interface PageFigure {
  page: string;
  median: number;
  p99: number;
}

export interface RateFigure {
  operation: string;
  concurrency: number;
  /** Successful operations per second over the whole run. */
  perSecond: number;
  p50: number;
  p99: number;
  /** Requests that did not succeed, and the first one's answer. */
  failed: number;
  firstFailure?: string;
}

function check(r: Timed, what: string): Timed {
  if (r.status !== 200) throw new Error(`${what} answered ${r.status}: ${r.body.slice(0, 300)}`);
  return r;
}

const endpoints = (o: ManagementOptions) => ({
  auth: { authorization: `Bearer ${o.bearer}` },
  list: `${o.url}/v1/projects/${o.projectId}/accessKeys`,
});

export async function measureListPages(o: ManagementOptions, samplesPerPage: number) {
  const { auth, list } = endpoints(o);
  const page = (token: string) => timedRequest('GET', token ? `${list}?pageToken=${encodeURIComponent(token)}` : list, auth);

  // Walk every page once, keeping each page's token (the first page has none).
  const tokens = [''];
  let listed = 0;
  for (;;) {
    const body = JSON.parse(check(await page(tokens[tokens.length - 1]), 'list').body) as { accessKeys: unknown[]; nextPageToken: string };
    listed += body.accessKeys.length;
    if (!body.nextPageToken) break;
    tokens.push(body.nextPageToken);
  }
  const positions: Array<[string, number]> = [
    ['first', 0],
    ['middle', Math.floor(tokens.length / 2)],
    ['last', tokens.length - 1],
  ];
  const pages: PageFigure[] = [];
  for (const [name, index] of positions) {
    const r = await sequentialLatency(samplesPerPage, () => page(tokens[index]));
    pages.push({ page: `${name} (page ${index + 1} of ${tokens.length})`, ...r });
  }
  return { listed, pageCount: tokens.length, pages };
}

/** `changes` creates, then deletes of those created, at each number in flight. Failures are counted, not thrown: they are a finding. */
export async function measureChanges(o: ManagementOptions, concurrencies: number[], changes: number): Promise<RateFigure[]> {
  const { auth, list } = endpoints(o);
  const rates: RateFigure[] = [];
  const json = { ...auth, 'content-type': 'application/json' };
  for (const concurrency of concurrencies) {
    const ids: string[] = [];
    const tag = randomBytes(4).toString('hex');
    const created = await timedPool(changes, concurrency, async (i) => {
      const r = await timedRequest('POST', list, json, JSON.stringify({ displayName: `bench ${tag} ${i}` }));
      if (r.status === 200) ids.push((JSON.parse(r.body) as { accessKey: { accessKeyId: string } }).accessKey.accessKeyId);
      return r;
    });
    const deleted = await timedPool(ids.length, concurrency, (i) => timedRequest('DELETE', `${list}/${ids[i]}`, auth));
    for (const [operation, r] of [['create', created], ['delete', deleted]] as const) {
      const ok = r.count - r.failures.length;
      rates.push({ operation, concurrency, perSecond: ok / r.seconds, p50: r.p50, p99: r.p99, failed: r.failures.length, firstFailure: r.failures[0] });
    }
  }
  return rates;
}
