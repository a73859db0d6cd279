// Turns the measured figures into the one table the benchmark prints, and into
// docs/PERFORMANCE.md (machine, settings, table, the individual runs, how to read it).
// Verdicts compare with the targets of issue 5 as measured; nothing is adjusted here.
import type { LoadResult } from './load.js';
import type { PageFigure, RateFigure } from './management.js';
import { pinningNote } from './cpu-pinning.js';

export interface Figures {
  date: Date;
  machine: { cpu: string; cpus: number; memoryGB: number; node: string; postgres: string; os: string; loadAverage: { start: number; end: number } };
  settings: {
    connections: number;
    warmupSeconds: number;
    durationSeconds: number;
    keys: number;
    coldKeys: number;
    coldConcurrency: number;
    samplesPerPage: number;
    changes: number;
    verifySeconds: number;
    bcryptCost: number;
    signingAlg: string;
  };
  warm: { baseline: LoadResult[]; keymint: LoadResult[]; otherCpuShare: number };
  queries: { statements: number; requests: number; cacheLookups: Map<string, number> };
  cold: { perSecond: number; p50: number; p99: number };
  management: { pageCount: number; pages: PageFigure[]; rates: RateFigure[] };
  verify: { perSecond: number };
  rssBytes: { before: number; after: number };
}

/** The median; of two runs, their mean. */
export function middle(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// NaN (no response completed, nothing to divide by) prints as n/a rather than a number.
const na = (v: number, text: () => string) => (Number.isFinite(v) ? text() : 'n/a');
const n0 = (v: number) => na(v, () => Math.round(v).toLocaleString('en-US'));
const ms = (v: number) => na(v, () => `${v.toFixed(2)} ms`);
const x2 = (v: number) => na(v, () => v.toFixed(2));
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

type Row = [what: string, baseline: string, keymint: string, target: string, result: string];

function rows(f: Figures): Row[] {
  const b = { rps: middle(f.warm.baseline.map((r) => r.requestsPerSecond)), p50: middle(f.warm.baseline.map((r) => r.p50)), p99: middle(f.warm.baseline.map((r) => r.p99)) };
  const k = { rps: middle(f.warm.keymint.map((r) => r.requestsPerSecond)), p50: middle(f.warm.keymint.map((r) => r.p50)), p99: middle(f.warm.keymint.map((r) => r.p99)) };
  const bad = (runs: LoadResult[]) => runs.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
  const ratio = k.rps / b.rps;
  const perRequest = f.queries.statements / f.queries.requests;
  const out: Row[] = [
    ['Warm /oauth2/token, requests/s', n0(b.rps), n0(k.rps), '', ''],
    ['Warm throughput, Keymint / baseline', '1.00×', `${x2(ratio)}×`, '≥ 0.9×', verdict(ratio >= 0.9)],
    ['Warm latency p50', ms(b.p50), ms(k.p50), '', ''],
    ['Warm latency p99', ms(b.p99), ms(k.p99), '', ''],
    ['Warm p99 / p50', x2(b.p99 / b.p50), x2(k.p99 / k.p50), '< 4', verdict(k.p99 < 4 * k.p50)],
    ['Warm non-2xx responses and errors', String(bad(f.warm.baseline)), String(bad(f.warm.keymint)), '0', verdict(bad(f.warm.baseline) + bad(f.warm.keymint) === 0)],
    [
      'DB queries per warm token request',
      '—',
      `${na(perRequest, () => perRequest.toFixed(3))} (${n0(f.queries.statements)} statements / ${n0(f.queries.requests)} requests)`,
      '0',
      verdict(perRequest < 0.001),
    ],
  ];
  const lookups = [...f.queries.cacheLookups].filter(([, v]) => v > 0);
  out.push([
    'Cache lookups during warm runs',
    '—',
    lookups.length ? lookups.map(([key, v]) => `${key}: ${n0(v)}`).join('; ') : 'none recorded',
    '',
    '',
  ]);
  out.push(
    [`Cold path: first token of ${n0(f.settings.coldKeys)} keys, requests/s`, '—', x2(f.cold.perSecond), '', ''],
    ['Cold path latency p50 / p99', '—', `${ms(f.cold.p50)} / ${ms(f.cold.p99)}`, '', ''],
  );
  for (const p of f.management.pages) {
    out.push([`List ${p.page}, median / p99`, '—', `${ms(p.median)} / ${ms(p.p99)}`, '< 5 ms median', verdict(p.median < 5)]);
  }
  for (const r of f.management.rates) {
    out.push([`${r.operation === 'create' ? 'Create' : 'Delete'} keys, ${r.concurrency} in flight, per second`, '—', `${x2(r.perSecond)} (p50 ${ms(r.p50)}, p99 ${ms(r.p99)})`, '', '']);
  }
  out.push(
    ['keymint/verify, verifications/s (one process)', '—', n0(f.verify.perSecond), '', ''],
    [`Server RSS with ${n0(f.settings.keys)} keys, before load`, '—', mb(f.rssBytes.before), '', ''],
    [`Server RSS with ${n0(f.settings.keys)} keys, after load`, '—', mb(f.rssBytes.after), '< 200 MB', verdict(f.rssBytes.after < 200e6)],
  );
  return out;
}

function table(header: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

export const figuresTable = (f: Figures) => table(['Figure', 'Baseline', 'Keymint', 'Target', 'Result'], rows(f));

function runsTable(f: Figures): string {
  const body: string[][] = [];
  f.warm.baseline.forEach((b, i) => {
    for (const [name, r] of [['baseline', b], ['Keymint', f.warm.keymint[i]]] as const) {
      body.push([String(i + 1), name, n0(r.requests), `${r.seconds.toFixed(2)} s`, n0(r.requestsPerSecond), ms(r.p50), ms(r.p99), String(r.non2xx + r.errors)]);
    }
  });
  return table(['Round', 'Server', '2xx responses', 'Duration', 'Requests/s', 'p50', 'p99', 'Non-2xx + errors'], body);
}

export function performanceDoc(f: Figures): string {
  const s = f.settings;
  return `# Performance

What Keymint costs on one machine, measured against the targets of issue 5. This file is
written by \`bench/run.ts\`; do not edit it by hand: rerun the benchmark instead.

Reproduce with \`npm run bench\` (a quick, smaller run: \`BENCH_DURATION=3 BENCH_KEYS=10000 BENCH_COLD_KEYS=200 npm run bench\`).
It needs a Postgres at \`BENCH_DATABASE_URL\` (default \`postgres://postgres@127.0.0.1:5432/test\`), where it
creates a database of its own and drops it at the end.

Measured on ${f.date.toISOString()}.

## Machine

- CPU: ${f.machine.cpu}, ${f.machine.cpus} logical cores (load generator, Keymint, the baseline and Postgres share them)
- Memory: ${f.machine.memoryGB.toFixed(1)} GB
- OS: ${f.machine.os}
- Node.js: ${f.machine.node}
- Postgres: ${f.machine.postgres}
- 1-minute load average at the start and the end of the run: ${f.machine.loadAverage.start.toFixed(2)}, ${f.machine.loadAverage.end.toFixed(2)} (anything else running on the machine shares the cores with the benchmark)

## Settings

- Warm token runs: autocannon, keep-alive, ${s.connections} connections, ${s.warmupSeconds} s warm-up per server, then ${s.durationSeconds} s per run, interleaved baseline, Keymint, baseline, Keymint; figures are the median (mean of the two) per server. Before each run the benchmark waits until both server processes are idle (requests left in flight by the previous run finished); ${pinningNote()}
- Both servers: NODE_ENV=production, SIGNING_ALG ${s.signingAlg}, one child process each on 127.0.0.1; Keymint with BCRYPT_COST ${s.bcryptCost}, LOG_LEVEL warn
- Cold path: ${n0(s.coldKeys)} keys created through the service (generated secrets, bcrypt cost ${s.bcryptCost}), one token request each, ${s.coldConcurrency} in flight
- Management API: ${n0(s.keys)} keys in one project (bulk rows by SQL, then ANALYZE as autovacuum would), default page size 100, ${s.samplesPerPage} sequential requests per page position, Bearer token; ${s.changes} creates and deletes at each concurrency
- Verification: one token, sequential \`verify()\` calls for ${s.verifySeconds} s after a warm-up, in the benchmark process

## Figures

${figuresTable(f)}

### Individual warm runs

${runsTable(f)}

During these runs, processes other than the load generator and the two servers (Postgres
and anything else on the machine) used ${(f.warm.otherCpuShare * 100).toFixed(1)}% of the machine's CPU time.

## How to read this

- **Baseline** is a bare oidc-provider (the same version Keymint embeds) in its own process: one static client held in memory with a plaintext secret, the same ${s.signingAlg} JWT access tokens, no database, no bcrypt, no express. It is the cost of parsing a token request and signing a JWT. **Keymint** is the real server (\`node dist/src/main.js\`) on Postgres with production settings. Both run in the same benchmark, on the same core, alternately, so that the ratio compares like with like.
- *Warm throughput, Keymint / baseline* answers the target "warm token throughput at least 0.9× the bare oidc-provider baseline of the same run". Warm means the same key asks again and again.
- *DB queries per warm token request* answers "zero database queries per warm request". It is counted by the server: the increase of \`keymint_db_queries_total\` (every statement the pool sends, background ones included) over the measured Keymint runs, divided by the token requests sent to Keymint in them (autocannon's count of requests written, so that requests still in flight when a run stops, which the server also served, are in both numbers). The count includes background statements that no request waits for and that do not grow with the number of requests (the periodic signing-key refresh, batched bookkeeping writes). The target is judged met below one statement per thousand requests, which a query made by requests could not stay under; the raw counts are printed beside it. *Cache lookups* is the increase of \`keymint_cache_lookups_total\` by label over the same runs.
- *Warm p99 / p50* answers "p99 under 4× p50" (Keymint's column is the one judged). Latencies are measured per response by the load generator, with ${s.connections} requests in flight; requests/s counts the 2xx responses completed within the run's duration.
- *Cold path* is the bcrypt-bound case: each of the keys asks for its first token once. It has no target; it shows what a burst of new keys costs.
- *List … median* answers "any page of a 100,000-key list in under 5 ms at the median", for the first, a middle and the last page. *Create / delete per second* have no target; a create hashes a new secret with bcrypt.
- *keymint/verify* is what a resource API pays per request to check a token in-process, once the key set is cached.
- *Server RSS after load* answers "server RSS under 200 MB after the load with 100,000 keys" (VmRSS of the server process; 1 MB = 10^6 bytes).
- A target marked **missed** is reported as measured. The figures depend on the machine: the load generator shares the CPU with the servers, so absolute numbers are lower than on a dedicated host; the ratio and the counts are the portable part.

## What the warm path costs, and what was cut

A warm request costs Keymint what it costs the baseline plus: one LRU lookup for the key,
one SHA-256 to recognise the secret (src/auth/verified-secrets.ts), the failure-budget
check, a latency histogram, a lastUseTime note in memory, and the security headers. Found
with CPU profiles of both servers under the same load (\`node --cpu-prof\`, server pinned):
- express in front of the token endpoint cost about as much as signing: POST /oauth2/token
  goes straight to oidc-provider (src/oauth/token-fast-path.ts), warm clients are reused
  rather than rebuilt (src/oauth/warm-clients.ts), warm checks are synchronous.
- \`project_id\` added with oidc-provider's \`extraTokenClaims\` cost about 9% of throughput
  (it also reshapes the token model); the same claim from the JWT customizer
  (\`formats.customizers.jwt\`) costs almost nothing.
- helmet's full set is 12 headers on every response; the 6 of them that act only on HTML
  documents cost token responses about 5%. JSON responses carry the OWASP REST set (CSP,
  X-Frame-Options, nosniff, HSTS, no-referrer, CORP); the console's pages keep the full set
  (src/http/security-headers.ts).
- the fast path's per-request closures (a setHeader wrapper to drop CORS headers, a finish
  listener) cost about 3%: the headers are now added and CORS dropped once, at writeHead, by
  the server's ServerResponse class (\`src/oauth/token-response.ts\`), with one shared listener.
`;
}
