// Enumeration and timing: every case of timing-cases.ts, `tries` times at each endpoint,
// all interleaved in one random order and sent one at a time on a keep-alive connection
// (so that drift and noise fall on every case alike, and no try waits behind another).
// A few untimed tries of each go first. Statuses and bodies must be identical across the
// cases of an endpoint; the time is reported, not judged.
import { timedRequest, tokenRequest, type Timed } from '../load.js';
import type { Case, Cases } from './timing-cases.js';
import { halvesSpread, shuffle, summarize, type Summary } from './stats.js';

export interface CaseFigure {
  name: string;
  statuses: number[];
  summary: Summary;
  /** Difference of medians from the reference case, ms. */
  diff: number;
  /** Difference of the medians of this case's two halves, ms. */
  spread: number;
}

export interface EndpointFigure {
  endpoint: string;
  /** Distinct "status body" answers over every try of every case. */
  answers: Array<{ status: number; body: string; cases: string[] }>;
  identical: boolean;
  /** Response headers (but Date and X-Request-Id) the same for every case, from one extra try each. */
  headersIdentical: boolean;
  cases: CaseFigure[];
}

export interface TimingFigures {
  tries: number;
  warmup: number;
  reference: string;
  endpoints: EndpointFigure[];
}

interface Endpoint {
  name: string;
  send(authorization: string): Promise<Timed>;
  path: string;
  method: string;
}

async function headerShape(url: string, e: Endpoint, authorization: string): Promise<string> {
  const init: RequestInit = { method: e.method, headers: { authorization } };
  if (e.method === 'POST') Object.assign(init, { headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
  const res = await fetch(`${url}${e.path}`, init);
  await res.arrayBuffer();
  // Date and the request's own ID (random, new for every request) differ by nature.
  return JSON.stringify([...res.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id'));
}

export async function measureEnumeration(
  url: string,
  setup: Cases,
  o: { tries: number; warmup: number; progress(message: string): void },
): Promise<TimingFigures> {
  const list = `/v1/projects/${setup.projectId}/accessKeys`;
  const endpoints: Endpoint[] = [
    { name: 'POST /oauth2/token (Basic)', method: 'POST', path: '/oauth2/token', send: (a) => tokenRequest(url, a) },
    { name: 'GET /v1/projects/{projectId}/accessKeys (Basic)', method: 'GET', path: list, send: (a) => timedRequest('GET', `${url}${list}`, { authorization: a }) },
  ];
  type Task = { e: number; c: number };
  const tasks = (n: number) => shuffle(endpoints.flatMap((_, e) => setup.cases.flatMap((_, c) => Array.from({ length: n }, (): Task => ({ e, c })))));

  for (const t of tasks(o.warmup)) await endpoints[t.e].send(setup.cases[t.c].next());

  const results = endpoints.map(() => setup.cases.map((): Timed[] => []));
  const timed = tasks(o.tries);
  for (const [i, t] of timed.entries()) {
    results[t.e][t.c].push(await endpoints[t.e].send(setup.cases[t.c].next()));
    if ((i + 1) % Math.ceil(timed.length / 10) === 0) o.progress(`  ${i + 1} of ${timed.length} tries`);
  }

  const ref = setup.cases.findIndex((c) => c.name === setup.reference);
  const figures: EndpointFigure[] = [];
  for (const [e, endpoint] of endpoints.entries()) {
    const answers = new Map<string, { status: number; body: string; cases: Set<string> }>();
    setup.cases.forEach((c: Case, ci) => {
      for (const r of results[e][ci]) {
        const key = `${r.status} ${r.body}`;
        const a = answers.get(key) ?? { status: r.status, body: r.body, cases: new Set<string>() };
        a.cases.add(c.name);
        answers.set(key, a);
      }
    });
    const shapes = new Set<string>();
    for (const c of setup.cases) shapes.add(await headerShape(url, endpoint, c.next()));
    const refMedian = summarize(results[e][ref].map((r) => r.ms)).median;
    figures.push({
      endpoint: endpoint.name,
      answers: [...answers.values()].map((a) => ({ status: a.status, body: a.body, cases: [...a.cases] })),
      identical: answers.size === 1,
      headersIdentical: shapes.size === 1,
      cases: setup.cases.map((c, ci) => {
        const ms = results[e][ci].map((r) => r.ms);
        const summary = summarize(ms);
        return { name: c.name, statuses: [...new Set(results[e][ci].map((r) => r.status))], summary, diff: summary.median - refMedian, spread: halvesSpread(ms) };
      }),
    });
  }
  return { tries: o.tries, warmup: o.warmup, reference: setup.reference, endpoints: figures };
}

/** Why the figures fail the run (statuses, bodies or headers that tell the cases apart). */
export function timingFailures(f: TimingFigures): string[] {
  return f.endpoints.flatMap((e) => [
    ...(e.identical ? [] : [`${e.endpoint}: ${e.answers.length} different answers (status and body) across the cases`]),
    ...(e.headersIdentical ? [] : [`${e.endpoint}: response headers differ between the cases`]),
  ]);
}
