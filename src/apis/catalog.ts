// The APIs of each account, cached in memory for the token endpoint and the management
// APIs: read whole (an account has at most MAX_APIS_PER_ACCOUNT), dropped on every
// instance when any of them changes (the 'api' change names the account: migrations/0070),
// and all at once on a feed reset.
import { LRUCache } from 'lru-cache';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Queryable } from '../db/pool.js';
import { listAccountApis, type ApiRow } from './queries.js';

export interface ApiDef {
  id: string;
  identifier: string;
  displayName: string;
  scopes: readonly string[];
  tokenTtlSeconds: number | null;
}

export interface AccountApis {
  byIdentifier(identifier: string): ApiDef | undefined;
  byId(id: string): ApiDef | undefined;
  readonly all: readonly ApiDef[];
}

export const toApiDef = (row: ApiRow): ApiDef => ({
  id: row.id,
  identifier: row.identifier,
  displayName: row.display_name,
  scopes: row.scopes.map((s) => s.name),
  tokenTtlSeconds: row.token_ttl_seconds,
});

function accountApis(rows: ApiRow[]): AccountApis {
  const all = rows.map(toApiDef);
  const byIdentifier = new Map(all.map((a) => [a.identifier, a]));
  const byId = new Map(all.map((a) => [a.id, a]));
  return { all, byIdentifier: (i) => byIdentifier.get(i), byId: (i) => byId.get(i) };
}

export class ApiCatalog {
  readonly #db: Queryable;
  readonly #lru: LRUCache<string, AccountApis>;
  readonly #inflight = new Map<string, Promise<AccountApis>>();
  #epoch = 0;

  constructor(options: { db: Queryable; feed: ChangeFeed; max?: number; maxAgeMs?: number }) {
    this.#db = options.db;
    this.#lru = new LRUCache({ max: options.max ?? 10_000, ttl: options.maxAgeMs ?? 5 * 60_000 });
    options.feed.subscribe((change) => {
      if (change.kind === 'api') this.invalidate(change.id);
      else if (change.kind === 'reset') this.clear();
    });
  }

  forAccount(accountId: string): AccountApis | Promise<AccountApis> {
    const hit = this.#lru.get(accountId);
    if (hit) return hit;
    let pending = this.#inflight.get(accountId);
    if (!pending) {
      const epoch = this.#epoch;
      pending = listAccountApis(this.#db, accountId)
        .then((rows) => {
          const apis = accountApis(rows);
          if (epoch === this.#epoch) this.#lru.set(accountId, apis);
          return apis;
        })
        .finally(() => this.#inflight.delete(accountId));
      this.#inflight.set(accountId, pending);
    }
    return pending;
  }

  invalidate(accountId: string): void {
    this.#epoch++;
    this.#lru.delete(accountId);
    this.#inflight.delete(accountId);
  }

  clear(): void {
    this.#epoch++;
    this.#lru.clear();
    this.#inflight.clear();
  }
}
