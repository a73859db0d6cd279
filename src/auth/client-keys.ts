// In-process cache of what a key brings to the token endpoint besides its secret: its
// public keys or jwks_uri (client assertions, private_key_jwt) and whether it requires DPoP. Read once
// per key and kept (LRU, bounded, with a maximum age as a safety net); every change on any
// instance drops the key through the change feed (the tables' triggers announce it as a
// change of the key), and a feed reset drops everything, as the credential cache does.
import { LRUCache } from 'lru-cache';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Queryable } from '../db/pool.js';
import { findClientKeysForAuth } from './client-key-queries.js';

export interface ClientKeys {
  /** Public JWKs (public members only, each with alg and kid); empty when the key has none. */
  readonly jwks: ReadonlyArray<Readonly<Record<string, string>>>;
  /** Where the client publishes its public keys instead (https), or null. */
  readonly jwksUri: string | null;
  readonly dpopRequired: boolean;
}

export const NO_CLIENT_KEYS: ClientKeys = Object.freeze({ jwks: Object.freeze([]), jwksUri: null, dpopRequired: false });

export class ClientKeyCache {
  readonly #db: Queryable;
  readonly #lru: LRUCache<string, ClientKeys>;
  readonly #inflight = new Map<string, Promise<ClientKeys>>();
  // A read that started before an invalidation must not fill the cache.
  #epoch = 0;

  constructor(options: { db: Queryable; feed: ChangeFeed; max?: number; maxAgeMs?: number }) {
    this.#db = options.db;
    this.#lru = new LRUCache({ max: options.max ?? 10_000, ttl: options.maxAgeMs ?? 5 * 60_000 });
    options.feed.subscribe((change) => {
      if (change.kind === 'access_key') this.invalidate(change.id);
      else if (change.kind === 'reset') this.clear();
    });
  }

  /** The key's public keys and settings; `id` is a lower-case UUID of an existing key. */
  get(id: string): ClientKeys | Promise<ClientKeys> {
    const hit = this.#lru.get(id);
    if (hit) return hit;
    let pending = this.#inflight.get(id);
    if (!pending) {
      pending = this.#load(id).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, pending);
    }
    return pending;
  }

  async #load(id: string): Promise<ClientKeys> {
    const epoch = this.#epoch;
    const row = await findClientKeysForAuth(this.#db, id);
    const keys: ClientKeys = row.jwks.length || row.dpop_required || row.jwks_uri
      ? Object.freeze({ jwks: Object.freeze(row.jwks.map((k) => Object.freeze(k))), jwksUri: row.jwks_uri, dpopRequired: row.dpop_required === true })
      : NO_CLIENT_KEYS;
    if (epoch === this.#epoch) this.#lru.set(id, keys);
    return keys;
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
}
