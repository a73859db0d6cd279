// Refuses an exact replay of an HMAC-signed request within its Date window. Each accepted
// signature is written once to a shared table (INSERT … ON CONFLICT DO NOTHING on a digest
// of key and signature), so the same request sent again, to this instance or any other, is
// refused until its Date has left the window; expired rows are swept each minute.
// Two identical requests signed within the same second share a signature: the second one is
// a replay too, and the client is told to sign it anew.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { deleteExpiredSignatures, insertSeenSignature } from './hmac-replay-queries.js';

export class HmacReplays {
  readonly #sweep: NodeJS.Timeout;

  constructor(
    private readonly db: Queryable,
    log: Pick<Logger, 'warn'>,
    /** How long after its Date a signature stays acceptable (the window's width). */
    private readonly windowSeconds: number,
  ) {
    this.#sweep = setInterval(() => {
      deleteExpiredSignatures(db).catch((err: Error) => log.warn({ err: err.message }, 'could not sweep seen hmac signatures'));
    }, 60_000).unref();
  }

  /** True the first time a key's signature is seen; false for a replay. Throws when the database does. */
  async firstUse(keyId: string, algorithm: string, signature: string, signedAt: number): Promise<boolean> {
    const digest = createHash('sha256').update(`${keyId.toLowerCase()}\n${algorithm}\n${signature}`).digest();
    // One second more than the window, for the Date's whole-second precision.
    return insertSeenSignature(this.db, digest, new Date(signedAt + (this.windowSeconds + 1) * 1000));
  }

  stop(): void {
    clearInterval(this.#sweep);
  }
}
