// Checks a presented Key Secret against the stored bcrypt hash. A secret that verified
// before for the same key and hash is accepted from the in-process VerifiedSecrets cache
// without bcrypt (the warm path); any change to the key, on any instance, drops it.
// An unknown key burns the same bcrypt work against a dummy hash, so that unknown key and
// wrong secret take the same time and cannot be told apart.
import { bcryptCompare, bcryptHash } from './bcrypt-lane.js';
import { randomBytes } from 'node:crypto';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Metrics } from '../metrics/registry.js';
import { VerifiedSecrets } from './verified-secrets.js';

export interface SecretVerifierOptions {
  cost: number;
  feed?: ChangeFeed;
  metrics?: Metrics;
  cacheMax?: number;
  cacheMaxAgeMs?: number;
}

export class SecretVerifier {
  readonly #dummyHash: string;
  readonly #verified: VerifiedSecrets;
  readonly #metrics?: Metrics;
  readonly #hits?: { inc(): void };
  readonly #misses?: { inc(): void };

  private constructor(dummyHash: string, options: SecretVerifierOptions) {
    this.#dummyHash = dummyHash;
    this.#metrics = options.metrics;
    this.#hits = options.metrics?.cacheLookups.labels('verified_secret', 'hit');
    this.#misses = options.metrics?.cacheLookups.labels('verified_secret', 'miss');
    this.#verified = new VerifiedSecrets({ max: options.cacheMax, maxAgeMs: options.cacheMaxAgeMs });
    options.feed?.subscribe((change) => {
      if (change.kind === 'access_key') this.#verified.forget(change.id);
      else if (change.kind === 'reset') this.#verified.clear();
    });
  }

  /** A bcrypt hash that no presented secret matches (a random one's), for clients that have no secret. */
  get unusableHash(): string {
    return this.#dummyHash;
  }

  static async create(options: SecretVerifierOptions): Promise<SecretVerifier> {
    return new SecretVerifier(await bcryptHash(randomBytes(32).toString('base64url'), options.cost), options);
  }

  /**
   * True when `secret` is the key's secret. `hash` undefined means no such key: the dummy
   * comparison runs and the answer is false. bcrypt.compare is constant-time itself.
   */
  async verify(keyId: string, secret: string, hash: string | undefined): Promise<boolean> {
    if (hash === undefined) {
      this.#metrics?.bcryptCompares.inc();
      await bcryptCompare(secret, this.#dummyHash);
      return false;
    }
    if (this.#verified.matches(keyId, secret, hash)) {
      this.#hits?.inc();
      return true;
    }
    this.#misses?.inc();
    this.#metrics?.bcryptCompares.inc();
    const ok = await bcryptCompare(secret, hash);
    if (ok) this.#verified.remember(keyId, secret, hash);
    return ok;
  }

  /** The warm path, synchronous: true when this secret verified for this key before (counted as a hit). */
  acceptWarm(keyId: string, secret: string, hash: string): boolean {
    if (!this.#verified.matches(keyId, secret, hash)) return false;
    this.#hits?.inc();
    return true;
  }

  /** True when this secret verified for this key before: a check that costs no bcrypt. */
  isWarm(keyId: string, secret: string, hash: string): boolean {
    return this.#verified.matches(keyId, secret, hash);
  }

  /** The work of a failed comparison, for requests naming no existing key. */
  async burn(): Promise<void> {
    this.#metrics?.bcryptCompares.inc();
    await bcryptCompare('unknown', this.#dummyHash);
  }
}
