// Follows Keymint's revocation feed (GET /oauth2/revocations) for keymint/verify: one
// background request at a time per feed URL in the process, shared by every verifier and
// every verification, so checking a token costs no round trip. Each request is
// conditional (If-None-Match) and long-polls (?wait=): Keymint answers as soon as something
// is revoked, else 304 after `waitSeconds`; the next request follows at once (after
// `intervalMs` when long-polling is off, and with a growing pause after a failure). When
// the feed cannot be read the last copy keeps being used (availability of the resource API
// over freshness), and `onError` hears of it; unless `maxStalenessMs` is set (opt-in): then
// once no read has completed for that long, verification refuses every token (fail closed)
// until a read completes again. A long-poll completes at least every `waitSeconds`, so a
// healthy feed is never older than that (plus a round trip).
import { InvalidTokenError, RevocationFeedStaleError } from './errors.js';

export interface RevocationFeedOptions {
  /** The feed's URL. Default: `${issuer}/oauth2/revocations`. */
  url?: string;
  /** Pause between requests when not long-polling, and the floor of the backoff. Default 1000. */
  intervalMs?: number;
  /** How long Keymint may hold a request until something changes (0 to 20). Default 20. */
  waitSeconds?: number;
  /** Told of each failed read (the last copy stays in use). */
  onError?: (err: Error) => void;
  /**
   * Opt-in fail-closed bound: when no read of the feed has completed for this long (ms),
   * verification refuses every token with RevocationFeedStaleError (a 503 from
   * requireAccessToken) instead of trusting the old copy, until a read completes again; also
   * when the first read failed. At least max(waitSeconds × 1000, intervalMs) + 1000. Default:
   * none, the last copy is used however old (availability over freshness).
   */
  maxStalenessMs?: number;
}

interface FeedDocument {
  keys?: { key_id?: unknown; revoked_at?: unknown }[];
  tokens?: { jti?: unknown; exp?: unknown }[];
}

const FIRST_READ_TIMEOUT_MS = 5_000;

export class RevocationFollower {
  #keys = new Map<string, number>();
  #tokens = new Set<string>();
  #etag: string | undefined;
  #users = 0;
  #running = false;
  #abort: AbortController | undefined;
  #first: Promise<void>;
  #firstDone!: () => void;
  #failures = 0;
  /** When the last read completed (200 or 304): the copy is known current as of then. */
  #currentAt: number | undefined;

  constructor(
    readonly url: string,
    private readonly opts: Required<Pick<RevocationFeedOptions, 'intervalMs' | 'waitSeconds'>> & Pick<RevocationFeedOptions, 'onError'>,
    private readonly fetchImpl: typeof fetch,
  ) {
    this.#first = new Promise((resolve) => (this.#firstDone = resolve));
  }

  /** Resolves once the first read finished (or failed, or took too long): before it, nothing would be refused. */
  ready(): Promise<void> {
    return this.#first;
  }

  /** Throws RevocationFeedStaleError when no read has completed for more than `maxStalenessMs` (or none ever did). */
  assertFresh(maxStalenessMs: number, now = Date.now()): void {
    const age = this.#currentAt === undefined ? undefined : now - this.#currentAt;
    if (age !== undefined && age <= maxStalenessMs) return;
    throw new RevocationFeedStaleError(
      age === undefined
        ? `The revocation feed ${this.url} could not be read yet: tokens are refused until it is (maxStalenessMs).`
        : `The revocation feed ${this.url} was last read ${Math.round(age / 1000)} s ago, more than maxStalenessMs ${maxStalenessMs} allows: tokens are refused until it is read again.`,
      age,
    );
  }

  /** Throws InvalidTokenError when the feed revokes this token. Synchronous: no I/O. */
  check(clientId: string, iat: number | undefined, jti: string | undefined): void {
    if (jti !== undefined && this.#tokens.has(jti)) throw new InvalidTokenError('The access token has been revoked.');
    const at = this.#keys.get(clientId.toLowerCase());
    if (at !== undefined && (iat === undefined || iat <= at)) {
      throw new InvalidTokenError("The access token's key has been deleted, has expired or had its tokens revoked.");
    }
  }

  acquire(): void {
    this.#users++;
    if (!this.#running) {
      this.#running = true;
      setTimeout(() => this.#firstDone(), FIRST_READ_TIMEOUT_MS).unref();
      void this.#loop();
    }
  }

  release(): void {
    if (--this.#users > 0) return;
    this.#running = false;
    this.#abort?.abort();
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const longPoll = this.#etag !== undefined && this.opts.waitSeconds > 0;
      const started = Date.now();
      try {
        const status = await this.#read(longPoll);
        this.#currentAt = Date.now();
        this.#failures = 0;
        // A server that does not hold the request (an old Keymint, a cache in between)
        // answers at once: then this is plain polling, once per interval.
        if (!longPoll || (status === 304 && Date.now() - started < this.opts.intervalMs)) await this.#pause(this.opts.intervalMs);
      } catch (err) {
        if (!this.#running) return;
        this.#failures++;
        this.opts.onError?.(err as Error);
        await this.#pause(Math.min(this.opts.intervalMs * 2 ** Math.min(this.#failures - 1, 5), 30_000));
      } finally {
        this.#firstDone();
      }
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }

  async #read(longPoll: boolean): Promise<number> {
    this.#abort = new AbortController();
    const timer = setTimeout(() => this.#abort?.abort(), (longPoll ? this.opts.waitSeconds : 0) * 1000 + 10_000).unref();
    try {
      const url = longPoll ? `${this.url}${this.url.includes('?') ? '&' : '?'}wait=${this.opts.waitSeconds}` : this.url;
      const res = await this.fetchImpl(url, {
        headers: { accept: 'application/json', ...(this.#etag ? { 'if-none-match': this.#etag } : {}) },
        signal: this.#abort.signal,
      });
      if (res.status === 304) {
        await res.body?.cancel().catch(() => {});
        return 304;
      }
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {});
        throw new Error(`the revocation feed ${this.url} answered HTTP ${res.status}`);
      }
      const doc = (await res.json()) as FeedDocument;
      this.#apply(doc);
      this.#etag = res.headers.get('etag') ?? undefined;
      return 200;
    } finally {
      clearTimeout(timer);
    }
  }

  #apply(doc: FeedDocument): void {
    if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.keys) || !Array.isArray(doc.tokens)) {
      throw new Error(`the revocation feed ${this.url} is not a revocation document`);
    }
    const keys = new Map<string, number>();
    for (const k of doc.keys) if (typeof k.key_id === 'string' && typeof k.revoked_at === 'number') keys.set(k.key_id.toLowerCase(), k.revoked_at);
    const tokens = new Set<string>();
    for (const t of doc.tokens) if (typeof t.jti === 'string') tokens.add(t.jti);
    this.#keys = keys;
    this.#tokens = tokens;
  }
}

// One follower per feed (URL, timing, fetch) in the process: verifiers share it.
const followers = new WeakMap<typeof fetch, Map<string, RevocationFollower>>();

export function followerFor(issuer: string, options: RevocationFeedOptions, fetchImpl: typeof fetch): RevocationFollower {
  const url = options.url ?? `${issuer.replace(/\/$/, '')}/oauth2/revocations`;
  const waitSeconds = options.waitSeconds ?? 20;
  const intervalMs = options.intervalMs ?? 1000;
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 20) throw new TypeError('revocations.waitSeconds must be a whole number from 0 to 20');
  if (!Number.isFinite(intervalMs) || intervalMs < 50) throw new TypeError('revocations.intervalMs must be at least 50');
  const { maxStalenessMs } = options;
  const healthyGap = Math.max(waitSeconds * 1000, intervalMs) + 1000;
  if (maxStalenessMs !== undefined && (!Number.isFinite(maxStalenessMs) || maxStalenessMs < healthyGap)) {
    // A long-poll completes only every waitSeconds: a smaller bound would refuse tokens while the feed is healthy.
    throw new TypeError(`revocations.maxStalenessMs must be at least ${healthyGap} (max(waitSeconds × 1000, intervalMs) + 1000); lower waitSeconds for a tighter bound`);
  }
  let byUrl = followers.get(fetchImpl);
  if (!byUrl) followers.set(fetchImpl, (byUrl = new Map()));
  const key = `${url} ${waitSeconds} ${intervalMs}`;
  let follower = byUrl.get(key);
  if (!follower) byUrl.set(key, (follower = new RevocationFollower(url, { intervalMs, waitSeconds, onError: options.onError }, fetchImpl)));
  return follower;
}
