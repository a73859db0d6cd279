// The rules for an account's users: emails unique across all accounts (case-insensitive),
// sign-in passwords stored as bcrypt only, and an account always keeps at least one
// Administrator. Role changes and removals lock the account row first (see
// migrations/0004_accounts_users.sql), so concurrent changes cannot both pass the check.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import { bcryptHash } from '../auth/bcrypt-lane.js';
import { ApiError } from '../kernel/api-error.js';
import { requireAccount, requireId } from './lookups.js';
import { ROLE_NAMES, type Role } from '../kernel/roles.js';
import { checkPassword, parseEmail, parseRole } from './user-input.js';
import * as q from './user-queries.js';

export interface User {
  userId: string;
  accountId: string;
  email: string;
  role: Role;
  /** After an Administrator's reset, until the user chose a new password. */
  mustChangePassword: boolean;
  createTime: string;
  updateTime: string;
}

export const toUser = (row: q.UserRow): User => ({
  userId: row.id,
  accountId: row.account_id,
  email: row.email,
  role: row.role,
  mustChangePassword: row.must_change_password,
  createTime: row.created_at.toISOString(),
  updateTime: row.updated_at.toISOString(),
});

export interface NewUser {
  email: string;
  password: string;
  role: Role;
}

const isEmailTaken = (err: unknown) =>
  (err as { code?: string; constraint?: string }).code === '23505' && (err as { constraint?: string }).constraint === 'users_email_unique';

export interface PreparedUser {
  email: string;
  passwordHash: string;
  role: Role;
}

/** Validates and hashes outside any transaction: bcrypt is slow and must not hold a row lock. */
export async function prepareUser(input: NewUser, bcryptCost: number): Promise<PreparedUser> {
  const email = parseEmail(input.email);
  const role = parseRole(input.role);
  const passwordHash = await bcryptHash(checkPassword(input.password, role), bcryptCost);
  return { email, passwordHash, role };
}

export async function insertPreparedUser(tx: Queryable, accountId: string, user: PreparedUser): Promise<User> {
  try {
    return toUser(await q.insertUser(tx, { id: randomUUID(), accountId, ...user }));
  } catch (err) {
    if (isEmailTaken(err)) throw ApiError.alreadyExists(`A user with the email ${user.email} already exists.`);
    throw err;
  }
}

/** Runs inside the change's transaction (the audit log), so both commit or neither. */
export type OnChange = (tx: Queryable, user: User) => Promise<void>;

export async function addUser(db: Db, bcryptCost: number, accountId: string, input: NewUser, onChange?: OnChange): Promise<User> {
  requireId('account', accountId);
  const user = await prepareUser(input, bcryptCost);
  return withTransaction(db, async (tx) => {
    await requireAccount(tx, accountId, { lock: true });
    const added = await insertPreparedUser(tx, accountId, user);
    await onChange?.(tx, added);
    return added;
  });
}

export async function listUsers(db: Db, accountId: string): Promise<User[]> {
  requireId('account', accountId);
  await requireAccount(db, accountId);
  return (await q.listUsersOfAccount(db, accountId)).map(toUser);
}

/** Locks the account, then finds the user in it; a user of another account is not found. */
async function lockedUser(tx: pg.PoolClient, accountId: string, userId: string) {
  requireId('account', accountId);
  requireId('user', userId);
  await requireAccount(tx, accountId, { lock: true });
  const user = await q.findUser(tx, userId);
  if (!user || user.account_id !== accountId) throw ApiError.notFound(`There is no user ${userId} in account ${accountId}.`);
  return user;
}

async function keepAnAdministrator(tx: pg.PoolClient, user: q.UserRow, action: string) {
  if (user.role !== 'administrator') return;
  if ((await q.countAdministrators(tx, user.account_id)) > 1) return;
  throw ApiError.failedPrecondition(
    `Cannot ${action} ${user.email}: an account must keep at least one ${ROLE_NAMES.administrator}, ` +
      `and this is the last one. Make another user an ${ROLE_NAMES.administrator} first.`,
  );
}

export async function changeUserRole(db: Db, accountId: string, userId: string, role: Role, onChange?: OnChange): Promise<User> {
  return withTransaction(db, async (tx) => {
    const user = await lockedUser(tx, accountId, userId);
    if (user.role === role) return toUser(user);
    if (role !== 'administrator') await keepAnAdministrator(tx, user, `make ${ROLE_NAMES[role]}`);
    // An Administrator's password has a higher floor (user-input.ts) than the one this user
    // chose; only its hash is known, so a user made Administrator chooses a new one at the
    // next request (their sessions may only change it until then).
    const changed = toUser((await q.updateUserRole(tx, userId, role, role === 'administrator'))!);
    await onChange?.(tx, changed);
    return changed;
  });
}

export async function removeUser(db: Db, accountId: string, userId: string, onChange?: OnChange): Promise<void> {
  await withTransaction(db, async (tx) => {
    const user = await lockedUser(tx, accountId, userId);
    await keepAnAdministrator(tx, user, 'remove');
    await q.deleteUser(tx, userId);
    await onChange?.(tx, toUser(user));
  });
}
