// SQL for checking a dashboard session: found through its token's hash together with its
// user's current row, so a role change applies at once and a removed user (whose sessions
// cascade away) is simply not found.
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
