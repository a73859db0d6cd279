// Refuses a JWT ID seen before: the jti of a client assertion (private_key_jwt) or of a
// DPoP proof at the token endpoint. Each accepted jti is written once to a shared table
// (INSERT … ON CONFLICT DO NOTHING on a digest of issuer and jti), so the same assertion
// sent again, to this instance or any other, is refused until it has expired; expired
// rows are swept each minute, by an instance that wrote some since its last sweep (so a
// server whose clients use neither makes no background query). The insert is the check:
// two instances racing with the same jti cannot both succeed.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { deleteExpiredJtis, insertSeenJti } from './jti-replay-queries.js';

export class JtiReplays {
  readonly #sweep: NodeJS.Timeout;
  #written = false;

  constructor(
    private readonly db: Queryable,
    log: Pick<Logger, 'warn'>,
  ) {
    this.#sweep = setInterval(() => {
      if (!this.#written) return;
      this.#written = false;
      deleteExpiredJtis(db).catch((err: Error) => log.warn({ err: err.message }, 'could not sweep seen jtis'));
    }, 60_000).unref();
  }

  /** True the first time `iss` presents `jti`; false for a replay. `expiresAt` in seconds since the epoch. Throws when the database does. */
  async firstUse(iss: string, jti: string, expiresAt: number): Promise<boolean> {
    const digest = createHash('sha256').update(`${iss.toLowerCase()}\n${jti}`).digest();
    this.#written = true;
    return insertSeenJti(this.db, digest, new Date(expiresAt * 1000));
  }

  stop(): void {
    clearInterval(this.#sweep);
  }
}
