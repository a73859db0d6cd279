// The one check of a presented ID and secret: a Key ID and Key Secret (REST Basic: the
// token endpoint's client_secret_basic/post, v1 Basic, introspection's caller) or a legacy
// username and password. Unknown, expired, of another kind and wrong all answer alike.
// - A generated secret is stored as a digest (secret-hash.ts): one SHA-256 and a
//   constant-time comparison, synchronous when the key is cached. An unknown Key ID costs
//   the same digest and never bcrypt, and usually no query (known-ids.ts).
// - A legacy password, and a Key Secret stored before digests (bcrypt), go through the
//   bounded bcrypt queue with a place reserved in the failure budgets first; a bcrypt Key
//   Secret that verifies is rewritten as its digest in the same step, exactly once across
//   instances (UPDATE ... WHERE secret_hash = the old hash).
// - A rotated key (access-keys/rotation.ts) has two secrets until the previous one expires
//   or is revoked: either is accepted, and both digests are compared on every check.
// - A failure is counted against the budgets of its source (failure-limiter.ts); over them
//   the answer is RateLimited (429). A right secret is never refused for others' failures.
import type { Logger } from 'pino';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Queryable } from '../db/pool.js';
import type { Metrics } from '../metrics/registry.js';
import { canonicalPresentedId } from '../kernel/identifiers.js';
import { Overloaded, RateLimited } from '../kernel/rate-limited.js';
import { bcryptCompare, type BcryptTurn } from './bcrypt-lane.js';
import type { FailureLimiter } from './failure-limiter.js';
import { findPresented, peekPresented, type AccessKeyCache, type AuthKey } from './key-cache.js';
import { upgradeSecretHash } from './queries.js';
import { digestMatchesEither, hashSecret, storedScheme } from './secret-hash.js';
import type { SecretUses } from './secret-uses.js';

export interface KeySecretsOptions {
  db: Queryable;
  feed: ChangeFeed;
  keys: AccessKeyCache;
  limiter: FailureLimiter;
  /** A bcrypt hash at the users' cost that no password matches: what an unknown username is compared with. */
  unusableHash: string;
  log?: Pick<Logger, 'warn'>;
  metrics?: Pick<Metrics, 'bcryptCompares' | 'secretComparisons'>;
  /** Notes which of a rotated key's two secrets was used (batched, secret-uses.ts). */
  secretUses?: Pick<SecretUses, 'record'>;
}

/** A rotated key's previous secret while it still works (judged against the clock at each use). */
export function activePreviousSecret(key: AuthKey, now = Date.now()): string | undefined {
  if (key.previousSecretHash === null || key.previousSecretExpiresAt === null) return undefined;
  return key.previousSecretExpiresAt > now ? key.previousSecretHash : undefined;
}

export interface SecretContext {
  address?: string;
  /** True once the client has gone: queued bcrypt work for it is skipped. */
  isGone?: () => boolean;
}

/** The key when the secret is right; undefined when not; throws RateLimited or Overloaded. */
export type SecretVerdict = AuthKey | undefined;

export class KeySecrets {
  // Bound once: counted on every token request.
  readonly #compared?: { inc(): void };

  constructor(private readonly opts: KeySecretsOptions) {
    this.#compared = opts.metrics?.secretComparisons;
  }

  get keys(): AccessKeyCache {
    return this.opts.keys;
  }

  /**
   * Checks `secret` for the credential presented as `presentedId`. Synchronous when the
   * answer needs neither the database nor bcrypt (a cached key with a digest): the token
   * endpoint's warm path makes no promise.
   */
  check(presentedId: string, secret: string, ctx: SecretContext): SecretVerdict | Promise<SecretVerdict> {
    const canonical = canonicalPresentedId(presentedId);
    // The budget of an unknown name is its canonical spelling; of a known one, its row ID.
    const name = canonical?.id ?? canonical?.username ?? presentedId.slice(0, 64);
    if (!canonical) return this.#cheapFailure(name, secret, ctx);
    const found = this.lookup(presentedId, ctx);
    if (!(found instanceof Promise)) return this.#judge(found, name, secret, ctx, canonical.username !== undefined);
    return found.then((key) => this.#judge(key, name, secret, ctx, canonical.username !== undefined));
  }

  /**
   * check() for a credential already looked up (`found`: what lookup() answered for
   * `presentedId`), for a caller that needs the key before the secret is judged (the token
   * endpoint hands a DPoP-bound key to oidc-provider unjudged: oauth/secret-grant.ts).
   */
  judge(presentedId: string, found: AuthKey | undefined, secret: string, ctx: SecretContext): SecretVerdict | Promise<SecretVerdict> {
    const canonical = canonicalPresentedId(presentedId);
    const name = canonical?.id ?? canonical?.username ?? presentedId.slice(0, 64);
    if (!canonical) return this.#cheapFailure(name, secret, ctx);
    return this.#judge(found, name, secret, ctx, canonical.username !== undefined);
  }

  /**
   * The credential presented as `presentedId`: from the cache (synchronous), else read. An
   * address over its own failure budget asks for no read (RateLimited): only a cached key is
   * heard. Its network's budget does not apply here: a neighbour's flood must not refuse a
   * clean client's keys (an ID that does not exist costs no read anyway: known-ids.ts).
   */
  lookup(presentedId: string, ctx: SecretContext): AuthKey | undefined | Promise<AuthKey | undefined> {
    const cached = peekPresented(this.opts.keys, presentedId);
    if (cached) return cached;
    const wait = this.opts.limiter.addressBlockedFor(ctx.address);
    if (wait) throw new RateLimited(wait);
    return findPresented(this.opts.keys, presentedId);
  }

  /**
   * A credential that lookup() did not find: with a secret, the answer, cost and count of a
   * wrong one; without, only the 429 of a name over its budget.
   */
  unknown(presentedId: string, secret: string | undefined, ctx: SecretContext): Promise<undefined> {
    const canonical = canonicalPresentedId(presentedId);
    const name = canonical?.id ?? canonical?.username ?? presentedId.slice(0, 64);
    if (secret === undefined) {
      const wait = this.opts.limiter.blockedFor(ctx.address, name);
      if (wait) throw new RateLimited(wait);
      return Promise.resolve(undefined);
    }
    return canonical?.username !== undefined ? this.#unknownPassword(name, secret, ctx) : this.#cheapFailure(name, secret, ctx);
  }

  #judge(key: AuthKey | undefined, name: string, secret: string, ctx: SecretContext, byUsername = false): SecretVerdict | Promise<SecretVerdict> {
    const stored = key?.secretHash ?? undefined;
    const previous = key ? activePreviousSecret(key) : undefined;
    const scheme = storedScheme(stored);
    if (scheme === 'none') {
      // No such credential, or one that presents no secret (hmac, or a REST Basic key with public
      // keys only: issue 14, the same answer and work as a wrong secret): an unknown username is
      // compared like a password (a username's existence is not told by time), a Key ID
      // like a digest.
      if (byUsername) return this.#unknownPassword(name, secret, ctx);
      return this.#cheapFailure(key?.id ?? name, secret, ctx);
    }
    // Both digest slots are compared every time (secret-hash.ts): a rotated key answers in
    // the time of any other.
    this.#compared?.inc();
    const digests = digestMatchesEither(
      secret,
      scheme === 'sha256' ? stored : undefined,
      storedScheme(previous) === 'sha256' ? previous : undefined,
    );
    if (digests !== -1) {
      this.#noteUse(key!, digests === 0 ? stored! : previous!);
      return key;
    }
    // At most one slot holds a bcrypt hash from before digests (a rotation writes a digest).
    if (scheme === 'bcrypt') return this.#bcrypt(key!, stored!, secret, ctx, true);
    if (storedScheme(previous) === 'bcrypt') return this.#bcrypt(key!, previous!, secret, ctx, false);
    return this.#cheapFailure(key!.id, secret, ctx, true);
  }

  // Which secret a client uses matters only while a key has two (the console shows it).
  #noteUse(key: AuthKey, hash: string): void {
    if (key.previousSecretHash !== null) this.opts.secretUses?.record(key.id, hash);
  }

  #cheapFailure(name: string, secret: string, ctx: SecretContext, compared = false): Promise<undefined> {
    if (!compared) {
      this.#compared?.inc();
      digestMatchesEither(secret, undefined, undefined); // the work of a comparison, for unknown keys
    }
    const wait = this.opts.limiter.blockedFor(ctx.address, name);
    if (wait) throw new RateLimited(wait);
    return this.opts.limiter.recordFailure(ctx.address, name).then(() => undefined);
  }

  async #bcrypt(key: AuthKey, stored: string, secret: string, ctx: SecretContext, current: boolean): Promise<SecretVerdict> {
    const ok = await this.#compareReserved(key.id, true, secret, stored, ctx);
    if (!ok) return undefined;
    // A previous secret is not upgraded: it is on its way out.
    if (key.kind === 'basic' && current) await this.#upgrade(key, stored, secret);
    this.#noteUse(key, stored);
    return key;
  }

  async #unknownPassword(name: string, secret: string, ctx: SecretContext): Promise<undefined> {
    await this.#compareReserved(name, false, secret, this.opts.unusableHash, ctx);
    return undefined;
  }

  /** bcrypt with a place reserved in the budgets first: refunded on success, counted on failure. */
  async #compareReserved(name: string, known: boolean, secret: string, hash: string, ctx: SecretContext): Promise<boolean> {
    const reserved = this.opts.limiter.reserve({ address: ctx.address, key: name }, known);
    if (!('succeeded' in reserved)) throw new RateLimited(reserved.retryAfter);
    const turn: BcryptTurn = { priority: known ? 'known' : 'unknown', isGone: ctx.isGone };
    let ok: boolean;
    try {
      this.#compared?.inc();
      this.opts.metrics?.bcryptCompares.inc();
      ok = await bcryptCompare(secret, hash, turn);
    } catch (err) {
      reserved.succeeded(); // not judged: nothing to count
      throw err instanceof Overloaded ? err : new Overloaded(1);
    }
    if (ok && known) reserved.succeeded();
    else await reserved.failed();
    return ok && known;
  }

  // The digest replaces the bcrypt hash once: the row changes only while it still holds the
  // hash that just verified, so of two instances doing this at once, one writes.
  async #upgrade(key: AuthKey, stored: string, secret: string): Promise<void> {
    try {
      if (await upgradeSecretHash(this.opts.db, key.id, stored, hashSecret(secret))) {
        await this.opts.feed.publish({ kind: 'access_key', id: key.id });
      }
    } catch (err) {
      this.opts.log?.warn({ err: (err as Error).message, keyId: key.id }, 'could not store the digest of a key secret; it stays bcrypt for now');
    }
  }
}
