// docs/PERFORMANCE.md as the benchmark writes it: the fleet figure first (the shape real
// clients have), the targets of issue 12 met or not, issue 17's before/after, every run, the
// machine (and whether it was shared) and how to reproduce. Nothing in it is typed by hand.
import { pinningNote } from './cpu-pinning.js';
import { beforeAfterTable, floodTable, ms, n0, otherTable, shapesTable, targets, targetsTable, warmOf, x2, type Figures } from './report.js';

export function performanceDoc(f: Figures): string {
  const p = f.plan;
  const [c, cHigh] = p.connections;
  const warm = warmOf(f, 'Keymint');
  const met = targets(f).filter((t) => t.met).length;
  const shared = f.warm.otherCpuShare > 0.05 || f.machine.loadAverage.start > 1.5 || f.machine.loadAverage.end > 1.5;
  const beforeAfter = beforeAfterTable(f);
  return `# Performance

**Fleet: ${n0(f.fleet.keys)} distinct keys, each asking for one token: ${n0(f.fleet.requestsPerSecond)} tokens/s at
${c} in flight (p50 ${ms(f.fleet.p50)}, p99 ${ms(f.fleet.p99)}); ${n0(f.fleetHigh.requestsPerSecond)} tokens/s at ${cHigh} in flight.**
One key asking again and again (warm): ${n0(warm.rps)} tokens/s, so the fleet runs at ${x2(f.fleet.requestsPerSecond / warm.rps)} the warm rate.

The fleet is the shape of real traffic. Well-behaved clients (openid-client, oauth4webapi,
the Sinch SDK, Go's \`clientcredentials\`, authlib) keep their token until it expires, so each
key asks once per token lifetime (3600 s by default): nearly every token request is a key's
first in a long while. Warm, one key asking again and again, is what only a client that
does not cache its token does; it is measured beside the fleet, not instead of it.

This file is written by the benchmark (\`bench/run.ts\`, ${p.mode} run of ${f.date.toISOString()});
do not edit it by hand, rerun it. ${met} of ${targets(f).length} targets are met.

## Targets of issues 12 and 16

${targetsTable(f)}

## Before and after the restructuring (issue 17)

${
  beforeAfter
    ? `The code before (\`${p.baselineDir}\`) and this code, measured in the same run on the same core, alternately
for warm. The code before stores secrets as bcrypt hashes, so its fleet is bcrypt-bound and
measured with ${n0(f.before!.fleet.keys)} keys (its seeded keys share one secret and one bcrypt hash; each
key still pays one bcrypt comparison on its first request).

${beforeAfter}`
    : 'Not measured in this run (no `--baseline-dir`).'
}

## Every run

${shapesTable(f)}

Keys in table: rows in the access_keys table while the run ran. Slowest: the slowest 2xx
response of the run. CPU per token: the server process's CPU time over the run divided by
the tokens issued; statements: the increase of \`keymint_db_queries_total\` per request sent.

### The hostile run's flood

${floodTable(f)}

### Creates, keymint/verify, memory, lists

${otherTable(f)}

## Reproduce

\`\`\`
git -C . worktree add /tmp/km-before 9c97422     # the code before issue 17 (optional)
(cd /tmp/km-before && npm ci && npm run build)
npm run bench -- --baseline-dir /tmp/km-before   # writes this file; without the option: no before/after
git worktree remove --force /tmp/km-before
\`\`\`

\`npm run bench -- --quick\` measures the same shapes with small numbers (${n0(300)} fleet keys, scale
at a few thousand rows) and prints the tables without writing this file (\`--out FILE\` writes
one). It needs a Postgres at \`BENCH_DATABASE_URL\` (default \`postgres://postgres@127.0.0.1:5432/test\`),
where it creates databases of its own and drops them at the end.

## How it was measured

- Machine: ${f.machine.cpu}, ${f.machine.cpus} logical cores, ${f.machine.memoryGB.toFixed(1)} GB; ${f.machine.os}; Node.js ${f.machine.node}; ${f.machine.postgres.split(' on ')[0]}.
- ${
    shared
      ? `**The machine was shared**: other processes (other work on the machine, and Postgres) used ${(f.warm.otherCpuShare * 100).toFixed(0)}% of its CPU during the warm runs; the 1-minute load average was ${f.machine.loadAverage.start.toFixed(2)} at the start and ${f.machine.loadAverage.end.toFixed(2)} at the end. Absolute figures are lower and noisier than on a dedicated host; the ratios, taken from runs close together in time, are the portable part.`
      : `Other processes used ${(f.warm.otherCpuShare * 100).toFixed(0)}% of the CPU during the warm runs (load average ${f.machine.loadAverage.start.toFixed(2)} at the start, ${f.machine.loadAverage.end.toFixed(2)} at the end).`
  }
- CPU: ${pinningNote()}. Postgres runs unpinned. The hostile run's flood is a child process of the load generator, pinned with it.
- Servers: NODE_ENV=production, ES256, one process each on 127.0.0.1, LOG_LEVEL warn; Keymint on Postgres (a database of its own per server) with its default cache and pool settings, restarted after each growth of the table so that its caches start empty, and measured once it has loaded its resident keys (every key it can judge from memory: \`src/auth/resident-keys.ts\`; how long the load took is in the last table). The fleet's keys exist before the server starts, as a real fleet's do, so they are resident; "keys not resident" is the fleet again with keys changed after the start, each read once from the database (one prepared statement, batched). Stored secrets of this code: the ${f.scheme} scheme.
- The bare oidc-provider baseline: the same oidc-provider version in its own process, one static client with a plaintext secret held in memory, the same ES256 JWT access tokens, no database, no express: the cost of parsing a token request and signing a JWT.
- Load: the benchmark's own generator on node:net (\`bench/raw-load.ts\`), the same client for every shape: keep-alive connections, one request outstanding on each, every request's bytes built before the clock starts (the warm key's once, one per fleet key), so that a fleet request costs the client as much CPU as a warm one (\`node dist/bench/client-cost.js\` measures this against a server with a fixed answer). Warm: one key for ${p.durationSeconds} s per run after a ${p.warmupSeconds} s warm-up, ${p.rounds} rounds alternating the servers; the figure is the median (mean of two). Fleet: ${n0(p.fleetKeys)} keys, one request each, the run ends when all have answered (timed from its start to the last answer); a key never asks twice in the whole benchmark. Before each measured run the servers are idle, and after each restart ${n0(p.fleetWarmupKeys)} keys nobody measures warm it up.
- Keys: seeded by SQL (generate_series; UUIDv7 ids; the stored digest computed by Postgres, \`bench/secret-digest.ts\`). The keys a run presents get secrets from the server's own generator; the other rows hold digests of secrets nobody keeps. The warm, fleet and hostile runs have ${n0(f.stageRows)} keys in the table (${n0(p.fleetKeys)} per fleet run, fresh each time).
- Hostile: the fleet at ${c} in flight with fresh keys, while a flood of ${p.flood.connections} requests in flight runs from ${n0(p.flood.addresses)} loopback source addresses (127.0.x.y, bound with \`localAddress\`), each connection making ${p.flood.requestsPerConnection} requests and then reconnecting from the next address. Half the flood names Key IDs that do not exist (fresh UUIDv7s), half names ${n0(p.victimKeys)} real keys with wrong (well-formed) secrets. The flood's server cost is the server's CPU time over the fleet's window minus what the fleet's tokens cost in the quiet run, per flood request.
- Usage counting (issue 16): "Keymint" runs with usage counting and quotas on (the defaults) and a project default quota no run reaches (2,000,000,000 tokens per hour and per day), so every token is counted and checked against its quota; "usage counting off" is a second server on the same database with \`USAGE_COUNTING=off\`, warm in the same alternating rounds; for the fleet, both servers get ${p.rounds} rounds of ${n0(p.fleetKeys)} fresh keys each, alternately (on, off, off, on, ...; both idle before each), and the figure is the median of each server's rounds, with its server CPU per token (\`bench/usage-rounds.ts\`; \`node dist/bench/usage-cost.js\` runs this comparison alone).
- Creates: \`POST /v1/projects/{id}/accessKeys\` in a small project of its own, ${n0(p.creates)} at each of ${p.createConcurrency.join(' and ')} in flight, then as many deletes. "Today's" ${'33'}/s is issue 12's figure for the code before it.
- keymint/verify and jose \`jwtVerify\` in the benchmark process, the same issuer, audience, typ and algorithms, on Keymint's tokens: one token verified again and again for ${p.verifySeconds} s, and fresh tokens each verified once.
- Scale: the table grown to ${p.scaleRows.map(n0).join(' and ')} keys in one project; at each size a warm run and a fleet of ${n0(p.fleetKeys)} fresh keys, and the server's RSS (VmRSS; 1 MB = 10^6 bytes) at start and after the fleet.
`;
}
