// SQL for the last use of each of a rotated key's two secrets, and nothing else.
import type { Queryable } from '../db/pool.js';

/**
 * One statement per batch. A use is matched by the hash of the secret that verified, so a
 * use noted before a rotation and written after it lands on the secret it was made with
 * (or on none, when that secret is gone). Times move forward only.
 */
export async function recordSecretUses(q: Queryable, ids: string[], hashes: string[], usedAt: Date[]): Promise<number> {
  const { rowCount } = await q.query(
    `UPDATE access_keys AS k SET
       secret_last_use_time = CASE WHEN k.secret_hash = u.hash
         THEN GREATEST(k.secret_last_use_time, u.used_at) ELSE k.secret_last_use_time END,
       previous_secret_last_use_time = CASE WHEN k.previous_secret_hash = u.hash
         THEN GREATEST(k.previous_secret_last_use_time, u.used_at) ELSE k.previous_secret_last_use_time END
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(id, hash, used_at)
     WHERE k.id = u.id AND u.hash IN (k.secret_hash, k.previous_secret_hash)`,
    [ids, hashes, usedAt],
  );
  return rowCount ?? 0;
}
