// The measured parts of docs/RELIABILITY.md: the enumeration and timing tables, the soak,
// the security-header sweep and the dependency audit, each as markdown from the figures.
// Nothing is judged here that run.ts does not also judge; timing is reported only.
import type { AuditFigure } from './audit.js';
import { HELMET, type RouteFigure } from './headers.js';
import type { SoakRun } from './soak.js';
import type { WriteCheck } from './soak-ledger.js';
import type { TimingFigures } from './timing.js';

export interface SoakFigures {
  settings: { seconds: number; connections: number; timeoutSeconds: number; goodKeys: number; guessedKeys: number; server: Record<string, string> };
  run: SoakRun;
  writes: WriteCheck;
}

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const yes = (ok: boolean) => (ok ? 'yes' : '**no**');
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function timingFigures(f: TimingFigures, server: Record<string, string>): string {
  const out = [
    `Measured by \`bench/reliability/timing.ts\` against one Keymint child process (${Object.entries(server).map(([k, v]) => `${k}=${v}`).join(', ')}),`,
    `the rate limits set out of reach so that every try is answered by the authentication path. ${f.tries} tries of each case at each`,
    `endpoint (after ${f.warmup} untimed ones), all interleaved in one random order and sent one at a time on a keep-alive`,
    'connection from the same machine. Each cold-key try names a key no request has named before; the deleted keys got tokens before',
    'they were deleted through the API and are presented with their old secret. Latency runs from sending the request to its last byte.',
    `"Median − reference" compares with the case "${f.reference}"; "halves" is the difference between the medians of the first and`,
    'the second half of the same case, a rough measure of what chance and drift alone produce.',
    '',
  ];
  for (const e of f.endpoints) {
    out.push(`### ${e.endpoint}`, '');
    out.push('| Case | Tries | Status | Median | p90 | p99 | Median − reference | Halves |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const c of e.cases) {
      const s = c.summary;
      out.push(`| ${c.name} | ${s.count} | ${c.statuses.join(', ')} | ${ms(s.median)} | ${ms(s.p90)} | ${ms(s.p99)} | ${c.name === f.reference ? '—' : signed(c.diff)} | ${ms(c.spread)} |`);
    }
    const noise = Math.max(...e.cases.map((c) => c.spread));
    const largest = e.cases.reduce((a, c) => (Math.abs(c.diff) > Math.abs(a.diff) ? c : a));
    const reference = e.cases.find((c) => c.name === f.reference)!.summary.median;
    out.push('');
    out.push(`- Status and body identical across the cases: ${yes(e.identical)}${e.identical ? `: ${e.answers[0].status} ${code(e.answers[0].body)}` : ''}`);
    if (!e.identical) for (const a of e.answers) out.push(`  - ${a.status} ${code(a.body.slice(0, 300))} from: ${a.cases.join(', ')}`);
    out.push(`- Response headers (but \`Date\` and the random \`X-Request-Id\`) identical across the cases: ${yes(e.headersIdentical)}`);
    out.push(
      `- Largest difference of medians: ${signed(largest.diff)} (${largest.name}), ${((Math.abs(largest.diff) / reference) * 100).toFixed(1)}% of the reference median; largest halves spread: ${ms(noise)}.`,
      '',
    );
  }
  return out.join('\n');
}

/**
 * RSS grows at first while V8 sizes its heap for the load, then levels off unless something
 * leaks. Flat: the highest sample of the last third of the run is within 5% of the highest
 * of the middle third (highest, because a garbage collection may drop any one sample).
 */
export function memoryFlat(rss: SoakRun['rss']): { middle: number; last: number; flat: boolean } {
  const end = rss[rss.length - 1].second;
  const highest = (from: number, to: number) => Math.max(...rss.filter((s) => s.second >= from && s.second <= to).map((s) => s.bytes));
  const middle = highest(end / 3, (2 * end) / 3);
  const last = highest((2 * end) / 3, end);
  return { middle, last, flat: last <= middle * 1.05 };
}

export const fiveXx = (run: SoakRun) => run.kinds.reduce((sum, k) => sum + [...k.statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0), 0);

export function soakFigures(f: SoakFigures): string {
  const { run, writes, settings: s } = f;
  const mem = memoryFlat(run.rss);
  const bytes = run.rss.map((r) => r.bytes);
  const out = [
    `Measured by \`bench/reliability/soak.ts\`: ${n0(s.connections)} concurrent keep-alive clients (autocannon) for ${s.seconds} s against one`,
    `Keymint child process on Postgres (${Object.entries(s.server).map(([k, v]) => `${k}=${v}`).join(', ')}; budgets at their defaults,`,
    `30 failures per address, 480 per /24 and 10 per key per minute). Before each request a client draws its kind: 70% a token request with the`,
    `good credentials of one of ${s.goodKeys} keys (Basic; warm after the first); 15% a token request with bad credentials, half an`,
    `unknown Key ID, half a wrong secret for one of ${n0(s.guessedKeys)} existing keys, each from its own address in 10.0.0.0/8 through`,
    '`X-Forwarded-For` (which `TRUST_PROXY=1` makes the client address: the soak plays the one proxy), so that the limiter sees many guessers below budget and every',
    'bad request is judged (a digest comparison) rather than refused by a budget; 15% a management-API write with a Bearer token: a create',
    'with a unique name, or (half the time, once there is one) the delete of a key created earlier in the run. A request unanswered after',
    `${s.timeoutSeconds} s counts as an error. Latency runs from writing the request to the end of its response.`,
    '',
    '| Kind | Sent | Answered | Share of answered | Statuses | p50 | p99 | Answered per second |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const k of run.kinds) {
    const statuses = [...k.statuses].sort(([a], [b]) => a - b).map(([st, n]) => `${st}: ${n0(n)}`).join(', ');
    out.push(`| ${k.kind} | ${n0(k.sent)} | ${n0(k.answered)} | ${((k.answered / run.answered) * 100).toFixed(1)}% | ${statuses || '—'} | ${ms(k.p50)} | ${ms(k.p99)} | ${(k.answered / run.seconds).toFixed(1)} |`);
  }
  out.push(
    `| all | ${n0(run.sent)} | ${n0(run.answered)} | 100% | | | | ${(run.answered / run.seconds).toFixed(1)} |`,
    '',
    `- Duration ${run.seconds.toFixed(1)} s; requests sent ${n0(run.sent)}, answered ${n0(run.answered)} (the rest were in flight when the load stopped); socket errors ${run.errors}, of them timeouts ${run.timeouts}.`,
    `- 5xx responses: ${fiveXx(run)} (required: 0).`,
    `- Writes: ${n0(writes.acknowledgedCreates)} creates and ${n0(writes.acknowledgedDeletes)} deletes acknowledged (200); ${writes.refused} writes answered otherwise.`,
    `- Afterwards, in the database: ${n0(writes.expectedPresent)} acknowledged creates not deleted, missing: ${writes.missing.length}${writes.missing.length ? ` (${writes.missing.slice(0, 5).map(code).join(', ')}…)` : ''};`,
    `  acknowledged deletes still present: ${writes.resurrected.length}. Deletes unanswered at the stop (outcome unknown, not counted): ${writes.deletesInDoubt};`,
    `  creates the server finished after the clients stopped waiting (present, never acknowledged): ${writes.unacknowledgedPresent}.`,
    `- Every acknowledged create present (or deleted by an acknowledged delete): ${yes(writes.missing.length === 0 && writes.resurrected.length === 0)}.`,
    `- Server RSS, sampled every 5 s: start ${mb(bytes[0])}, max ${mb(Math.max(...bytes))}, end ${mb(bytes[bytes.length - 1])}. Highest in the middle`,
    `  third of the run ${mb(mem.middle)}, in the last third ${mb(mem.last)}: flat (within 5%): ${yes(mem.flat)}. RSS grows at first while V8 sizes its`,
    '  heap for the load, then levels off unless something leaks; a run too short to reach the plateau is not flat by this measure.',
    `  Samples (MB): ${run.rss.map((r) => `${r.second} s ${(r.bytes / 1e6).toFixed(0)}`).join(', ')}.`,
    '',
    'Reading the latencies: no request of the soak costs bcrypt. A good token request (its key cached) makes no database query; a bad',
    'one costs one SHA-256 digest and a comparison (Key Secrets are stored as digests, src/auth/secret-hash.ts) and its failure is',
    'shared through auth_failures in batched statements; a create stores its new secret as a digest too. What bcrypt work does under',
    "a flood (legacy passwords, console sign-ins) is measured in the attack figures of 'Brute force and abuse'.",
    '',
  );
  return out.join('\n');
}

export function headerFigures(routes: RouteFigure[]): string {
  const out = [`| Route | Status | helmet headers (${HELMET.length}) | Access-Control-* |`, '| --- | --- | --- | --- |'];
  for (const r of routes) {
    out.push(`| ${r.route} | ${r.status} | ${r.missing.length ? `missing ${r.missing.join(', ')}` : 'all'} | ${r.cors.length ? r.cors.join(', ') : 'none'} |`);
  }
  return [...out, '', `helmet headers checked: ${HELMET.map(code).join(', ')}.`, ''].join('\n');
}

export function auditFigures(a: AuditFigure): string {
  const out: string[] = [];
  if (a.outcome === 'clean') out.push('`npm audit --omit=dev` reports no vulnerability:', '', ...a.lines.map((l) => `    ${l}`));
  else if (a.outcome === 'findings') out.push('`npm audit --omit=dev` reports findings, each to be explained here:', '', '```', ...a.lines, '```');
  else {
    out.push(
      '`npm audit --omit=dev` could not run on this machine: the registry mirror it reaches does not serve the advisory endpoint. It said:',
      '',
      '```',
      ...a.lines,
      '```',
      '',
      'The audit therefore has to be run where the advisory endpoint is reachable (CI, or any machine using the public registry). Until then,',
      `the production dependencies as \`package-lock.json\` resolves them (${a.productionPackages} packages in all with their own dependencies):`,
    );
  }
  out.push('', '| Package | Version | License |', '| --- | --- | --- |', ...a.direct.map((d) => `| ${d.name} | ${d.version} | ${d.license} |`), '');
  return out.join('\n');
}
