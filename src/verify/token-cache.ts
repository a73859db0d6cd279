// The verifier's memory of tokens it has accepted, so that a resource API receiving the same
// token on every request pays one signature check per token, not per request. Keyed by the
// SHA-256 of the whole token (a changed byte is another entry; the token itself is not kept),
// an entry is served only while the clock is before the token's `exp`, never after it, and
// at most `maxEntries` are kept (least recently used go first). Only accepted tokens enter.
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

interface Entry<T> {
  value: T;
  /** The token's `exp`, in ms since the epoch. */
  expiresAtMs: number;
}

export class TokenCache<T extends object> {
  readonly #entries: LRUCache<string, Entry<T>>;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number) {
    this.#entries = new LRUCache({ max: maxEntries });
    this.#now = now;
  }

  /** The digest a token is filed under. */
  static keyOf(token: string): string {
    return hash('sha256', token, 'base64');
  }

  /** The value remembered for this token, if it was accepted before and has not expired. */
  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() < entry.expiresAtMs) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  /** Remembers an accepted token until `expiresAtMs`; one already expired is not kept. */
  set(key: string, value: T, expiresAtMs: number): void {
    if (this.#now() < expiresAtMs) this.#entries.set(key, { value: deepFreeze(value), expiresAtMs });
  }

  get size(): number {
    return this.#entries.size;
  }
}

// A cached value is handed to every later caller: none may change what the next one sees.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
