// Signing in to the dashboard with an e-mail and a password. An unknown e-mail and a wrong
// password get the same answer after the same bcrypt work (a comparison against a dummy
// hash), so the answer does not reveal who has an account. Repeated failures lock the
// e-mail, and the address, for the rest of the minute: while locked even the right
// password is refused, without any bcrypt. Every failed sign-in of a real user's e-mail
// is audited for that user's account (after the answer, so that its timing does not tell
// a known e-mail from an unknown one), and so is the failure that locks it.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import type { UserActor } from '../kernel/actor.js';
import { findUserByEmail } from '../accounts/user-queries.js';
import { FailureLimiter } from '../auth/failure-limiter.js';
import { recordAudit, type AuditEntry } from '../audit/audit-log.js';
import { bcryptCompare } from '../auth/bcrypt-lane.js';
import { ApiError } from '../kernel/api-error.js';
import type { Metrics } from '../metrics/registry.js';
import type { SessionContext, Sessions } from './sessions.js';

export interface SignInOptions {
  db: Db;
  log: Logger;
  sessions: Sessions;
  /** A limiter of its own (SIGNIN_FAILURES_*): its key buckets are e-mails, not key IDs. */
  limiter: FailureLimiter;
  perEmail: number;
  /** A bcrypt hash at the users' cost that no password matches. */
  dummyHash: string;
  metrics?: Pick<Metrics, 'signIns' | 'bcryptCompares'>;
}

/** The challenge of a 401 from the console: not Basic, which would make a browser open its own sign-in box. */
export const SESSION_CHALLENGE = 'Session realm="keymint"';

const wrongCredentials = () => ApiError.unauthenticated('The email or password is wrong.', SESSION_CHALLENGE);

// The shared auth_failures table also counts the token endpoint's failures, whose key IDs
// and legacy usernames could equal an e-mail: sign-in buckets get a prefix of their own.
// The e-mail is hashed (160 bits of SHA-256 in hex) so that a long one is not cut to the
// bucket's 64 characters, and the table holds no addresses of people.
export const emailKey = (email: string) => `signin:${createHash('sha256').update(email).digest('hex').slice(0, 40)}`;
export const addressKey = (address: string | undefined) => address && `signin:${address}`;

export class SignIn {
  constructor(private readonly opts: SignInOptions) {}

  async signIn(rawEmail: string, password: string, address: string | undefined): Promise<{ token: string; context: SessionContext }> {
    const { db, limiter, sessions } = this.opts;
    const email = rawEmail.trim().toLowerCase();
    const key = emailKey(email);
    const lockedFor = limiter.blockedFor(addressKey(address), key);
    if (lockedFor > 0) {
      this.opts.metrics?.signIns.inc({ result: 'locked' });
      throw ApiError.resourceExhausted(
        `Sign-in is locked for ${lockedFor} seconds because of repeated failed attempts. Try again after that.`,
        lockedFor,
      );
    }
    const user = await findUserByEmail(db, email);
    this.opts.metrics?.bcryptCompares.inc();
    const matches = await bcryptCompare(password, user?.password_hash ?? this.opts.dummyHash);
    if (!user || !matches) {
      this.opts.metrics?.signIns.inc({ result: 'wrong_credentials' });
      await this.#fail(email, key, address, user?.account_id);
      throw wrongCredentials();
    }
    this.opts.metrics?.signIns.inc({ result: 'success' });
    const actor: UserActor = { kind: 'user', userId: user.id, accountId: user.account_id, email: user.email, role: user.role };
    return sessions.start(actor, address, user.must_change_password);
  }

  async #fail(email: string, key: string, address: string | undefined, accountId: string | undefined): Promise<void> {
    const counts = await this.opts.limiter.recordFailure(addressKey(address), key);
    const failures = counts.find((c) => c.bucket === FailureLimiter.keyBucket(key))?.failures;
    if (accountId === undefined) return;
    void this.#audit({ accountId, action: 'session.sign_in_failed', details: { email }, address });
    // The shared count reaches the limit exactly once per window, on one instance only.
    if (failures === this.opts.perEmail) await this.#audit({ accountId, action: 'session.sign_in_failures', details: { email, failures }, address });
  }

  async #audit(entry: AuditEntry): Promise<void> {
    try {
      await recordAudit(this.opts.db, entry);
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message, action: entry.action }, 'could not audit a failed sign-in');
    }
  }
}
