// Failed-authentication budgets, keyed on where failures come from: the client address,
// its network (/24, /64), the credential named (a key, a legacy username, an e-mail) and the
// pair credential + address; plus a ceiling for the whole instance. Counts live in memory
// and are exact within an instance: an attempt that costs work (bcrypt) reserves its place
// synchronously BEFORE the comparison and is refunded when it succeeds, so concurrent
// guesses cannot race past the budget. Failures, never successes, are shared with the
// other instances through auth_failures (one batched statement per FLUSH_MS); an instance
// learns the shared count of a bucket with its own next failure there, so the cluster
// overshoots a budget by at most one failure per other instance (plus what it has in
// flight at that moment).
// A right secret from a clean source is never refused because others failed: a credential
// over its budget refuses only sources that have failed against it, and (for bcrypt) lets
// through one clean attempt at a time, a backoff instead of a lock; a network over its
// budget holds back unknown names only, never an existing credential presented from a
// clean address in it. Checks that cost nothing
// (a digest, a signature, a JWT) always run; only their failures are limited.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { addAuthFailures, deleteOldAuthFailures, type FailureCount } from './failure-queries.js';
import { networkOf } from './network.js';

export interface LimiterOptions {
  db: Queryable;
  log: Logger;
  /** Failed authentications a client address may make per minute. */
  perAddress: number;
  /** Failed authentications per minute against one credential (key ID, username, e-mail). */
  perKey: number;
  /** Prefix of this limiter's buckets in the shared table ('' for keys, 'signin:' for the console). */
  scope?: string;
}

/** A network (/24 or /64) may fail this many times a client address's budget. */
export const NETWORK_FACTOR = 16;
/** The instance may see this many times a client address's budget of failures per minute before unknown names are refused. */
export const CEILING_FACTOR = 50;

/** Who is failing: the client address and the credential named (canonical form; a row ID when known). */
export interface Source {
  address?: string;
  key?: string;
}

interface Count {
  window: number;
  /** Failures made here, not yet in the shared table. */
  unflushed: number;
  /** Reserved by attempts still being compared. */
  pending: number;
  /** The shared total (all instances) for this window, as last read. */
  shared: number;
}

const MAX_BUCKETS = 200_000;
export const FLUSH_MS = 100;
const minute = (now: number) => Math.floor(now / 60_000) * 60_000;

export class Reservation {
  #settled = false;
  constructor(
    private readonly limiter: FailureLimiter,
    private readonly buckets: string[],
  ) {}

  /** The comparison succeeded: the reservation is given back. */
  succeeded(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.limiter.release(this.buckets, false);
  }

  /** The comparison failed: counted, and shared; resolves with the shared counts. */
  failed(): Promise<FailureCount[]> {
    if (this.#settled) return Promise.resolve([]);
    this.#settled = true;
    this.limiter.release(this.buckets, true);
    return this.limiter.share(this.buckets);
  }
}

export class FailureLimiter {
  readonly #counts = new Map<string, Count>();
  /** Credentials over budget with a clean attempt in flight (the backoff). */
  readonly #probing = new Set<string>();
  readonly #sweep: NodeJS.Timeout;
  readonly #scope: string;
  #flushing: Promise<void> | undefined;
  #waiters: Array<{ buckets: string[]; resolve: (c: FailureCount[]) => void }> = [];

  constructor(private readonly opts: LimiterOptions) {
    this.#scope = opts.scope ?? '';
    this.#sweep = setInterval(() => {
      const now = minute(Date.now());
      for (const [bucket, c] of this.#counts) if (c.window < now && c.pending === 0) this.#counts.delete(bucket);
      deleteOldAuthFailures(opts.db).catch(() => {});
    }, 60_000).unref();
  }

  static addressBucket = (address: string) => `addr:${address.slice(0, 64)}`;
  static keyBucket = (keyId: string) => `key:${keyId.slice(0, 64).toLowerCase()}`;

  #buckets({ address, key }: Source): { addr?: string; net?: string; key?: string; pair?: string; all: string } {
    const s = this.#scope;
    return {
      addr: address ? FailureLimiter.addressBucket(s + address) : undefined,
      net: address ? `net:${s}${networkOf(address)}` : undefined,
      key: key ? FailureLimiter.keyBucket(s + key) : undefined,
      // Hashed: a key ID and an address together would not fit the column's budget of text.
      pair: key && address ? `pair:${s}${createHash('sha256').update(`${key}\n${address}`).digest('hex').slice(0, 40)}` : undefined,
      all: `all:${s}`,
    };
  }

  #limit(bucket: string): number {
    const kind = bucket.slice(0, bucket.indexOf(':'));
    if (kind === 'addr') return this.opts.perAddress;
    if (kind === 'net') return this.opts.perAddress * NETWORK_FACTOR;
    if (kind === 'all') return this.opts.perAddress * CEILING_FACTOR;
    return this.opts.perKey;
  }

  #count(bucket: string, now = Date.now()): Count {
    const window = minute(now);
    let c = this.#counts.get(bucket);
    if (!c || c.window !== window) {
      // Attempts still being compared carry over into the new window.
      c = { window, unflushed: 0, pending: c?.pending ?? 0, shared: 0 };
      if (c.pending === 0 && this.#counts.size >= MAX_BUCKETS) return c; // not kept: memory stays bounded
      this.#counts.set(bucket, c);
    }
    return c;
  }

  #total = (bucket: string) => {
    const c = this.#count(bucket);
    return c.shared + c.unflushed + c.pending;
  };

  /** Seconds until this bucket's window ends, when it is at or over its limit; else 0. */
  #over(bucket: string | undefined): number {
    if (!bucket || this.#total(bucket) < this.#limit(bucket)) return 0;
    return Math.max(1, Math.ceil((minute(Date.now()) + 60_000 - Date.now()) / 1000));
  }

  /**
   * For checks that cost nothing, asked after one failed: seconds until this source may
   * fail again (answer 429, not counted), or 0 (count it with charge()).
   */
  blockedFor(address: string | undefined, key: string | undefined): number {
    const b = this.#buckets({ address, key });
    return Math.max(this.#over(b.addr), this.#over(b.net), this.#over(b.key), this.#over(b.pair));
  }

  /** Seconds until this client address (its own budget, not its network's) is heard again, or 0. */
  addressBlockedFor(address: string | undefined): number {
    return this.#over(this.#buckets({ address }).addr);
  }

  /** Counts a failure of a check that costs nothing; resolves once it is shared (never throws). */
  recordFailure(address: string | undefined, key: string | undefined): Promise<FailureCount[]> {
    const b = this.#buckets({ address, key });
    const buckets = [b.addr, b.net, b.key, b.pair, b.all].filter((x): x is string => x !== undefined);
    for (const bucket of buckets) this.#count(bucket).unflushed++;
    return this.share(buckets);
  }

  /**
   * For a check that costs work (bcrypt): a place reserved before the comparison, or the
   * seconds to wait. `known`: the credential exists (unknown names are refused first when
   * the instance is over its ceiling).
   */
  reserve(source: Source, known: boolean): Reservation | { retryAfter: number } {
    const b = this.#buckets(source);
    // A network's budget holds back names that do not exist; a credential that does is judged
    // by its own budgets (and its source's), so neighbours' failures never refuse its owner.
    const wait = Math.max(this.#over(b.addr), this.#over(b.pair), known ? 0 : Math.max(this.#over(b.net), this.#over(b.all)));
    if (wait) return { retryAfter: wait };
    let probe: string | undefined;
    const keyWait = this.#over(b.key);
    if (keyWait) {
      // Over its budget, the credential still hears a clean source, one at a time.
      if (b.pair && this.#total(b.pair) > 0) return { retryAfter: keyWait };
      if (b.key && this.#probing.has(b.key)) return { retryAfter: 1 };
      probe = b.key;
    }
    const buckets = [b.addr, b.net, b.key, b.pair, b.all].filter((x): x is string => x !== undefined);
    for (const bucket of buckets) this.#count(bucket).pending++;
    if (probe) {
      this.#probing.add(probe);
      buckets.push(`probe:${probe}`);
    }
    return new Reservation(this, buckets);
  }

  /** @internal (Reservation) */
  release(buckets: string[], failed: boolean): void {
    for (const bucket of buckets) {
      if (bucket.startsWith('probe:')) {
        this.#probing.delete(bucket.slice('probe:'.length));
        continue;
      }
      const c = this.#count(bucket);
      c.pending = Math.max(0, c.pending - 1);
      if (failed) c.unflushed++;
    }
  }

  /** @internal Resolves with each bucket's shared count once this failure is in the table. */
  share(buckets: string[]): Promise<FailureCount[]> {
    const shared = buckets.filter((b) => !b.startsWith('probe:') && !b.startsWith('all:'));
    return new Promise((resolve) => {
      this.#waiters.push({ buckets: shared, resolve });
      this.#flush();
    });
  }

  // One statement at a time, at most every FLUSH_MS, carrying every failure that arrived
  // meanwhile: a flood of failures is a trickle of statements (a failure's answer waits for
  // its turn, at most FLUSH_MS longer).
  #flush(): void {
    if (this.#flushing) return;
    this.#flushing = (async () => {
      await new Promise((r) => setTimeout(r, FLUSH_MS));
      while (this.#waiters.length) {
        const waiters = this.#waiters;
        this.#waiters = [];
        const deltas = new Map<string, number>();
        for (const w of waiters) for (const b of w.buckets) deltas.set(b, (deltas.get(b) ?? 0) + 1);
        let rows: FailureCount[] = [];
        try {
          rows = await addAuthFailures(this.opts.db, [...deltas.keys()], [...deltas.values()]);
        } catch (err) {
          this.opts.log.warn({ err: (err as Error).message }, 'could not share failed authentications');
        }
        const totals = new Map(rows.map((r) => [r.bucket, r]));
        for (const [bucket, n] of deltas) {
          const c = this.#count(bucket);
          c.unflushed = Math.max(0, c.unflushed - n);
          const row = totals.get(bucket);
          if (row) c.shared = Math.max(c.shared, row.failures);
          else c.unflushed += n; // not shared (database unreachable): still counted here
        }
        // Each failure gets its own place in the count, so "the failure that reached the limit" is one.
        const seen = new Map<string, number>();
        for (const w of waiters) {
          w.resolve(
            w.buckets.flatMap((b) => {
              const row = totals.get(b);
              if (!row) return [];
              const before = seen.get(b) ?? 0;
              seen.set(b, before + 1);
              return [{ ...row, failures: row.failures - (deltas.get(b)! - before - 1) }];
            }),
          );
        }
      }
    })().finally(() => {
      this.#flushing = undefined;
      if (this.#waiters.length) this.#flush();
    });
  }

  stop(): void {
    clearInterval(this.#sweep);
  }
}
