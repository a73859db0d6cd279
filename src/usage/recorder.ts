// Counts usage per credential in memory and writes it in batches, like lastUseTime
// (access-keys/last-use.ts): a token request costs a Map update and never a database
// statement. Every flush interval one statement adds the batch to the shared totals (per
// minute, hour and day, summed with the other instances'), and, when quotas are set, one
// reads back the shared token totals of the limited keys and one reloads the limits
// (quota-book.ts). A failed flush keeps its counts for the next one; close() writes what is
// left (server shutdown). A crash loses at most one flush interval.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { bucketOf, GRANULARITIES, USAGE_FIELDS, zeroCounts, type UsageCounts, type UsageField } from './fields.js';
import { addUsage, listQuotas, tokenTotals, type UsageRow } from './queries.js';
import { QuotaBook } from './quota-book.js';

export const DEFAULT_USAGE_FLUSH_MS = 5_000;
// Distinct (key, minute) entries waiting at most; past this a flush starts at once.
const MAX_PENDING = 20_000;

interface Pending {
  keyId: string;
  projectId: string;
  minute: number;
  counts: UsageCounts;
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
  #pending = new Map<string, Pending>();
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

  /** Reads the quotas, then flushes every interval (timer unref'd). */
  async start(): Promise<void> {
    this.quotas.setLimits(await listQuotas(this.#db));
    this.#timer = setInterval(() => void this.flush(), this.#flushMs).unref();
  }

  /** Counts one event of a credential. No I/O. */
  count(keyId: string, projectId: string, field: UsageField): void {
    const at = this.now();
    const minute = bucketOf('minute', at);
    const entry = `${keyId} ${minute}`;
    let p = this.#pending.get(entry);
    if (!p) {
      this.#pending.set(entry, (p = { keyId, projectId, minute, counts: zeroCounts() }));
      if (this.#pending.size >= MAX_PENDING) queueMicrotask(() => void this.flush());
    }
    p.counts[field]++;
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
    this.#pending = new Map();
    const tracked = this.quotas.beginSync();
    const at = this.now();
    try {
      await addUsage(this.#db, rowsOf(batch));
    } catch (err) {
      for (const p of batch.values()) this.#merge(p);
      this.quotas.syncFailed();
      this.#log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code }, entries: batch.size },
        'could not write usage counts; will retry');
      return;
    }
    if (this.#closed) return;
    const [hour, day] = [bucketOf('hour', at), bucketOf('day', at)];
    try {
      const totals = new Map<string, { hour: number; day: number }>();
      for (const t of await tokenTotals(this.#db, tracked, hour, day)) {
        const seen = totals.get(t.keyId) ?? { hour: 0, day: 0 };
        seen[t.granularity] = t.tokens;
        totals.set(t.keyId, seen);
      }
      this.quotas.synced(hour, day, totals, at);
      this.quotas.setLimits(await listQuotas(this.#db));
    } catch (err) {
      this.quotas.synced(hour, day, undefined, at);
      this.#log.warn({ err: { message: (err as Error).message } }, 'could not read back the token totals of keys with quotas');
    }
  }

  #merge(p: Pending): void {
    const entry = `${p.keyId} ${p.minute}`;
    const seen = this.#pending.get(entry);
    if (!seen) this.#pending.set(entry, p);
    else for (const f of USAGE_FIELDS) seen.counts[f] += p.counts[f];
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

/** The batch as rows of each granularity, each (key, granularity, bucket) once. */
function rowsOf(batch: ReadonlyMap<string, Pending>): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  for (const p of batch.values()) {
    for (const granularity of GRANULARITIES) {
      const bucket = bucketOf(granularity, p.minute);
      const id = `${p.keyId} ${granularity} ${bucket}`;
      const row = rows.get(id);
      if (!row) rows.set(id, { keyId: p.keyId, projectId: p.projectId, granularity, bucket, ...p.counts });
      else for (const f of USAGE_FIELDS) row[f] += p.counts[f];
    }
  }
  return [...rows.values()];
}
