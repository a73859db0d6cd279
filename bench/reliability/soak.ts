// The soak: autocannon keeps `connections` keep-alive clients busy against one Keymint for
// `seconds`; before each request a client draws its kind: 70% a token request with good
// credentials (Basic, one of several keys), 15% a token request with bad credentials (half
// unknown Key IDs, half wrong secrets for existing keys, each from its own X-Forwarded-For
// address), 15% a management-API write with a Bearer token (a create with a unique name,
// or the delete of a key created earlier in the run). Latency runs from writing the request
// to the end of its response. Server RSS is read every 5 s.
import { randomInt, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { generateSecret } from '../../src/kernel/secrets.js';
import { basic, percentile, TOKEN_BODY } from '../load.js';
import type { WriteLedger } from './soak-ledger.js';

export const KINDS = ['good token', 'bad token', 'create', 'delete'] as const;
export type Kind = (typeof KINDS)[number];

export interface SoakOptions {
  url: string;
  seconds: number;
  connections: number;
  timeoutSeconds: number;
  projectId: string;
  bearer: string;
  /** Authorization headers of the good keys. */
  good: string[];
  /** Existing Key IDs whose secret the bad clients guess. */
  guessed: string[];
  ledger: WriteLedger;
  rssBytes(): Promise<number>;
  progress(message: string): void;
}

export interface KindFigure {
  kind: Kind;
  /** Requests of this kind written to the server, answered or not. */
  sent: number;
  answered: number;
  statuses: Map<number, number>;
  p50: number;
  p99: number;
}

export interface SoakRun {
  seconds: number;
  sent: number;
  answered: number;
  errors: number;
  timeouts: number;
  kinds: KindFigure[];
  rss: Array<{ second: number; bytes: number }>;
}

interface Context {
  kind?: Kind;
  t0?: number;
  id?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const pick = <T>(items: T[]) => items[randomInt(items.length)];
const address = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

export async function runSoak(o: SoakOptions): Promise<SoakRun> {
  const list = `/v1/projects/${o.projectId}/accessKeys`;
  const bearer = `Bearer ${o.bearer}`;
  const latencies = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
  const statuses = new Map<Kind, Map<number, number>>(KINDS.map((k) => [k, new Map()]));
  const sent = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
  const draw = (ctx: Context, kind: Kind) => {
    ctx.kind = kind;
    sent.set(kind, sent.get(kind)! + 1);
  };

  const setupRequest = (req: autocannon.Request, context: object): autocannon.Request => {
    const ctx = context as Context;
    const r = Math.random();
    ctx.t0 = performance.now();
    if (r < 0.7) {
      draw(ctx, 'good token');
      return { ...req, method: 'POST', path: '/oauth2/token', headers: { authorization: pick(o.good), 'content-type': FORM }, body: TOKEN_BODY };
    }
    if (r < 0.85) {
      draw(ctx, 'bad token');
      const id = Math.random() < 0.5 ? randomUUID() : pick(o.guessed);
      const headers = { authorization: basic(id, generateSecret()), 'content-type': FORM, 'x-forwarded-for': address() };
      return { ...req, method: 'POST', path: '/oauth2/token', headers, body: TOKEN_BODY };
    }
    const id = Math.random() < 0.5 ? o.ledger.takeDeletable() : undefined;
    if (id) {
      draw(ctx, 'delete');
      ctx.id = id;
      return { ...req, method: 'DELETE', path: `${list}/${id}`, headers: { authorization: bearer }, body: '' };
    }
    draw(ctx, 'create');
    const body = JSON.stringify({ displayName: o.ledger.nextName() });
    return { ...req, method: 'POST', path: list, headers: { authorization: bearer, 'content-type': 'application/json' }, body };
  };

  const onResponse = (status: number, body: string, context: object) => {
    const ctx = context as Context;
    if (!ctx.kind || ctx.t0 === undefined) return;
    latencies.get(ctx.kind)!.push(performance.now() - ctx.t0);
    const counts = statuses.get(ctx.kind)!;
    counts.set(status, (counts.get(status) ?? 0) + 1);
    if (ctx.kind === 'create') o.ledger.createAnswered(status, body);
    if (ctx.kind === 'delete') o.ledger.deleteAnswered(ctx.id!, status);
  };

  const started = performance.now();
  const rss = [{ second: 0, bytes: await o.rssBytes() }];
  const sampler = setInterval(() => {
    const second = Math.round((performance.now() - started) / 1000);
    o.rssBytes().then(
      (bytes) => {
        rss.push({ second, bytes });
        const answered = [...latencies.values()].reduce((sum, l) => sum + l.length, 0);
        o.progress(`  ${second} s: ${answered} answered, server RSS ${(bytes / 1e6).toFixed(1)} MB`);
      },
      () => {},
    );
  }, 5_000);

  let result: autocannon.Result;
  try {
    result = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: o.url,
          connections: o.connections,
          pipelining: 1,
          duration: o.seconds,
          timeout: o.timeoutSeconds,
          requests: [{ setupRequest, onResponse }],
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
    });
  } finally {
    clearInterval(sampler);
  }
  const end = { second: Math.round((performance.now() - started) / 1000), bytes: await o.rssBytes() };
  if (rss[rss.length - 1].second === end.second) rss.pop();
  rss.push(end);

  const kinds = KINDS.map((kind): KindFigure => {
    const ms = latencies.get(kind)!;
    return { kind, sent: sent.get(kind)!, answered: ms.length, statuses: statuses.get(kind)!, p50: percentile(ms, 50), p99: percentile(ms, 99) };
  });
  return {
    seconds: result.duration,
    sent: result.requests.sent,
    answered: kinds.reduce((sum, k) => sum + k.answered, 0),
    errors: result.errors,
    timeouts: result.timeouts,
    kinds,
    rss,
  };
}
