// Keeps usage counts to their retention (USAGE_*_RETENTION_*): at start and then every
// hour, minute buckets older than the minute retention are deleted, and likewise hours and
// days, in batches. Every instance runs it; the deletes are idempotent.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { BUCKET_MS, GRANULARITIES, type Granularity } from './fields.js';
import { deleteUsageBefore } from './queries.js';

const BATCH = 5_000;
const EVERY_MS = 60 * 60_000;

/** How many buckets of each granularity are kept. */
export type UsageRetentionBuckets = Readonly<Record<Granularity, number>>;

export class UsageRetention {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: { db: Queryable; log: Logger; keep: UsageRetentionBuckets; now?: () => number }) {}

  start(): void {
    const run = () => void this.sweep().catch((err: Error) => this.opts.log.warn({ err: err.message }, 'could not delete old usage counts'));
    run();
    this.#timer = setInterval(run, EVERY_MS).unref();
  }

  /** Deletes every bucket past its retention; returns how many rows. */
  async sweep(): Promise<number> {
    const now = (this.opts.now ?? Date.now)();
    let total = 0;
    for (const granularity of GRANULARITIES) {
      const before = new Date(now - this.opts.keep[granularity] * BUCKET_MS[granularity]);
      for (;;) {
        const deleted = await deleteUsageBefore(this.opts.db, granularity, before, BATCH);
        total += deleted;
        if (deleted < BATCH) break;
      }
    }
    if (total) this.opts.log.info({ deleted: total }, 'deleted usage counts past their retention');
    return total;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
