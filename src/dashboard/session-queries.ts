// SQL for the lifecycle of dashboard sessions: started, ended, swept. Finding one from its
// cookie is the caller check's (auth/session-queries.ts).
import type { Queryable } from '../db/pool.js';

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

