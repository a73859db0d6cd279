// SQL for the jtis of client assertions and DPoP proofs accepted at /oauth2/token (migrations/0090).
import type { Queryable } from '../db/pool.js';

/** Remembers a jti digest until `expiresAt`; false when it was already there (a replay). */
export async function insertSeenJti(q: Queryable, digest: Buffer, expiresAt: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    'INSERT INTO token_jtis_seen (digest, expires_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING',
    [digest, expiresAt],
  );
  return rowCount === 1;
}

export async function deleteExpiredJtis(q: Queryable): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM token_jtis_seen WHERE expires_at < now()');
  return rowCount ?? 0;
}
