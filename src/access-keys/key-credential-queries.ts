// SQL for what a REST Basic key authenticates with (issue 14): its secret beside its public
// keys and jwks_uri (migrations/0090, 0091, 0110), and nothing else.
import type { Queryable } from '../db/pool.js';

export interface KeyCredentialState {
  has_secret: boolean;
  public_keys: number;
  jwks_uri: string | null;
}

/**
 * Locks the key's row (FOR UPDATE: every change of what a key authenticates with takes its
 * turn, so two of them cannot together leave it with nothing), then reads what it holds in a
 * second statement: under READ COMMITTED that one sees what a transaction that held the lock
 * before committed (the lock's own statement would count public keys as of its snapshot).
 * undefined: no such REST Basic key in the project.
 */
export async function lockKeyCredentialState(q: Queryable, projectId: string, id: string): Promise<KeyCredentialState | undefined> {
  const locked = await q.query("SELECT 1 FROM access_keys WHERE project_id = $1 AND id = $2 AND kind = 'basic' FOR UPDATE", [projectId, id]);
  if (locked.rowCount !== 1) return undefined;
  const { rows } = await q.query<KeyCredentialState>(
    `SELECT secret_hash IS NOT NULL AS has_secret,
            (SELECT count(*)::int FROM access_key_public_keys p WHERE p.access_key_id = k.id) AS public_keys,
            (SELECT s.jwks_uri FROM access_key_token_settings s WHERE s.access_key_id = k.id) AS jwks_uri
       FROM access_keys k WHERE k.id = $1`,
    [id],
  );
  return rows[0];
}

/**
 * The key's secret stops working now, and its previous one with it (a secretless key holds
 * none: migrations/0110). previous_secret_expire_time stays as the time a previous secret
 * stopped, as a revocation leaves it (migrations/0080).
 */
export async function removeKeySecret(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE access_keys SET secret_hash = NULL, secret_create_time = NULL, secret_last_use_time = NULL,
       previous_secret_expire_time = CASE WHEN previous_secret_hash IS NULL THEN previous_secret_expire_time ELSE LEAST(previous_secret_expire_time, now()) END,
       previous_secret_hash = NULL, previous_secret_create_time = NULL, previous_secret_last_use_time = NULL,
       update_time = now()
     WHERE id = $1 AND kind = 'basic' AND secret_hash IS NOT NULL`,
    [id],
  );
  return rowCount === 1;
}
