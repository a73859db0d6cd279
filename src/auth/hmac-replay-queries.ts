// SQL for the signatures of accepted HMAC-signed requests (migrations/0030).
import type { Queryable } from '../db/pool.js';

/** Remembers a signature digest until `expiresAt`; false when it was already there (a replay). */
export async function insertSeenSignature(q: Queryable, digest: Buffer, expiresAt: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    'INSERT INTO hmac_signatures_seen (digest, expires_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING',
    [digest, expiresAt],
  );
  return rowCount === 1;
}

export async function deleteExpiredSignatures(q: Queryable): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM hmac_signatures_seen WHERE expires_at < now()');
  return rowCount ?? 0;
}
