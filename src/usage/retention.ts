// Keeps usage counts to their retention (USAGE_*_RETENTION_*): at start and then every
// hour, minute buckets older than the minute retention are rolled into their hours, hours
// older than the hour retention into their days (each row moved once, in one statement, so
// the sums stay exact), and days older than the day retention are deleted, in batches. Every
// instance runs it; two sweeps at once move each row once.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { BUCKET_MS, type Granularity } from './fields.js';
import { deleteUsageBefore, rollUpUsageBefore } from './queries.js';

const BATCH = 5_000;
const EVERY_MS = 60 * 60_000;

/** How many buckets of each granularity are kept. */
export type UsageRetentionBuckets = Readonly<Record<Granularity, number>>;

export class UsageRetention {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: { db: Queryable; log: Logger; keep: UsageRetentionBuckets; now?: () => number }) {}

  start(): void {
    const run = () => void this.sweep().catch((err: Error) => this.opts.log.warn({ err: err.message }, 'could not sweep old usage counts'));
    run();
    this.#timer = setInterval(run, EVERY_MS).unref();
  }

  /** Rolls up or deletes every bucket past its retention; returns how many rows moved or went. */
  async sweep(): Promise<number> {
    const now = (this.opts.now ?? Date.now)();
    const before = (g: Granularity) => new Date(now - this.opts.keep[g] * BUCKET_MS[g]);
    const batches = async (step: () => Promise<number>) => {
      let n = 0;
      for (;;) {
        const done = await step();
        n += done;
        if (done < BATCH) return n;
      }
    };
    const rolled =
      (await batches(() => rollUpUsageBefore(this.opts.db, 'minute', before('minute'), BATCH))) +
      (await batches(() => rollUpUsageBefore(this.opts.db, 'hour', before('hour'), BATCH)));
    const deleted = await batches(() => deleteUsageBefore(this.opts.db, 'day', before('day'), BATCH));
    if (rolled || deleted) this.opts.log.info({ rolled, deleted }, 'rolled up and deleted usage counts past their retention');
    return rolled + deleted;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
