// Signing in to the dashboard with an e-mail and a password: the check itself is
// auth/passwords.ts (canonical e-mail, the same bcrypt work for an unknown e-mail and a
// wrong password, budgets reserved before bcrypt). Here: the answers, the session, and the
// audit. Every failed sign-in of a real user's e-mail is audited for that user's account
// (after the answer, so that its timing does not tell a known e-mail from an unknown one),
// and so is the failure that reaches the e-mail's budget. Over a budget the answer is 429
// (the e-mail is locked for sources that failed on it); bcrypt's queue full, 503.
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import { recordAudit, type AuditEntry } from '../audit/audit-log.js';
import type { FailureLimiter } from '../auth/failure-limiter.js';
import { UserPasswords } from '../auth/passwords.js';
import { ApiError } from '../kernel/api-error.js';
import { Overloaded, RateLimited } from '../kernel/rate-limited.js';
import type { Metrics } from '../metrics/registry.js';
import type { SessionContext, Sessions } from './sessions.js';

export interface SignInOptions {
  db: Db;
  log: Logger;
  sessions: Sessions;
  /** A limiter of its own (SIGNIN_FAILURES_*, scope 'signin:'): its key buckets are e-mails, not key IDs. */
  limiter: FailureLimiter;
  perEmail: number;
  /** A bcrypt hash at the users' cost that no password matches. */
  dummyHash: string;
  metrics?: Pick<Metrics, 'signIns' | 'bcryptCompares'>;
}

/** The challenge of a 401 from the console: not Basic, which would make a browser open its own sign-in box. */
export const SESSION_CHALLENGE = 'Session realm="keymint"';

const wrongCredentials = () => ApiError.unauthenticated('The email or password is wrong.', SESSION_CHALLENGE);

export class SignIn {
  readonly #passwords: UserPasswords;

  /** The check itself, shared with the change of password (password-change.ts). */
  get passwords(): UserPasswords {
    return this.#passwords;
  }

  constructor(private readonly opts: SignInOptions) {
    this.#passwords = new UserPasswords({ db: opts.db, limiter: opts.limiter, unusableHash: opts.dummyHash, metrics: opts.metrics });
  }

  async signIn(
    rawEmail: string,
    password: string,
    address: string | undefined,
    isGone?: () => boolean,
  ): Promise<{ token: string; context: SessionContext }> {
    let verdict;
    try {
      verdict = await this.#passwords.check(rawEmail, password, { address, isGone });
    } catch (err) {
      if (err instanceof RateLimited) {
        this.opts.metrics?.signIns.inc({ result: 'locked' });
        const wait = err.retryAfterSeconds;
        throw ApiError.resourceExhausted(`Sign-in is locked for ${wait} seconds because of repeated failed attempts. Try again after that.`, wait);
      }
      if (err instanceof Overloaded) throw ApiError.unavailable('Too many sign-ins are being checked right now. Please retry in a moment.');
      throw err;
    }
    if (!verdict.ok) {
      this.opts.metrics?.signIns.inc({ result: 'wrong_credentials' });
      if (verdict.accountId !== undefined && verdict.email !== undefined) await this.#failed(verdict.accountId, verdict.email, verdict.failures, address);
      throw wrongCredentials();
    }
    this.opts.metrics?.signIns.inc({ result: 'success' });
    return this.opts.sessions.start(verdict.actor, address, verdict.mustChangePassword);
  }

  async #failed(accountId: string, email: string, failures: number | undefined, address: string | undefined): Promise<void> {
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
