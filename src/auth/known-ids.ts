// A compact filter of the Key IDs that exist (a Bloom filter, 16 bits per key: 2 MB for a
// million keys, about one false "maybe" in a thousand), so that a flood of made-up Key IDs
// is answered without a query. Loaded in pages at start (until then every ID "may exist"),
// then kept fresh, at most once a second and only while it is being asked, by reading the
// keys created since the last look, on any instance or by SQL (migrations/0020). A key created on another instance moments ago is
// not missed meanwhile: Keymint's Key IDs are UUIDv7, and an ID whose timestamp is newer
// than the filter's last look (less a margin) waits for a look that starts after it came
// (shared by all such IDs; at most one per LOOK_GAP_MS), then is judged by the filter. Deleted keys stay
// in the filter (a lookup then finds nothing): it only ever answers "no" or "maybe".
// The bit positions come from a keyed hash (a random salt per process), so nobody can
// choose made-up IDs that the filter takes for real ones.
import { hash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { listAccessKeyIdsCreatedSince, listAccessKeyIdsPage, databaseNow } from './queries.js';

const BITS_PER_KEY = 16;
const HASHES = 6;
const MIN_BITS = 1 << 20;
const PAGE = 20_000;
/** Covers transactions in flight at a look and clocks that differ between instances. */
export const MARGIN_MS = 10_000;
/** Looks for IDs newer than the filter start at most this often (a new key's first request waits this long at most). */
export const LOOK_GAP_MS = 50;

export interface KnownIdsOptions {
  db: Queryable;
  log: Pick<Logger, 'warn' | 'info'>;
  refreshMs?: number;
}

/** The creation time written in a UUIDv7, or undefined for another version. */
function v7Time(id: string): number | undefined {
  if (id[14] !== '7') return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export class KnownIds {
  readonly #salt = randomBytes(16).toString('hex');
  #bits = new Uint32Array(MIN_BITS / 32);
  #size = MIN_BITS;
  #count = 0;
  #ready = false;
  /** Keys created before this (by the database's clock) are in the filter. */
  #coveredUntil = 0;
  #lookedAt = 0;
  #lastLookStart = 0;
  /** The IDs the last look read (the keys created within its margin). */
  #lastLookIds = new Set<string>();
  /** The look being made, and the next one promised to callers waiting for a look after them. */
  #running: Promise<boolean | Error> | undefined;
  #nextLook: Promise<boolean | Error> | undefined;
  #stopped = false;

  constructor(private readonly opts: KnownIdsOptions) {}

  /** Loads the filter in the background; the returned promise settles when it is loaded. */
  start(): Promise<void> {
    return this.#load().catch((err: Error) => this.opts.log.warn({ err: err.message }, 'could not load the known Key IDs; every ID is looked up'));
  }

  stop(): void {
    this.#stopped = true;
  }

  get ready(): boolean {
    return this.#ready;
  }

  #positions(id: string): number[] {
    const h = hash('sha256', this.#salt + id, 'buffer') as unknown as Buffer;
    const out: number[] = [];
    for (let i = 0; i < HASHES; i++) out.push(h.readUInt32LE(i * 4) % this.#size);
    return out;
  }

  add(id: string): void {
    let fresh = false;
    for (const p of this.#positions(id)) {
      const bit = 1 << (p & 31);
      if ((this.#bits[p >>> 5] & bit) === 0) fresh = true;
      this.#bits[p >>> 5] |= bit;
    }
    if (fresh) this.#count++;
  }

  /**
   * False when the ID certainly names no key (no query needed); true when it may. `id` is a
   * lower-case UUID. An ID whose UUIDv7 time is newer than the filter's last look may name a
   * key created since: it waits for a look that starts after it arrived (one statement shared
   * by every such ID meanwhile, at most one per LOOK_GAP_MS), so that a flood of made-up IDs
   * shaped like new ones costs a few statements a second, not one each.
   */
  mayExist(id: string): boolean | Promise<boolean> {
    if (!this.#ready) return true;
    const created = v7Time(id);
    // Newer than the last look, and not from the future (a made-up timestamp would be a look each).
    if (created !== undefined && created >= this.#coveredUntil - MARGIN_MS && created <= Date.now() + MARGIN_MS) {
      return this.#lookAfterNow().then((looked) => {
        // The database did not answer the look: nor would it the lookup (503, not a second wait).
        if (looked instanceof Error) throw looked;
        return !looked || this.#inFilter(id);
      });
    }
    if (this.#inFilter(id)) return true;
    // Refreshed only when it refuses, at most once an interval: clients that work cause no query.
    if (Date.now() - this.#lookedAt > (this.opts.refreshMs ?? 1000)) void this.#refresh();
    return false;
  }

  #inFilter(id: string): boolean {
    for (const p of this.#positions(id)) if ((this.#bits[p >>> 5] & (1 << (p & 31))) === 0) return false;
    return true;
  }

  /**
   * Resolves once a look that STARTED after this call has ended: true when it read the keys
   * created meanwhile, the error when the database failed it, false when the filter is
   * stopped. A key whose create answered before the client asked is committed before that
   * look starts.
   */
  #lookAfterNow(): Promise<boolean | Error> {
    this.#nextLook ??= (async () => {
      await this.#running;
      const wait = this.#lastLookStart + LOOK_GAP_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.#nextLook = undefined; // callers from here on need a look that starts after them
      return this.#refresh();
    })();
    return this.#nextLook;
  }

  async #load(): Promise<void> {
    const since = await databaseNow(this.opts.db);
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await listAccessKeyIdsPage(this.opts.db, after, PAGE);
      ids.push(...page);
      if (page.length < PAGE || this.#stopped) break;
      after = page[page.length - 1];
    }
    this.#rebuild(ids);
    this.#coveredUntil = since.getTime();
    this.#lookedAt = Date.now();
    this.#ready = true;
  }

  #rebuild(ids: string[]): void {
    let size = MIN_BITS;
    while (size < ids.length * BITS_PER_KEY * 2) size *= 2; // room to double before the next rebuild
    this.#size = size;
    this.#bits = new Uint32Array(size / 32);
    this.#count = 0;
    for (const id of ids) this.add(id);
  }

  /** Reads the keys created since the last look (one at a time); true when it did, else why not. */
  #refresh(): Promise<boolean | Error> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.#running) return this.#running.then(() => this.#refresh());
    const run = this.#look().finally(() => (this.#running = undefined));
    this.#running = run;
    return run;
  }

  async #look(): Promise<true | Error> {
    this.#lookedAt = this.#lastLookStart = Date.now();
    try {
      const { ids, now } = await listAccessKeyIdsCreatedSince(this.opts.db, new Date(this.#coveredUntil - MARGIN_MS));
      // Each look reads the margin again: what the last one added is not hashed anew.
      const seen = this.#lastLookIds;
      for (const id of ids) if (!seen.has(id)) this.add(id);
      this.#lastLookIds = new Set(ids);
      this.#coveredUntil = now.getTime();
      // Past its room the filter would say "maybe" too often: read it anew.
      if (this.#count * BITS_PER_KEY > this.#size) await this.#load();
      return true;
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'could not refresh the known Key IDs');
      return err as Error;
    }
  }
}
