// Prometheus metrics (prom-client) for /metrics: tokens issued and refused by reason,
// request latency per route, cache hits and misses, dashboard sign-ins by result,
// database pool and query counts.
// One registry per server instance, so that tests can run several in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  readonly tokensIssued = new Counter({ name: 'keymint_tokens_issued_total', help: 'Access tokens issued', registers: [this.registry] });
  readonly tokensRefused = new Counter({
    name: 'keymint_tokens_refused_total',
    help: 'Token requests refused, by OAuth error code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'keymint_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: 'keymint_cache_lookups_total',
    help: 'In-process cache lookups by cache and result',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });
  readonly revocationFeedStatements = new Counter({
    name: 'keymint_revocation_feed_statements_total',
    help: 'Statements run in the background to re-read the revocation feed (on a revocation, a key change, an expiry)',
    registers: [this.registry],
  });
  readonly bcryptCompares = new Counter({
    name: 'keymint_bcrypt_compares_total',
    help: 'bcrypt comparisons run (real and dummy), i.e. secrets checked the slow way',
    registers: [this.registry],
  });
  readonly secretComparisons = new Counter({
    name: 'keymint_secret_comparisons_total',
    help: 'Presented secrets compared, either way (digest or bcrypt; for unknown keys too)',
    registers: [this.registry],
  });
  readonly signIns = new Counter({
    name: 'keymint_console_sign_ins_total',
    help: 'Dashboard sign-in attempts by result: success, wrong_credentials, locked',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly dbQueries = new Counter({ name: 'keymint_db_queries_total', help: 'SQL statements sent to the database', registers: [this.registry] });
  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'keymint_' });
  }

  /** Samples the resident keys (auth/resident-keys.ts) when scraped. */
  watchResidentKeys(resident: { size: number; loaded: boolean; bytes: number }): void {
    const registers = [this.registry];
    new Gauge({ name: 'keymint_resident_keys', help: 'Keys judged from memory, without a read', registers, collect() { this.set(resident.size); } });
    new Gauge({ name: 'keymint_resident_keys_loaded', help: '1 once every qualifying key has been loaded at start', registers, collect() { this.set(resident.loaded ? 1 : 0); } });
    new Gauge({ name: 'keymint_resident_keys_bytes', help: 'Memory held by the resident keys', registers, collect() { this.set(resident.bytes); } });
  }

  /** Samples the pool's state when scraped. */
  watchPool(pool: { totalCount: number; idleCount: number; waitingCount: number }): void {
    new Gauge({
      name: 'keymint_db_pool_clients',
      help: 'Database pool clients by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }
}
