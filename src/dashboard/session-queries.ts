// SQL for dashboard sessions, and nothing else. A session is found through its token's
// hash together with its user's current row, so a role change applies at once and a
// removed user (whose sessions cascade away) is simply not found.
import type { Queryable } from '../db/pool.js';
import type { Role } from '../kernel/roles.js';

export interface SessionUserRow {
  csrf_token: string;
  last_seen_at: Date;
  expires_at: Date;
  user_id: string;
  account_id: string;
  email: string;
  role: Role;
  must_change_password: boolean;
}

export async function insertSession(
  q: Queryable,
  s: { tokenHash: Buffer; userId: string; csrfToken: string; ttlHours: number },
): Promise<void> {
  await q.query(
    `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
    [s.tokenHash, s.userId, s.csrfToken, s.ttlHours],
  );
}

export async function findLiveSession(q: Queryable, tokenHash: Buffer): Promise<SessionUserRow | undefined> {
  const { rows } = await q.query<SessionUserRow>(
    `SELECT s.csrf_token, s.last_seen_at, s.expires_at, u.id AS user_id, u.account_id, u.email, u.role, u.must_change_password
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now()`,
    [tokenHash],
  );
  return rows[0];
}

export async function touchSession(q: Queryable, tokenHash: Buffer): Promise<void> {
  await q.query('UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1', [tokenHash]);
}

export async function deleteSession(q: Queryable, tokenHash: Buffer): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  return rowCount === 1;
}

/** Removes up to `limit` expired sessions: a bounded sweep that sign-ins run on the side. */
export async function deleteExpiredSessions(q: Queryable, limit: number): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM sessions WHERE token_hash IN (
       SELECT token_hash FROM sessions WHERE expires_at <= now() LIMIT $1)`,
    [limit],
  );
  return rowCount ?? 0;
}

