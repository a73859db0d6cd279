// SQL for the users of an account (and the end of a user's sessions when the password changes).
import type { Queryable } from '../db/pool.js';
import type { Role } from '../kernel/roles.js';

export interface UserRow {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  role: Role;
  must_change_password: boolean;
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = 'id, account_id, email, password_hash, role, must_change_password, created_at, updated_at';

export async function insertUser(
  q: Queryable,
  u: { id: string; accountId: string; email: string; passwordHash: string; role: Role },
): Promise<UserRow> {
  const { rows } = await q.query<UserRow>(
    `INSERT INTO users (id, account_id, email, password_hash, role) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${USER_COLUMNS}`,
    [u.id, u.accountId, u.email, u.passwordHash, u.role],
  );
  return rows[0];
}

export async function findUser(q: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
  return rows[0];
}

export async function listUsersOfAccount(q: Queryable, accountId: string): Promise<UserRow[]> {
  const { rows } = await q.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE account_id = $1 ORDER BY created_at, id`,
    [accountId],
  );
  return rows;
}

export async function countAdministrators(q: Queryable, accountId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users WHERE account_id = $1 AND role = 'administrator'`,
    [accountId],
  );
  return rows[0].n;
}

/** Sets the role; `mustChangePassword` also requires a new password at the next sign-in (kept if already required). */
export async function updateUserRole(q: Queryable, id: string, role: Role, mustChangePassword = false): Promise<UserRow | undefined> {
  const { rows } = await q.query<UserRow>(
    `UPDATE users SET role = $2, must_change_password = must_change_password OR $3, updated_at = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`,
    [id, role, mustChangePassword],
  );
  return rows[0];
}

export async function deleteUser(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM users WHERE id = $1', [id]);
  return rowCount === 1;
}

/** Locks the user's row until the transaction ends: two password changes take turns. */
export async function lockUser(q: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0];
}

export async function updateUserPassword(
  q: Queryable,
  id: string,
  passwordHash: string,
  mustChange: boolean,
): Promise<UserRow | undefined> {
  const { rows } = await q.query<UserRow>(
    `UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = now(), updated_at = now()
     WHERE id = $1 RETURNING ${USER_COLUMNS}`,
    [id, passwordHash, mustChange],
  );
  return rows[0];
}

/** Ends every session of a user but the one kept (none when `keep` is null); how many ended. */
export async function deleteSessionsOfUser(q: Queryable, userId: string, keep: Buffer | null): Promise<number> {
  const { rowCount } = await q.query(
    'DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)',
    [userId, keep],
  );
  return rowCount ?? 0;
}
