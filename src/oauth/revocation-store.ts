// Each instance's copy of the revocation feed (issue 14): the Key IDs whose tokens issued
// until a time are revoked (deleted, expired, or revoked with a secret) and the jtis of
// single revoked tokens, for as long as a token they cover can still be valid (the longest
// token lifetime, plus clock leeway). Re-read when the change feed announces a revocation
// or a key change (a deleted key; the feed's own poll is the safety net for a lost
// notification), at the next key expiry and when the oldest entry ages out: an idle
// instance makes no query for it;
// GET /oauth2/revocations serves it with an ETag, and holds a conditional request open
// until it changes (long-poll). Reads are coalesced: one query in flight per instance.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Queryable } from '../db/pool.js';
import { deleteOldRevocations, insertTokenRevocation, listRevocations, type RevocationRow } from './revocation-queries.js';

export interface RevocationDocument {
  issuer: string;
  /** Refuse a token with this client_id and iat <= revoked_at (NumericDate, seconds). */
  keys: { key_id: string; revoked_at: number }[];
  /** Refuse the token with this jti (until its exp). */
  tokens: { jti: string; exp: number }[];
  /** How long an entry is kept: no token lives longer. */
  max_token_lifetime: number;
}

export interface RevocationStoreOptions {
  db: Queryable;
  feed: ChangeFeed;
  log: Pick<Logger, 'warn'>;
  issuer: string;
  tokenTtlSeconds: number;
  /** Counts the statements of each re-read (they are background work, not a request's). */
  statements?: { inc(n?: number): void };
}

const LEEWAY_SECONDS = 60;
const PRUNE_MS = 10 * 60_000;
const MAX_TIMER_MS = 3600_000;
const RETRY_MS = 1_000;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export class RevocationStore {
  #doc: RevocationDocument;
  #body = '';
  #etag = '';
  #keys = new Map<string, number>();
  #tokens = new Set<string>();
  #waiters = new Set<() => void>();
  #reading: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #prunedAt = 0;
  #closed = false;
  readonly #keep: number;

  constructor(private readonly opts: RevocationStoreOptions) {
    this.#keep = opts.tokenTtlSeconds + LEEWAY_SECONDS;
    this.#doc = { issuer: opts.issuer, keys: [], tokens: [], max_token_lifetime: opts.tokenTtlSeconds };
    this.#publish(this.#doc);
  }

  async start(): Promise<void> {
    this.opts.feed.subscribe((change) => {
      if (change.kind === 'revocations' || change.kind === 'access_key' || change.kind === 'reset') {
        void this.refresh();
      }
    });
    await this.refresh();
  }

  get body(): string {
    return this.#body;
  }

  get etag(): string {
    return this.#etag;
  }

  /** True once close() was called (shutdown): held requests and event streams end. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True when an offline verifier must refuse this token (the instance's own checks use it too). */
  isRevoked(clientId: string, iat: number | undefined, jti: string | undefined): boolean {
    if (jti !== undefined && this.#tokens.has(jti)) return true;
    const at = this.#keys.get(clientId);
    return at !== undefined && (iat === undefined || iat <= at);
  }

  /** Resolves when the document's ETag differs from `etag`, or after `ms` (or at close). */
  waitForChange(etag: string, ms: number): Promise<void> {
    if (etag !== this.#etag || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  /** Revokes one token (RFC 7009) and applies it here before answering. */
  async revokeToken(jti: string, exp: number): Promise<void> {
    await insertTokenRevocation(this.opts.db, jti, new Date(exp * 1000));
    await this.opts.feed.publish({ kind: 'revocations' });
    await this.refresh();
  }

  /** Re-reads the feed; a call during a read makes one more read after it. */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#reading) {
      this.#again = true;
      return this.#reading;
    }
    this.#reading = this.#read().finally(() => {
      this.#reading = undefined;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#reading;
  }

  async #read(): Promise<void> {
    try {
      this.opts.statements?.inc(2);
      const { rows, nextExpiry } = await listRevocations(this.opts.db, this.#keep);
      const doc = this.#toDocument(rows);
      this.#publish(doc);
      this.#scheduleNext(nextExpiry, doc);
      if (Date.now() - this.#prunedAt > PRUNE_MS) {
        this.#prunedAt = Date.now();
        this.opts.statements?.inc();
        await deleteOldRevocations(this.opts.db, this.#keep);
      }
    } catch (err) {
      // The last copy stays served, and is read again shortly.
      this.opts.log.warn({ err: { message: (err as Error).message } }, 'could not read the revocation feed; serving the last copy');
      this.#schedule(RETRY_MS);
    }
  }

  #toDocument(rows: RevocationRow[]): RevocationDocument {
    const keys = new Map<string, number>();
    const tokens = new Map<string, number>();
    for (const row of rows) {
      if (row.kind === 'key') keys.set(row.id, Math.max(keys.get(row.id) ?? 0, seconds(row.revoked_at)));
      else tokens.set(row.id, seconds(row.expires_at!));
    }
    return {
      issuer: this.opts.issuer,
      keys: [...keys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key_id, revoked_at]) => ({ key_id, revoked_at })),
      tokens: [...tokens].sort(([a], [b]) => (a < b ? -1 : 1)).map(([jti, exp]) => ({ jti, exp })),
      max_token_lifetime: this.opts.tokenTtlSeconds,
    };
  }

  #publish(doc: RevocationDocument): void {
    const body = JSON.stringify(doc);
    if (body === this.#body) return;
    this.#doc = doc;
    this.#body = body;
    this.#etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    this.#keys = new Map(doc.keys.map((k) => [k.key_id, k.revoked_at]));
    this.#tokens = new Set(doc.tokens.map((t) => t.jti));
    for (const wake of [...this.#waiters]) wake();
  }

  // The feed also changes with no row changing: when a key expires and when an entry ages
  // out. Read again just after the first of those.
  #scheduleNext(nextExpiry: Date | null, doc: RevocationDocument): void {
    let first = nextExpiry?.getTime() ?? Infinity;
    for (const k of doc.keys) first = Math.min(first, (k.revoked_at + this.#keep + 1) * 1000);
    for (const t of doc.tokens) first = Math.min(first, (t.exp + 1) * 1000);
    if (first === Infinity) return void clearTimeout(this.#timer);
    this.#schedule(first - Date.now() + 50);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.refresh(), Math.min(Math.max(ms, 0), MAX_TIMER_MS)).unref();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const wake of [...this.#waiters]) wake();
  }
}

type Verify<T> = (token: string) => Promise<T | undefined>;

/** `verify` that also refuses what the feed revokes: Keymint's own checks (management API, introspection) agree with offline verifiers. */
export function refusingRevoked<T extends { clientId: string; payload: { iat?: number; jti?: string } }>(verify: Verify<T>, store: RevocationStore): Verify<T> {
  return async (token) => {
    const verified = await verify(token);
    if (!verified) return undefined;
    const { iat, jti } = verified.payload;
    return store.isRevoked(verified.clientId.toLowerCase(), iat, jti) ? undefined : verified;
  };
}
