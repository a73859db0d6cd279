// Sign-in passwords after a user exists: set by its owner (the console's Change password,
// after the current one was proven) or reset by an Administrator to a temporary one that
// must be changed at the next sign-in. The new password meets the password rules
// (user-input.ts) and is hashed before the transaction; the change, the end of the user's
// other sessions and the audit event then commit together or not at all.
import { randomBytes } from 'node:crypto';
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import { bcryptHash } from '../auth/bcrypt-lane.js';
import { ApiError } from '../kernel/api-error.js';
import { requireAccount, requireId } from './lookups.js';
import { checkPassword } from './user-input.js';
import { deleteSessionsOfUser, findUser, lockUser, updateUserPassword } from './user-queries.js';
import { toUser, type User } from './users.js';

/** Runs in the change's transaction: `signedOut` is how many of the user's sessions it ended. */
export type OnPasswordChange = (tx: Queryable, user: User, signedOut: number) => Promise<void>;

export interface PasswordChange {
  accountId: string;
  userId: string;
  password: string;
  /** true: a temporary password, to be replaced at the next sign-in. */
  mustChange: boolean;
  /** The session that stays signed in (the one that made the change); null ends them all. */
  keepSession: Buffer | null;
  /** The hash the current password was checked against: if it changed meanwhile, nothing is written. */
  expectHash?: string;
}

/** 144 random bits in base64url: 24 characters, which meet every password rule. */
export const temporaryPassword = (): string => randomBytes(18).toString('base64url');

export async function setPassword(db: Db, bcryptCost: number, change: PasswordChange, onChange?: OnPasswordChange): Promise<User> {
  requireId('account', change.accountId);
  requireId('user', change.userId);
  // The rules depend on the role (an Administrator's floor is higher): read it first, and
  // check again under the row lock in case it changed meanwhile (no bcrypt there).
  const current = await findUser(db, change.userId);
  const hash = await bcryptHash(checkPassword(change.password, current?.role ?? 'administrator'), bcryptCost);
  return withTransaction(db, async (tx) => {
    await requireAccount(tx, change.accountId);
    const row = await lockUser(tx, change.userId);
    if (!row || row.account_id !== change.accountId) throw ApiError.notFound(`There is no user ${change.userId} in account ${change.accountId}.`);
    checkPassword(change.password, row.role);
    if (change.expectHash !== undefined && row.password_hash !== change.expectHash) {
      throw ApiError.failedPrecondition('The password was changed by another request meanwhile. Sign in again with the new password.');
    }
    const user = toUser((await updateUserPassword(tx, row.id, hash, change.mustChange))!);
    const signedOut = await deleteSessionsOfUser(tx, row.id, change.keepSession);
    await onChange?.(tx, user, signedOut);
    return user;
  });
}

/** A temporary password for another user, shown once: every session of theirs ends. */
export async function resetPassword(db: Db, bcryptCost: number, accountId: string, userId: string, onChange?: OnPasswordChange) {
  const password = temporaryPassword();
  const user = await setPassword(db, bcryptCost, { accountId, userId, password, mustChange: true, keepSession: null }, onChange);
  return { user, temporaryPassword: password };
}
