// Batches the lastUseTime of access keys: each use is remembered in memory (latest time
// per key) and written by one UPDATE for the whole batch a few seconds later, so that a
// token or API request never waits for, nor causes, a write of its own. Pending uses are
// flushed on shutdown; a failed flush keeps them for the next one.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { recordAccessKeyUses } from './queries.js';

export const DEFAULT_LAST_USE_FLUSH_MS = 5_000;
// Distinct keys waiting at most; past this a flush starts at once (memory stays bounded).
const MAX_PENDING = 10_000;

export interface LastUseOptions {
  db: Queryable;
  log: Logger;
  /** How long a use may wait before it is written. */
  flushMs?: number;
}

export class LastUseRecorder {
  readonly #db: Queryable;
  readonly #log: Logger;
  readonly #flushMs: number;
  #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #inflight = new Set<Promise<void>>();
  #closed = false;

  constructor(options: LastUseOptions) {
    this.#db = options.db;
    this.#log = options.log;
    this.#flushMs = options.flushMs ?? DEFAULT_LAST_USE_FLUSH_MS;
  }

  /** Notes a use of the key (a lower-case UUID). No I/O: the write comes with the next flush. */
  record(keyId: string, at: number = Date.now()): void {
    this.#merge(keyId, at);
    if (this.#pending.size >= MAX_PENDING) void this.flush();
    else this.#schedule();
  }

  #merge(keyId: string, at: number): void {
    const seen = this.#pending.get(keyId);
    if (seen === undefined || at > seen) this.#pending.set(keyId, at);
  }

  // One timer per batch, started by its first use: no timer at all while keys are idle.
  #schedule(): void {
    if (this.#timer || this.#closed || this.#pending.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#flushMs).unref();
  }

  /** Writes every pending use with one statement; resolves when written (or given up). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return Promise.all(this.#inflight).then(() => {});
    const batch = this.#pending;
    this.#pending = new Map();
    const write = this.#write(batch).finally(() => this.#inflight.delete(write));
    this.#inflight.add(write);
    return write;
  }

  async #write(batch: Map<string, number>): Promise<void> {
    try {
      await recordAccessKeyUses(this.#db, [...batch.keys()], [...batch.values()].map((ms) => new Date(ms)));
    } catch (err) {
      // The database is away: keep the uses (newer ones win) and try again next time.
      for (const [id, at] of batch) this.#merge(id, at);
      this.#log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code }, keys: batch.size },
        'could not record the last use of access keys; will retry');
      this.#schedule();
    }
  }

  /** The number of keys with a use not yet written. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Stops the timer and writes what is pending, once; for server shutdown. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
