// In-process cache of the credential rows that authentication reads (id, project, kind,
// secret hash or sealed secret, expiry, grants, public keys), so warm token and API requests make no database
// round trip. Bounded (LRU), with a maximum age as a safety net; every change to a key, on
// any instance, drops it at once through the change feed, and a feed reset drops
// everything. Legacy credentials are also found by username: that entry is an alias
// dropped together with the id's (invalidation is by the row's ID, never by a spelling:
// a username has one canonical form, so one entry). An ID the known-IDs filter has never
// seen is not looked up at all (known-ids.ts).
import { LRUCache } from 'lru-cache';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Queryable } from '../db/pool.js';
import type { Metrics } from '../metrics/registry.js';
import { canonicalPresentedId } from '../kernel/identifiers.js';
import { isUuid } from '../kernel/ids.js';
import type { KnownIds } from './known-ids.js';
import { clientKeysOf } from './client-keys.js';
import type { AuthKey } from './auth-key.js';
import { batchedReads } from '../db/batched-reads.js';
import type { ResidentKeys } from './resident-keys.js';
import { findAccessKeysForAuth, findLegacyCredentialForAuth, type AccessKeyAuthRow } from './queries.js';

export type { AuthKey };

/**
 * Reads a credential by what a client presents as its ID: an API key (UUID) or a legacy
 * username, in their canonical form (kernel/identifiers.ts); anything else is no credential
 * and is not looked up.
 */
export function findPresented(keys: AccessKeyCache, presentedId: string): Promise<AuthKey | undefined> {
  const canonical = canonicalPresentedId(presentedId);
  if (!canonical) return Promise.resolve(undefined);
  return canonical.id !== undefined ? keys.getActive(canonical.id) : keys.getActiveByUsername(canonical.username);
}

/** findPresented without a database read: the cached credential, or undefined. */
export function peekPresented(keys: AccessKeyCache, presentedId: string): AuthKey | undefined {
  const canonical = canonicalPresentedId(presentedId);
  if (!canonical) return undefined;
  return canonical.id !== undefined ? keys.peekActive(canonical.id) : keys.peekActive(canonical.username, true);
}

/** Judged at each use against the clock, never once at caching time. */
export const isExpired = (key: AuthKey, now = Date.now()): boolean => key.expiresAt !== null && key.expiresAt <= now;

export interface KeyCacheOptions {
  db: Queryable;
  feed: ChangeFeed;
  metrics?: Metrics;
  max?: number;
  maxAgeMs?: number;
  /** The filter of existing Key IDs: an ID it does not know is not looked up. */
  known?: KnownIds;
  /** Cold reads as a prepared statement (Postgres; not PGlite: auth/queries.ts). */
  preparedReads?: boolean;
  /** Every qualifying key in memory (resident-keys.ts): a miss here is looked up there first. */
  resident?: ResidentKeys;
}

const USERNAME = 'u:';

export class AccessKeyCache {
  readonly #db: Queryable;
  readonly #known?: KnownIds;
  readonly #resident?: ResidentKeys;
  // Label sets bound once: these counters run on every warm request.
  readonly #hits?: { inc(): void };
  readonly #misses?: { inc(): void };
  readonly #filtered?: { inc(): void };
  readonly #lru: LRUCache<string, AuthKey>;
  readonly #inflight = new Map<string, Promise<AuthKey | undefined>>();
  /** id -> the username entry of a cached legacy credential. */
  readonly #aliases = new Map<string, string>();
  /** Cold reads by ID: those asked for together go in one statement (db/batched-reads.ts). */
  readonly #read: (id: string) => Promise<AccessKeyAuthRow | undefined>;
  // Bumped on every invalidation: a read that started before it must not fill the cache
  // with a row that may have been deleted or changed meanwhile.
  #epoch = 0;

  constructor(options: KeyCacheOptions) {
    this.#db = options.db;
    this.#known = options.known;
    this.#resident = options.resident;
    this.#read = batchedReads((ids) => findAccessKeysForAuth(this.#db, ids, options.preparedReads));
    this.#hits = options.metrics?.cacheLookups.labels('access_key', 'hit');
    this.#misses = options.metrics?.cacheLookups.labels('access_key', 'miss');
    this.#filtered = options.metrics?.cacheLookups.labels('access_key', 'unknown_filtered');
    this.#lru = new LRUCache({
      max: options.max ?? 10_000,
      ttl: options.maxAgeMs ?? 5 * 60_000,
      dispose: (value, entry) => {
        if (entry.startsWith(USERNAME) && this.#aliases.get(value.id) === entry) this.#aliases.delete(value.id);
      },
    });
    options.feed.subscribe((change) => {
      if (change.kind === 'access_key') this.invalidate(change.id);
      else if (change.kind === 'reset') this.clear();
    });
  }

  /** The key, or undefined when it does not exist. `id` must be a lower-case UUID. */
  async get(id: string): Promise<AuthKey | undefined> {
    // Never in a batched read: one malformed ID would fail the statement for every key in it.
    if (!isUuid(id)) return undefined;
    const hit = this.#lru.get(id) ?? this.#fromResident(id);
    if (!hit && this.#known && !(await this.#known.mayExist(id))) {
      this.#filtered?.inc();
      return undefined;
    }
    return this.#through(id, () => this.#read(id));
  }

  /** A legacy credential by username, or undefined. `username` is canonical (kernel/identifiers.ts): one entry per row. */
  async getByUsername(username: string): Promise<AuthKey | undefined> {
    return this.#through(USERNAME + username, () => findLegacyCredentialForAuth(this.#db, username));
  }

  async #through(entry: string, read: () => Promise<AccessKeyAuthRow | undefined>): Promise<AuthKey | undefined> {
    const hit = this.#lru.get(entry);
    if (hit) {
      this.#hits?.inc();
      return hit;
    }
    this.#misses?.inc();
    let pending = this.#inflight.get(entry);
    if (!pending) {
      pending = this.#load(entry, read).finally(() => this.#inflight.delete(entry));
      this.#inflight.set(entry, pending);
    }
    return pending;
  }

  /**
   * The cached key when it is cached and active; never reads the database (the warm path).
   * `id` is a lower-case UUID, or a canonical legacy username.
   */
  peekActive(id: string, byUsername = false): AuthKey | undefined {
    const key = byUsername ? this.#lru.get(USERNAME + id) : (this.#lru.get(id) ?? this.#fromResident(id));
    if (key) this.#hits?.inc();
    return key && !isExpired(key) ? key : undefined;
  }

  /** A resident key (resident-keys.ts), cached from now on like one read. */
  #fromResident(id: string): AuthKey | undefined {
    const key = this.#resident?.get(id);
    if (key) this.#lru.set(id, key);
    return key;
  }

  /** The cached key, expired or not; never reads the database (usage counting of expired keys). */
  peek(id: string): AuthKey | undefined {
    return this.#lru.peek(id);
  }

  /**
   * The key when it exists and has not expired, else undefined: what every authentication
   * path reads, so that an expired key is refused exactly like an unknown one.
   */
  async getActive(id: string): Promise<AuthKey | undefined> {
    const key = await this.get(id);
    return key && !isExpired(key) ? key : undefined;
  }

  async getActiveByUsername(username: string): Promise<AuthKey | undefined> {
    const key = await this.getByUsername(username);
    return key && !isExpired(key) ? key : undefined;
  }

  async #load(entry: string, read: () => Promise<AccessKeyAuthRow | undefined>): Promise<AuthKey | undefined> {
    const epoch = this.#epoch;
    const row = await read();
    if (!row) return undefined;
    const key: AuthKey = {
      id: row.id,
      projectId: row.project_id,
      kind: row.kind,
      secretHash: row.secret_hash,
      sealedSecret: row.secret_sealed,
      username: row.username,
      expiresAt: row.expire_time?.getTime() ?? null,
      accountId: row.account_id,
      policy: row.policy,
      previousSecretHash: row.previous_secret_hash,
      previousSealedSecret: row.previous_secret_sealed,
      previousSecretExpiresAt: row.previous_secret_expire_time?.getTime() ?? null,
      clientKeys: clientKeysOf(row),
    };
    if (epoch === this.#epoch) {
      this.#lru.set(entry, key);
      this.#resident?.offer(key);
      if (entry.startsWith(USERNAME)) {
        // Also by its ID: the token endpoint checks the secret by the client's canonical ID.
        this.#aliases.set(key.id, entry);
        this.#lru.set(key.id, key);
      }
    }
    return key;
  }

  invalidate(id: string): void {
    this.#epoch++;
    this.#resident?.remove(id);
    this.#lru.delete(id);
    this.#inflight.delete(id);
    const alias = this.#aliases.get(id);
    if (alias !== undefined) {
      this.#aliases.delete(id);
      this.#lru.delete(alias);
      this.#inflight.delete(alias);
    }
  }

  clear(): void {
    this.#epoch++;
    this.#resident?.reset();
    this.#lru.clear();
    this.#inflight.clear();
    this.#aliases.clear();
  }

  get size(): number {
    return this.#lru.size;
  }
}
