// SQL for the revocation feed (migrations/0081_revocations.sql), and nothing else.
import type { Queryable } from '../db/pool.js';

export interface RevocationRow {
  kind: 'key' | 'token';
  id: string;
  revoked_at: Date;
  expires_at: Date | null;
}

/**
 * What an offline verifier must refuse now: keys revoked (deleted, tokens revoked) or
 * expired within the last `keepSeconds`, tokens revoked and not yet expired; and the next
 * time a key expires (the feed changes then, with no row changing).
 */
export async function listRevocations(q: Queryable, keepSeconds: number): Promise<{ rows: RevocationRow[]; nextExpiry: Date | null }> {
  const { rows } = await q.query<RevocationRow>(
    `SELECT kind, id, revoked_at, expires_at FROM revocations
      WHERE (kind = 'key' AND revoked_at > now() - make_interval(secs => $1))
         OR (kind = 'token' AND expires_at > now())
     UNION ALL
     SELECT 'key', id::text, expire_time, NULL FROM access_keys
      WHERE expire_time IS NOT NULL AND expire_time <= now() AND expire_time > now() - make_interval(secs => $1)`,
    [keepSeconds],
  );
  const next = await q.query<{ at: Date | null }>('SELECT min(expire_time) AS at FROM access_keys WHERE expire_time > now()');
  return { rows, nextExpiry: next.rows[0].at };
}

/** Revokes one token by its jti until its exp; a second revocation changes nothing. */
export async function insertTokenRevocation(q: Queryable, jti: string, expiresAt: Date): Promise<void> {
  await q.query("INSERT INTO revocations (kind, id, expires_at) VALUES ('token', $1, $2) ON CONFLICT (kind, id) DO NOTHING", [jti, expiresAt]);
}

/** Drops what no token can need any more. */
export async function deleteOldRevocations(q: Queryable, keepSeconds: number): Promise<void> {
  await q.query(
    `DELETE FROM revocations WHERE (kind = 'key' AND revoked_at < now() - make_interval(secs => $1))
        OR (kind = 'token' AND expires_at < now())`,
    [keepSeconds],
  );
}
