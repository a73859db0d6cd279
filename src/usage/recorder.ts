// Counts usage per credential in memory and writes it in batches, like lastUseTime
// (access-keys/last-use.ts): a token request costs a Map update and never a database
// statement. Every flush interval one statement adds the batch's minute counts to the shared
// totals (summed with the other instances'; the retention sweep rolls minutes into hours and
// days as they age), and, when quotas are set, one reads back the shared token totals of the
// limited keys it wrote and of those idle here near a limit, and one reloads the limits
// (quota-book.ts). A failed flush keeps its counts for the next one; close() writes what is
// left (server shutdown). A crash loses at most one flush interval.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { bucketOf, USAGE_FIELDS, type UsageCounts, type UsageField } from './fields.js';
import { addUsage, limitedTotalsToday, listQuotas, tokenTotals, type MinuteRow, type TokenTotal } from './queries.js';
import { QuotaBook } from './quota-book.js';

export const DEFAULT_USAGE_FLUSH_MS = 5_000;
// Distinct (key, minute) entries waiting at most; past this a flush starts at once.
const MAX_PENDING = 20_000;

/** One key's counts in one minute. */
interface Pending extends UsageCounts {
  projectId: string;
}

/** Counts waiting to be written: per minute, per key. */
class Batch {
  readonly minutes = new Map<number, Map<string, Pending>>();
  size = 0;
  #minute = NaN;
  #keys: Map<string, Pending> | undefined;

  /** The counts of a key in a minute, made at 0 the first time. */
  entry(keyId: string, projectId: string, minute: number): Pending {
    if (minute !== this.#minute || !this.#keys) {
      let keys = this.minutes.get(minute);
      if (!keys) this.minutes.set(minute, (keys = new Map()));
      this.#minute = minute;
      this.#keys = keys;
    }
    let p = this.#keys.get(keyId);
    if (!p) {
      this.#keys.set(keyId, (p = { projectId, tokens: 0, wrong_secret: 0, expired: 0, rate_limited: 0, quota: 0 }));
      this.size++;
    }
    return p;
  }

  has(keyId: string): boolean {
    for (const keys of this.minutes.values()) if (keys.has(keyId)) return true;
    return false;
  }

  rows(): MinuteRow[] {
    const rows: MinuteRow[] = [];
    for (const [minute, keys] of this.minutes) for (const [keyId, p] of keys) rows.push({ ...p, keyId, minute });
    return rows;
  }
}

export interface UsageRecorderOptions {
  db: Queryable;
  log: Logger;
  flushMs?: number;
  /** The clock (ms since the epoch); tests move it past a quota's window. */
  now?: () => number;
  /** Called with each count (the opt-in per-project Prometheus totals). */
  onCount?: (projectId: string, field: UsageField) => void;
}

export class UsageRecorder {
  readonly quotas = new QuotaBook();
  readonly #db: Queryable;
  readonly #log: Logger;
  readonly #flushMs: number;
  readonly now: () => number;
  readonly #onCount?: (projectId: string, field: UsageField) => void;
  #pending = new Batch();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(options: UsageRecorderOptions) {
    this.#db = options.db;
    this.#log = options.log;
    this.#flushMs = options.flushMs ?? DEFAULT_USAGE_FLUSH_MS;
    this.now = options.now ?? Date.now;
    this.#onCount = options.onCount;
  }

  /** Reads the quotas and today's totals under them, then flushes every interval (timer unref'd). */
  async start(): Promise<void> {
    this.quotas.setLimits(await listQuotas(this.#db));
    const at = this.now();
    this.quotas.prime(await limitedTotalsToday(this.#db, bucketOf('hour', at), bucketOf('day', at)), at);
    this.#timer = setInterval(() => void this.flush(), this.#flushMs).unref();
  }

  /** Counts one event of a credential. No I/O. */
  count(keyId: string, projectId: string, field: UsageField): void {
    const at = this.now();
    const pending = this.#pending;
    const size = pending.size;
    pending.entry(keyId, projectId, bucketOf('minute', at))[field]++;
    if (pending.size >= MAX_PENDING && size < MAX_PENDING) queueMicrotask(() => void this.flush());
    if (field === 'tokens') this.quotas.issued(keyId, projectId, at);
    this.#onCount?.(projectId, field);
  }

  /** 0 when the key may have a token now; else counts a quota refusal and returns the seconds to wait. */
  admit(keyId: string, projectId: string): number {
    const wait = this.quotas.admit(keyId, projectId, this.now());
    if (wait) this.count(keyId, projectId, 'quota');
    return wait;
  }

  /** Writes every pending count (one flush at a time); resolves when done or given up. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing.then(() => this.flush());
    const run = this.#write().finally(() => (this.#flushing = undefined));
    this.#flushing = run;
    return run;
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Batch();
    const at = this.now();
    const plan = this.quotas.beginSync((keyId) => batch.has(keyId), at);
    try {
      await addUsage(this.#db, batch.rows());
    } catch (err) {
      this.#merge(batch);
      this.quotas.syncFailed();
      this.#log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code }, entries: batch.size },
        'could not write usage counts; will retry');
      return;
    }
    if (this.#closed) return;
    let totals: TokenTotal[] | undefined;
    try {
      const keys = plan.written.concat(plan.near);
      totals = keys.length ? await tokenTotals(this.#db, keys, bucketOf('hour', at), bucketOf('day', at)) : [];
    } catch (err) {
      this.#log.warn({ err: { message: (err as Error).message } }, 'could not read back the token totals of keys with quotas');
    }
    this.quotas.synced(totals, at);
    try {
      this.quotas.setLimits(await listQuotas(this.#db));
    } catch (err) {
      this.#log.warn({ err: { message: (err as Error).message } }, 'could not reload the token quotas');
    }
  }

  /** A batch that could not be written goes back into the pending counts. */
  #merge(batch: Batch): void {
    for (const [minute, keys] of batch.minutes) {
      for (const [keyId, p] of keys) {
        const seen = this.#pending.entry(keyId, p.projectId, minute);
        for (const f of USAGE_FIELDS) seen[f] += p[f];
      }
    }
  }

  /** Entries (key and minute) not written yet. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Stops the timer and writes what is pending; for server shutdown. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
  }
}
