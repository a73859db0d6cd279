// Change my password (POST /api/session/password): the signed-in user proves the current
// password and chooses a new one (the password rules of src/accounts/user-input.ts); the
// change ends every other session of theirs and is audited. A wrong current password
// counts against the sign-in budget of the e-mail and the address (sign-in.ts), so a
// session left open on someone else's screen cannot guess it any faster than the sign-in
// form could. This is also how a temporary password from a reset is replaced.
import type { Db } from '../db/pool.js';
import { setPassword } from '../accounts/passwords.js';
import { recordAudit } from '../audit/audit-log.js';
import type { UserPasswords } from '../auth/passwords.js';
import { ApiError } from '../kernel/api-error.js';
import { Overloaded, RateLimited } from '../kernel/rate-limited.js';
import { notSignedIn } from './console-auth.js';
import type { SessionContext } from './sessions.js';

export interface PasswordChangeOptions {
  db: Db;
  bcryptCost: number;
  /** The check of an e-mail and password (auth/passwords.ts), on the sign-in budgets: a wrong current password is a failed sign-in. */
  passwords: UserPasswords;
}

export class PasswordChanges {
  constructor(private readonly opts: PasswordChangeOptions) {}

  /** The session as it is after the change (no longer limited to this step). */
  async change(session: SessionContext, current: string, next: string, address: string | undefined): Promise<SessionContext> {
    const { db } = this.opts;
    const { actor } = session;
    let verdict;
    try {
      verdict = await this.opts.passwords.check(actor.email, current, { address });
    } catch (err) {
      if (err instanceof RateLimited) {
        throw ApiError.resourceExhausted(`Too many wrong passwords: try again in ${err.retryAfterSeconds} seconds.`, err.retryAfterSeconds);
      }
      if (err instanceof Overloaded) throw ApiError.unavailable('Too many passwords are being checked right now. Please retry in a moment.');
      throw err;
    }
    if (verdict.ok && verdict.actor.userId !== actor.userId) throw notSignedIn();
    if (!verdict.ok) {
      if (verdict.accountId === undefined) throw notSignedIn(); // the user is gone
      throw ApiError.permissionDenied('The current password is wrong. Nothing was changed.');
    }
    if (next === current) throw ApiError.invalidArgument('The new password must be different from the current one.');
    await setPassword(
      db,
      this.opts.bcryptCost,
      { accountId: actor.accountId, userId: actor.userId, password: next, mustChange: false, keepSession: session.tokenHash, expectHash: verdict.passwordHash },
      (tx, user, signedOut) =>
        recordAudit(tx, { accountId: actor.accountId, actor, action: 'user.password_change', details: { userId: user.userId, email: user.email, signedOut }, address }),
    );
    return { ...session, mustChangePassword: false };
  }
}
