// Change my password (POST /api/session/password): the signed-in user proves the current
// password and chooses a new one (the password rules of src/accounts/user-input.ts); the
// change ends every other session of theirs and is audited. A wrong current password
// counts against the sign-in budget of the e-mail and the address (sign-in.ts), so a
// session left open on someone else's screen cannot guess it any faster than the sign-in
// form could. This is also how a temporary password from a reset is replaced.
import type { Db } from '../db/pool.js';
import type { FailureLimiter } from '../auth/failure-limiter.js';
import { setPassword } from '../accounts/passwords.js';
import { findUser } from '../accounts/user-queries.js';
import { recordAudit } from '../audit/audit-log.js';
import { bcryptCompare } from '../auth/bcrypt-lane.js';
import { ApiError } from '../kernel/api-error.js';
import { notSignedIn } from './console-auth.js';
import type { SessionContext } from './sessions.js';
import { addressKey, emailKey } from './sign-in.js';

export interface PasswordChangeOptions {
  db: Db;
  bcryptCost: number;
  /** The sign-in limiter: a wrong current password is a failed sign-in. */
  limiter: FailureLimiter;
}

export class PasswordChanges {
  constructor(private readonly opts: PasswordChangeOptions) {}

  /** The session as it is after the change (no longer limited to this step). */
  async change(session: SessionContext, current: string, next: string, address: string | undefined): Promise<SessionContext> {
    const { db, limiter } = this.opts;
    const { actor } = session;
    const key = emailKey(actor.email);
    const lockedFor = limiter.blockedFor(addressKey(address), key);
    if (lockedFor > 0) {
      throw ApiError.resourceExhausted(`Too many wrong passwords: try again in ${lockedFor} seconds.`, lockedFor);
    }
    const row = await findUser(db, actor.userId);
    if (!row) throw notSignedIn();
    if (!(await bcryptCompare(current, row.password_hash))) {
      await limiter.recordFailure(addressKey(address), key);
      throw ApiError.permissionDenied('The current password is wrong. Nothing was changed.');
    }
    if (next === current) throw ApiError.invalidArgument('The new password must be different from the current one.');
    await setPassword(
      db,
      this.opts.bcryptCost,
      { accountId: actor.accountId, userId: actor.userId, password: next, mustChange: false, keepSession: session.tokenHash, expectHash: row.password_hash },
      (tx, user, signedOut) =>
        recordAudit(tx, { accountId: actor.accountId, actor, action: 'user.password_change', details: { userId: user.userId, email: user.email, signedOut }, address }),
    );
    return { ...session, mustChangePassword: false };
  }
}
