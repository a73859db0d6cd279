// In-process cache of the access-key rows that authentication reads (id, project, secret
// hash, expiry), so warm token and API requests make no database round trip. Bounded (LRU), with
// a maximum age as a safety net; every change to a key, on any instance, drops it at once
// through the change feed, and a feed reset drops everything.
import { LRUCache } from 'lru-cache';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Queryable } from '../db/pool.js';
import type { Metrics } from '../metrics/registry.js';
import { findAccessKeyForAuth } from './queries.js';

export interface AuthKey {
  id: string;
  projectId: string;
  secretHash: string;
  /** When the key expires (ms since the epoch), or null when it never does. */
  expiresAt: number | null;
}

/** Judged at each use against the clock, never once at caching time. */
export const isExpired = (key: AuthKey, now = Date.now()): boolean => key.expiresAt !== null && key.expiresAt <= now;

export interface KeyCacheOptions {
  db: Queryable;
  feed: ChangeFeed;
  metrics?: Metrics;
  max?: number;
  maxAgeMs?: number;
}

export class AccessKeyCache {
  readonly #db: Queryable;
  // Label sets bound once: these counters run on every warm request.
  readonly #hits?: { inc(): void };
  readonly #misses?: { inc(): void };
  readonly #lru: LRUCache<string, AuthKey>;
  readonly #inflight = new Map<string, Promise<AuthKey | undefined>>();
  // Bumped on every invalidation: a read that started before it must not fill the cache
  // with a row that may have been deleted or changed meanwhile.
  #epoch = 0;

  constructor(options: KeyCacheOptions) {
    this.#db = options.db;
    this.#hits = options.metrics?.cacheLookups.labels('access_key', 'hit');
    this.#misses = options.metrics?.cacheLookups.labels('access_key', 'miss');
    this.#lru = new LRUCache({ max: options.max ?? 10_000, ttl: options.maxAgeMs ?? 5 * 60_000 });
    options.feed.subscribe((change) => {
      if (change.kind === 'access_key') this.invalidate(change.id);
      else if (change.kind === 'reset') this.clear();
    });
  }

  /** The key, or undefined when it does not exist. `id` must be a lower-case UUID. */
  async get(id: string): Promise<AuthKey | undefined> {
    const hit = this.#lru.get(id);
    if (hit) {
      this.#hits?.inc();
      return hit;
    }
    this.#misses?.inc();
    let pending = this.#inflight.get(id);
    if (!pending) {
      pending = this.#load(id).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, pending);
    }
    return pending;
  }

  /** The cached key when it is cached and active; never reads the database (the warm path). */
  peekActive(id: string): AuthKey | undefined {
    const key = this.#lru.get(id);
    if (key) this.#hits?.inc();
    return key && !isExpired(key) ? key : undefined;
  }

  /**
   * The key when it exists and has not expired, else undefined: what every authentication
   * path reads, so that an expired key is refused exactly like an unknown one.
   */
  async getActive(id: string): Promise<AuthKey | undefined> {
    const key = await this.get(id);
    return key && !isExpired(key) ? key : undefined;
  }

  async #load(id: string): Promise<AuthKey | undefined> {
    const epoch = this.#epoch;
    const row = await findAccessKeyForAuth(this.#db, id);
    if (!row) return undefined;
    const key: AuthKey = {
      id: row.id,
      projectId: row.project_id,
      secretHash: row.secret_hash,
      expiresAt: row.expire_time?.getTime() ?? null,
    };
    if (epoch === this.#epoch) this.#lru.set(id, key);
    return key;
  }

  invalidate(id: string): void {
    this.#epoch++;
    this.#lru.delete(id);
    this.#inflight.delete(id);
  }

  clear(): void {
    this.#epoch++;
    this.#lru.clear();
    this.#inflight.clear();
  }

  get size(): number {
    return this.#lru.size;
  }
}
