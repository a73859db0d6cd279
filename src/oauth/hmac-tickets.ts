// One-time tickets: how a verified HMAC-signed token request reaches oidc-provider, which
// knows client secrets only (see hmac-token.ts). A ticket is a random 256-bit secret, good
// for one key, for a few seconds, once; it never leaves the process. Only its SHA-256 is
// kept, and a presented value is compared in constant time against the key's digests.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TICKET_TTL_MS = 5_000;

interface Ticket {
  digest: Buffer;
  expiresAt: number;
}

export interface HmacTicketsOptions {
  ttlMs?: number;
  now?: () => number;
}

const digestOf = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export class HmacTickets {
  readonly #byKey = new Map<string, Ticket[]>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  #nextSweep = 0;

  constructor(options: HmacTicketsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? TICKET_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** A new ticket for this key (its canonical id, as oidc-provider's client id). */
  issue(keyId: string): string {
    const now = this.#now();
    this.#sweep(now);
    const ticket = randomBytes(32).toString('base64url');
    const tickets = this.#byKey.get(keyId) ?? [];
    tickets.push({ digest: digestOf(ticket), expiresAt: now + this.#ttlMs });
    this.#byKey.set(keyId, tickets);
    return ticket;
  }

  /** True when `presented` is an unexpired ticket of this key; it is spent either way once found. */
  consume(keyId: string, presented: string): boolean {
    const tickets = this.#byKey.get(keyId);
    if (!tickets) return false;
    const digest = digestOf(presented);
    const at = tickets.findIndex((t) => timingSafeEqual(t.digest, digest));
    if (at < 0) return false;
    const [ticket] = tickets.splice(at, 1);
    if (!tickets.length) this.#byKey.delete(keyId);
    return ticket.expiresAt > this.#now();
  }

  /** Keys with tickets outstanding (for tests). */
  get size(): number {
    return this.#byKey.size;
  }

  // A ticket that was never presented (the provider refused the request before comparing
  // secrets) is dropped here, at most once per lifetime, so memory stays bounded by the
  // requests of one ticket lifetime.
  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + this.#ttlMs;
    for (const [keyId, tickets] of this.#byKey) {
      const live = tickets.filter((t) => t.expiresAt > now);
      if (live.length) this.#byKey.set(keyId, live);
      else this.#byKey.delete(keyId);
    }
  }
}
