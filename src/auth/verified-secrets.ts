// Remembers which secret last verified for a key, so that the next request with the same
// key and secret skips bcrypt. It keeps a SHA-256 of a per-process random salt and the
// secret (never the secret), bound to the bcrypt hash it verified against: a new secret or
// a deleted key no longer matches. Bounded (LRU) with a maximum age. The one-shot
// crypto.hash is used rather than an HMAC object: this runs on every warm token request,
// and only equality is asked of it.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';

interface Entry {
  hash: string;
  digest: Buffer;
}

export class VerifiedSecrets {
  readonly #salt = randomBytes(32).toString('base64');
  readonly #lru: LRUCache<string, Entry>;

  constructor(options: { max?: number; maxAgeMs?: number } = {}) {
    this.#lru = new LRUCache({ max: options.max ?? 10_000, ttl: options.maxAgeMs ?? 5 * 60_000 });
  }

  #digest(secret: string): Buffer {
    return hash('sha256', this.#salt + secret, 'buffer') as unknown as Buffer;
  }

  /** True when this secret verified against this hash before (constant-time comparison). */
  matches(keyId: string, secret: string, hash: string): boolean {
    const entry = this.#lru.get(keyId);
    if (!entry || entry.hash !== hash) return false;
    return timingSafeEqual(entry.digest, this.#digest(secret));
  }

  remember(keyId: string, secret: string, hash: string): void {
    this.#lru.set(keyId, { hash, digest: this.#digest(secret) });
  }

  forget(keyId: string): void {
    this.#lru.delete(keyId);
  }

  clear(): void {
    this.#lru.clear();
  }
}
