// Limits failed authentication per client address and per key, with the budget shared by
// every instance through Postgres. Success never touches the database: blocks are kept in
// memory, learnt from the shared count each time a failure is recorded anywhere (the
// instance that records a failure over budget blocks the bucket until the window ends).
// Each instance therefore lets through at most one failure past the shared budget.
// While blocked, only credentials that verify without bcrypt (a warm secret, a valid JWT)
// go through: clients that work are never slowed, guessing costs the server nothing.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { addAuthFailures, deleteOldAuthFailures, type FailureCount } from './failure-queries.js';

export interface LimiterOptions {
  db: Queryable;
  log: Logger;
  /** Failed authentications a client address may make per minute. */
  perAddress: number;
  /** Failed authentications per minute against one key ID. */
  perKey: number;
}

const MAX_BLOCKS = 100_000;

export class FailureLimiter {
  readonly #blockedUntil = new Map<string, number>();
  readonly #sweep: NodeJS.Timeout;

  constructor(private readonly opts: LimiterOptions) {
    this.#sweep = setInterval(() => {
      const now = Date.now();
      for (const [bucket, until] of this.#blockedUntil) if (until <= now) this.#blockedUntil.delete(bucket);
      deleteOldAuthFailures(opts.db).catch(() => {});
    }, 60_000).unref();
  }

  static addressBucket = (address: string) => `addr:${address.slice(0, 64)}`;
  static keyBucket = (keyId: string) => `key:${keyId.slice(0, 64).toLowerCase()}`;

  /** Seconds until the bucket may try again, or 0 when it is not blocked. */
  retryAfter(bucket: string): number {
    const until = this.#blockedUntil.get(bucket);
    if (until === undefined) return 0;
    const seconds = Math.ceil((until - Date.now()) / 1000);
    if (seconds > 0) return seconds;
    this.#blockedUntil.delete(bucket);
    return 0;
  }

  /** Seconds until a request from this address, or naming this key, may fail again; 0 when neither is blocked. */
  blockedFor(address: string | undefined, keyId: string | undefined): number {
    return Math.max(
      address ? this.retryAfter(FailureLimiter.addressBucket(address)) : 0,
      keyId ? this.retryAfter(FailureLimiter.keyBucket(keyId)) : 0,
    );
  }

  /**
   * Records a failed authentication and returns each bucket's shared count for this minute
   * (empty when it could not be recorded); never throws (a database outage must not turn
   * a 401 into a 500). Exactly one failure sees a bucket reach its limit.
   */
  async recordFailure(address: string | undefined, keyId: string | undefined): Promise<FailureCount[]> {
    const buckets = [address && FailureLimiter.addressBucket(address), keyId && FailureLimiter.keyBucket(keyId)].filter(
      (b): b is string => Boolean(b),
    );
    if (!buckets.length) return [];
    try {
      const counts = await addAuthFailures(this.opts.db, buckets);
      for (const row of counts) {
        const limit = row.bucket.startsWith('addr:') ? this.opts.perAddress : this.opts.perKey;
        if (row.failures >= limit && this.#blockedUntil.size < MAX_BLOCKS) this.#blockedUntil.set(row.bucket, row.window_end.getTime());
      }
      return counts;
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'could not record a failed authentication');
      return [];
    }
  }

  stop(): void {
    clearInterval(this.#sweep);
  }
}
