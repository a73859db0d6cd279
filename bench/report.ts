// The figures one run measured, the targets of issue 12 judged on them (as measured,
// nothing adjusted), and the tables the benchmark prints and puts in docs/PERFORMANCE.md.
import type { FleetFigure } from './fleet.js';
import type { HostileFigures } from './hostile.js';
import type { LoadResult } from './load.js';
import type { PageFigure, RateFigure } from './management.js';
import type { Plan } from './plan.js';
import type { SecretScheme } from './secret-digest.js';
import type { VerifyFigures } from './verify-rate.js';
import { usageCost, type UsageRound, type UsageRounds } from './usage-rounds.js';

export interface ScalePoint {
  rows: number;
  rssAtStart: number;
  /** How long the restarted server took to load its resident keys (undefined: it keeps none). */
  residentLoadMs?: number;
  warm: LoadResult;
  fleet: FleetFigure;
  rssAfter: number;
  list?: { listed: number; pageCount: number; pages: PageFigure[] };
}

export interface Figures {
  date: Date;
  machine: { cpu: string; cpus: number; memoryGB: number; node: string; postgres: string; os: string; loadAverage: { start: number; end: number } };
  plan: Plan;
  scheme: SecretScheme;
  /** Rows in the table during the warm, fleet and hostile runs. */
  stageRows: number;
  warm: { runs: Record<string, LoadResult[]>; otherCpuShare: number; high: LoadResult };
  fleet: FleetFigure;
  fleetHigh: FleetFigure;
  /** The fleet again with keys changed after the server loaded its resident keys: each read once from the database. */
  fleetRead?: FleetFigure;
  /** Fleets on this server (usage on) and a second one with USAGE_COUNTING=off, alternately (issue 16's cost of usage counting). */
  usage: UsageRounds;
  hostile: HostileFigures;
  before?: { scheme: SecretScheme; fleet: FleetFigure; creates: RateFigure[] };
  creates: RateFigure[];
  verify: VerifyFigures;
  rssStage: number;
  scale: ScalePoint[];
}

/** The creates per second that issue 12 measured on the code before it ("today ~33/s"). */
export const CREATES_BEFORE_ISSUE = 33;

/** The median; of two runs, their mean. */
export function middle(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const na = (v: number, text: () => string) => (Number.isFinite(v) ? text() : 'n/a');
export const n0 = (v: number) => na(v, () => Math.round(v).toLocaleString('en-US'));
export const ms = (v: number) => na(v, () => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);
export const x2 = (v: number) => na(v, () => `${v.toFixed(2)}×`);
export const mb = (bytes: number) => na(bytes, () => `${(bytes / 1e6).toFixed(0)} MB`);
const pct = (v: number) => na(v, () => `${(v * 100).toFixed(1)}%`);
/** The warm runs' label of the second server, on the same database, with USAGE_COUNTING=off. */
export const USAGE_OFF = 'Keymint, usage off';
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

export const warmOf = (f: Figures, label: string) => {
  const runs = f.warm.runs[label] ?? [];
  return { rps: middle(runs.map((r) => r.requestsPerSecond)), p50: middle(runs.map((r) => r.p50)), p99: middle(runs.map((r) => r.p99)), runs };
};

const failedNote = (r: RateFigure | undefined) => (r?.failed ? `, ${r.failed} failed (e.g. ${r.firstFailure?.slice(0, 60)})` : '');
const createAt = (rates: RateFigure[], concurrency: number) => rates.find((r) => r.operation === 'create' && r.concurrency === concurrency);
export const largestScale = (f: Figures) => f.scale[f.scale.length - 1];

export interface Target {
  target: string;
  figure: string;
  met: boolean;
}

export function targets(f: Figures): Target[] {
  const warm = warmOf(f, 'Keymint');
  const base = warmOf(f, 'baseline');
  const big = largestScale(f);
  const [c] = f.plan.connections;
  const create = createAt(f.creates, c)?.perSecond ?? NaN;
  const h = f.hostile;
  const out: Target[] = [
    {
      target: `Fleet ≥ 0.8× warm, ${n0(f.fleet.keys)} keys (${c} in flight)`,
      figure: `${n0(f.fleet.requestsPerSecond)} / ${n0(warm.rps)} tokens/s = ${x2(f.fleet.requestsPerSecond / warm.rps)}`,
      met: f.fleet.requestsPerSecond >= 0.8 * warm.rps,
    },
  ];
  if (big) {
    out.push({
      target: `Fleet ≥ 0.8× warm, ${n0(big.rows)} keys in the table`,
      figure: `${n0(big.fleet.requestsPerSecond)} / ${n0(big.warm.requestsPerSecond)} tokens/s = ${x2(big.fleet.requestsPerSecond / big.warm.requestsPerSecond)}`,
      met: big.fleet.requestsPerSecond >= 0.8 * big.warm.requestsPerSecond,
    });
  }
  const fleets = [f.fleet, f.fleetHigh, ...f.scale.map((s) => s.fleet)];
  out.push(
    {
      target: 'Fleet p99 < 4× its p50 (every fleet run)',
      figure: fleets.map((r) => `${x2(r.p99 / r.p50)} (${n0(r.tableRows)} rows, ${r.connections} in flight)`).join('; '),
      met: fleets.every((r) => r.p99 < 4 * r.p50),
    },
    {
      target: 'Warm ≥ 1.0× bare oidc-provider',
      figure: `${n0(warm.rps)} / ${n0(base.rps)} tokens/s = ${x2(warm.rps / base.rps)}`,
      met: warm.rps >= base.rps,
    },
    {
      target: 'Hostile: fleet ≥ 0.5× quiet',
      figure: `${n0(h.fleet.requestsPerSecond)} / ${n0(f.fleet.requestsPerSecond)} tokens/s = ${x2(h.fleet.requestsPerSecond / f.fleet.requestsPerSecond)}`,
      met: h.fleet.requestsPerSecond >= 0.5 * f.fleet.requestsPerSecond,
    },
    {
      target: 'Hostile: no legitimate request over 1 s (and none refused)',
      figure: `slowest ${ms(h.fleet.max)}, p99 ${ms(h.fleet.p99)}; ${h.fleet.non2xx} non-2xx, ${h.fleet.errors} errors`,
      met: h.fleet.max <= 1000 && h.fleet.non2xx === 0 && h.fleet.errors === 0,
    },
    {
      target: `Key creation ≥ 20× today's (${CREATES_BEFORE_ISSUE}/s, so ≥ ${20 * CREATES_BEFORE_ISSUE}/s; ${c} in flight)`,
      figure: `${n0(create)} creates/s = ${x2(create / CREATES_BEFORE_ISSUE)}${failedNote(createAt(f.creates, c))}${f.before ? ` (the code before, this run: ${n0(createAt(f.before.creates, c)?.perSecond ?? NaN)}/s)` : ''}`,
      met: create >= 20 * CREATES_BEFORE_ISSUE && (createAt(f.creates, c)?.failed ?? 1) === 0,
    },
    {
      target: 'keymint/verify on a repeated token ≥ 20× jose jwtVerify',
      figure: `${n0(f.verify.keymintRepeated)} / ${n0(f.verify.joseRepeated)} verifications/s = ${x2(f.verify.keymintRepeated / f.verify.joseRepeated)}`,
      met: f.verify.keymintRepeated >= 20 * f.verify.joseRepeated,
    },
  );
  const off = warmOf(f, USAGE_OFF);
  const warmCost = 1 - warm.rps / off.rps;
  const fleet = usageCost(f.usage);
  const rounds = (side: UsageRound[]) => side.map((r) => `${n0(r.requestsPerSecond)} at ${r.cpuMsPerToken.toFixed(2)} ms`).join(', ');
  out.push({
    target: 'Usage counting and quotas on cost < 5% against off (issue 16), warm and fleet',
    figure:
      `warm ${n0(warm.rps)} / ${n0(off.rps)} tokens/s (cost ${pct(warmCost)}); ` +
      `fleet ${n0(fleet.onRps)} / ${n0(fleet.offRps)} tokens/s, medians of ${f.usage.on.length} alternating rounds each (cost ${pct(fleet.throughputCost)}; ` +
      `server CPU ${fleet.onCpu.toFixed(2)} / ${fleet.offCpu.toFixed(2)} ms per token; rounds on: ${rounds(f.usage.on)}; off: ${rounds(f.usage.off)})`,
    met: warmCost < 0.05 && fleet.throughputCost < 0.05,
  });
  if (big) out.push({ target: `RSS < 300 MB at ${n0(big.rows)} keys`, figure: `${mb(big.rssAfter)} after the fleet (${mb(big.rssAtStart)} at start)`, met: big.rssAfter < 300e6 });
  return out;
}

export function table(header: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

export const targetsTable = (f: Figures) =>
  table(['Target (issues 12 and 16)', 'Measured', 'Result'], targets(f).map((t) => [t.target, t.figure, verdict(t.met)]));

const loadRow = (shape: string, keys: string, rows: number, r: LoadResult & { connections?: number }, connections: number, extra = '') => [
  shape,
  keys,
  n0(rows),
  String(r.connections ?? connections),
  n0(r.requestsPerSecond),
  ms(r.p50),
  ms(r.p99),
  ms(r.max),
  extra,
];

/** Every token-endpoint run of the current code, one row each. */
export function shapesTable(f: Figures): string {
  const [c, cHigh] = f.plan.connections;
  const warm = warmOf(f, 'Keymint');
  const perToken = (r: FleetFigure) => `${r.cpuMsPerToken.toFixed(2)} ms CPU, ${na(r.statementsPerToken, () => r.statementsPerToken.toFixed(2))} statements per token; RSS ${mb(r.rssAfter)}`;
  const cpu = (r: LoadResult, note = '') => [r.cpuMsPerToken === undefined ? '' : `${r.cpuMsPerToken.toFixed(2)} ms CPU per token`, note].filter(Boolean).join('; ');
  const body = [
    loadRow('fleet', n0(f.fleet.keys), f.stageRows, f.fleet, c, perToken(f.fleet)),
    loadRow('fleet', n0(f.fleetHigh.keys), f.stageRows, f.fleetHigh, cHigh, perToken(f.fleetHigh)),
    ...(f.fleetRead ? [loadRow('fleet, keys not resident (read once each)', n0(f.fleetRead.keys), f.stageRows, f.fleetRead, c, perToken(f.fleetRead))] : []),
    ...warm.runs.map((r, i) => loadRow('warm', 'one', f.stageRows, r, c, cpu(r, `round ${i + 1}`))),
    loadRow('warm', 'one', f.stageRows, f.warm.high, cHigh, cpu(f.warm.high)),
    ...(f.warm.runs[USAGE_OFF] ?? []).map((r, i) => loadRow('warm, usage counting off', 'one', f.stageRows, r, c, cpu(r, `round ${i + 1}`))),
    ...(['on', 'off'] as const).flatMap((side) =>
      f.usage[side].map((r, i) => loadRow(`fleet, usage counting ${side}`, n0(r.keys), f.stageRows, r, c, `${perToken(r)}; round ${i + 1}`)),
    ),
    ...(f.warm.runs.baseline ?? []).map((r, i) => loadRow('bare oidc-provider (warm)', 'one (in memory)', 0, r, c, cpu(r, `round ${i + 1}`))),
    ...(f.warm.runs['Keymint before'] ?? []).map((r, i) => loadRow('the code before: warm', 'one', f.plan.beforeFleetKeys + 1, r, c, cpu(r, `round ${i + 1}`))),
    ...(f.before ? [loadRow('the code before: fleet', n0(f.before.fleet.keys), f.before.fleet.tableRows, f.before.fleet, c, perToken(f.before.fleet))] : []),
    loadRow('hostile (fleet under flood)', n0(f.hostile.fleet.requests), f.stageRows, f.hostile.fleet, c, `${f.hostile.fleet.non2xx} non-2xx`),
    ...f.scale.flatMap((s) => [
      loadRow('scale: warm', 'one', s.rows, s.warm, c, cpu(s.warm)),
      loadRow('scale: fleet', n0(s.fleet.keys), s.rows, s.fleet, c, perToken(s.fleet)),
    ]),
  ];
  return table(['Shape', 'Keys asking', 'Keys in table', 'In flight', 'Tokens/s', 'p50', 'p99', 'Slowest', 'Notes'], body);
}

export function floodTable(f: Figures): string {
  const h = f.hostile;
  const statuses = Object.entries(h.flood.byStatus).map(([s, n]) => `${s}: ${n0(n)}`).join(', ');
  return table(
    ['Flood figure', 'Value'],
    [
      ['Requests in flight, source addresses used', `${f.plan.flood.connections}, ${n0(h.flood.addressesUsed)} (127.0.x.y; ${f.plan.flood.requestsPerConnection} requests per connection, then the next address)`],
      ['Flood requests answered per second', n0(h.floodPerSecond)],
      ['Answers', `${statuses}${h.flood.errors ? `; ${h.flood.errors} socket errors` : ''}`],
      ['Flood answer latency p50 / p99', `${ms(h.flood.p50)} / ${ms(h.flood.p99)}`],
      ['Server CPU per flood request (beyond the fleet’s own)', `${na(h.floodCpuMicros, () => h.floodCpuMicros.toFixed(0))} µs`],
      ['Database statements per flood request', na(h.floodStatementsPerRequest, () => h.floodStatementsPerRequest.toFixed(3))],
    ],
  );
}

export function otherTable(f: Figures): string {
  const body: string[][] = [];
  for (const r of f.creates) {
    body.push([`${r.operation === 'create' ? 'Create' : 'Delete'} keys, ${r.concurrency} in flight`, `${n0(r.perSecond)}/s (p50 ${ms(r.p50)}, p99 ${ms(r.p99)})${failedNote(r)}`]);
  }
  const v = f.verify;
  body.push(
    ['keymint/verify, one token again and again', `${n0(v.keymintRepeated)}/s`],
    ['jose jwtVerify, the same token again and again', `${n0(v.joseRepeated)}/s`],
    [`keymint/verify, fresh tokens (${n0(v.freshTokens / 2)} tokens, each once)`, `${n0(v.keymintFresh)}/s`],
    [`jose jwtVerify, fresh tokens (${n0(v.freshTokens / 2)} tokens, each once)`, `${n0(v.joseFresh)}/s`],
    [`Server RSS after the warm, fleet and hostile runs (${n0(f.stageRows)} keys)`, mb(f.rssStage)],
  );
  for (const s of f.scale) {
    body.push([`Server RSS with ${n0(s.rows)} keys: at start / after the fleet`, `${mb(s.rssAtStart)} / ${mb(s.rssAfter)}`]);
    if (s.residentLoadMs !== undefined) body.push([`Resident keys loaded after a restart with ${n0(s.rows)} keys (before that, cold keys are read)`, `${(s.residentLoadMs / 1000).toFixed(1)} s`]);
    for (const p of s.list?.pages ?? []) body.push([`List ${p.page} with ${n0(s.rows)} keys, median / p99`, `${ms(p.median)} / ${ms(p.p99)}`]);
  }
  return table(['Figure', 'Value'], body);
}

/** Issue 17's before/after: warm and fleet of the code before and of this code, same run. */
export function beforeAfterTable(f: Figures): string | undefined {
  if (!f.before) return undefined;
  const [c] = f.plan.connections;
  const now = warmOf(f, 'Keymint');
  const then = warmOf(f, 'Keymint before');
  const spread = (runs: LoadResult[]) => {
    const v = runs.map((r) => r.requestsPerSecond);
    return v.length > 1 ? (Math.max(...v) - Math.min(...v)) / middle(v) : NaN;
  };
  return table(
    ['Shape', 'Before', 'After', 'After / before', 'Run-to-run spread (before, after)'],
    [
      ['Warm, one key, tokens/s (p99)', `${n0(then.rps)} (${ms(then.p99)})`, `${n0(now.rps)} (${ms(now.p99)})`, x2(now.rps / then.rps), `${pct(spread(then.runs))}, ${pct(spread(now.runs))}`],
      [
        `Fleet, each key once, ${c} in flight, tokens/s (p99)`,
        `${f.before.fleet.requestsPerSecond.toFixed(1)} (${ms(f.before.fleet.p99)}; ${n0(f.before.fleet.keys)} keys)`,
        `${n0(f.fleet.requestsPerSecond)} (${ms(f.fleet.p99)}; ${n0(f.fleet.keys)} keys)`,
        x2(f.fleet.requestsPerSecond / f.before.fleet.requestsPerSecond),
        '',
      ],
    ],
  );
}

/** What the benchmark prints: the targets, then every run. */
export const figuresTable = (f: Figures) =>
  [targetsTable(f), shapesTable(f), floodTable(f), beforeAfterTable(f), otherTable(f)].filter(Boolean).join('\n\n');
