// Every active REST Basic key that can be judged from memory, resident (issue 12: the cold
// path with no read). At start the keys are loaded a page at a time in the background
// (resident-queries.ts: packed rows, no object per key); until then, and for any key not
// resident, the cache reads the database as before (key-cache.ts). A key read from the
// database that qualifies (a digest secret, no previous secret, no public keys or DPoP)
// becomes resident too, grants included. Freshness is the change feed's, exactly as for
// the cache: a change of a key on any instance removes it here at once, and a feed reset
// (changes may have been missed) drops everything and loads it again. A page read while a
// key changed does not bring that key back: it is skipped (read again on demand). While the
// feed has not caught up for the cache's maximum age (5 min), the table is not trusted and
// every key is read, as a cache entry would have expired: a cut feed bounds staleness alike.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { NO_CLIENT_KEYS } from './client-keys.js';
import type { AuthKey } from './auth-key.js';
import { DIGEST_PREFIX } from './secret-hash.js';
import { estimateKeyCount, PACKED_BYTES, readResidentPage } from './resident-queries.js';
import { ResidentTable, type ResidentProfile } from './resident-table.js';

const PAGE = 10_000;

/** As long as the key cache keeps an entry at most (key-cache.ts): the same safety net. */
export const MAX_STALE_MS = 5 * 60_000;

export interface ResidentKeysOptions {
  db: Queryable;
  log: Pick<Logger, 'info' | 'warn'>;
  /**
   * The change feed that keeps the table fresh. A feed that has not caught up for
   * `maxStaleMs` (its connection cut, say) may have missed changes: the table is not
   * trusted meanwhile, and every key is read again, as the cache's maximum age makes it.
   */
  feed?: Pick<ChangeFeed, 'caughtUpAt'>;
  maxStaleMs?: number;
  /** Rows per page at load (tests make it small). */
  page?: number;
}

const uuidText = (b: Buffer, at: number): string => {
  const h = b.toString('hex', at, at + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** Whether `key` can be judged from memory alone (its row holds everything a token needs). */
export function qualifies(key: AuthKey): boolean {
  return (
    key.kind === 'basic' &&
    key.username === null &&
    key.previousSecretHash === null &&
    key.clientKeys === NO_CLIENT_KEYS &&
    key.secretHash !== null &&
    key.secretHash.length === DIGEST_PREFIX.length + 43 &&
    key.secretHash.startsWith(DIGEST_PREFIX)
  );
}

export class ResidentKeys {
  #table = new ResidentTable();
  #loaded = false;
  #generation = 0;
  /** For each page being read, the keys changed meanwhile: that page must not bring them back. */
  readonly #collectors = new Set<Set<string>>();
  readonly #profiles = new Map<string, ResidentProfile>();

  constructor(private readonly opts: ResidentKeysOptions) {}

  /** Whether every qualifying key has been loaded (until then a miss says nothing). */
  get loaded(): boolean {
    return this.#loaded;
  }

  get size(): number {
    return this.#table.size;
  }

  get bytes(): number {
    return this.#table.bytes;
  }

  /** Loads every qualifying key; resolves when done (or failed: then misses keep reading). */
  start(): Promise<void> {
    return this.#load(this.#generation);
  }

  /** Whether the change feed has caught up recently enough for the table to be trusted. */
  get fresh(): boolean {
    const feed = this.opts.feed;
    return !feed || Date.now() - feed.caughtUpAt() <= (this.opts.maxStaleMs ?? MAX_STALE_MS);
  }

  /** The key, when resident (and the table fresh). */
  get(id: string): AuthKey | undefined {
    if (!this.fresh) return undefined;
    const entry = this.#table.get(id);
    if (!entry) return undefined;
    const { profile } = entry;
    return {
      id,
      projectId: profile.projectId,
      kind: 'basic',
      secretHash: DIGEST_PREFIX + Buffer.from(entry.digest.buffer, entry.digest.byteOffset, 32).toString('base64url'),
      sealedSecret: null,
      username: null,
      expiresAt: entry.expiresAt,
      accountId: profile.accountId,
      policy: profile.policy,
      previousSecretHash: null,
      previousSealedSecret: null,
      previousSecretExpiresAt: null,
      clientKeys: NO_CLIENT_KEYS,
    };
  }

  /** A key just read from the database (no change of it since the read began): kept if it qualifies. */
  offer(key: AuthKey): void {
    if (!qualifies(key)) return;
    const digest = Buffer.from(key.secretHash!.slice(DIGEST_PREFIX.length), 'base64url');
    this.#table.set(key.id, digest, key.expiresAt, this.#profile(key.projectId, key.accountId, key.policy));
  }

  /** The key changed (or was deleted) somewhere. */
  remove(id: string): void {
    this.#table.remove(id);
    for (const changed of this.#collectors) changed.add(id);
  }

  /** Changes may have been missed: drop everything and load again. */
  reset(): void {
    this.#generation++;
    this.#table = new ResidentTable();
    this.#profiles.clear();
    this.#loaded = false;
    void this.start();
  }

  #profile(projectId: string, accountId: string, policy: AuthKey['policy']): ResidentProfile {
    if (policy) return { projectId, accountId, policy };
    const key = `${projectId}|${accountId}`;
    let profile = this.#profiles.get(key);
    if (!profile) this.#profiles.set(key, (profile = { projectId, accountId, policy: null }));
    return profile;
  }

  async #load(generation: number): Promise<void> {
    const started = Date.now();
    const expected = await estimateKeyCount(this.opts.db).catch(() => 0);
    if (generation !== this.#generation) return;
    if (this.#table.size === 0) this.#table = new ResidentTable(Math.ceil(expected * 1.05) + 1024);
    let after: string | null = null;
    let failures = 0;
    for (;;) {
      const changed = new Set<string>();
      this.#collectors.add(changed);
      let page;
      try {
        page = await readResidentPage(this.opts.db, after, this.opts.page ?? PAGE);
        failures = 0;
      } catch (err) {
        // The database away or slow (a statement timeout): keys are read as they are asked
        // for meanwhile, and the load goes on from this page, later.
        failures++;
        this.opts.log.warn({ err: (err as Error).message, failures }, 'could not read a page of resident keys; trying again');
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** Math.min(failures, 6))).unref());
        if (generation !== this.#generation) return;
        continue;
      } finally {
        this.#collectors.delete(changed);
      }
      if (generation !== this.#generation) return; // reset meanwhile: that load goes on
      if (page.count && page.packed) this.#add(page.packed, page.count, changed);
      if (!page.last || page.scanned < (this.opts.page ?? PAGE)) break;
      after = page.last;
    }
    this.#loaded = true;
    this.opts.log.info({ keys: this.#table.size, ms: Date.now() - started, megabytes: Math.round(this.#table.bytes / 1048576) }, 'resident keys loaded');
  }

  #add(packed: Buffer, count: number, changed: ReadonlySet<string>): void {
    const accounts = new Map<string, ResidentProfile>();
    for (let i = 0; i < count; i++) {
      const at = i * PACKED_BYTES;
      const id = uuidText(packed, at);
      // Changed while this page was read: it may hold the row from before.
      if (changed.has(id)) continue;
      const expiry = packed.readDoubleBE(at + 48);
      const pair = packed.toString('hex', at + 56, at + 88);
      let profile = accounts.get(pair);
      if (!profile) accounts.set(pair, (profile = this.#profile(uuidText(packed, at + 56), uuidText(packed, at + 72), null)));
      this.#table.set(id, packed.subarray(at + 16, at + 48), Number.isNaN(expiry) ? null : expiry, profile);
    }
  }
}
