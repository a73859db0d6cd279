// SQL for rotating the secret of a REST Basic key (migrations/0080), and nothing else.
import type { Queryable } from '../db/pool.js';

export interface SecretsRow {
  id: string;
  credential_id: string;
  project_id: string;
  kind: string;
  display_name: string;
  secret_hash: string | null;
  create_time: Date;
  last_use_time: Date | null;
  secret_create_time: Date | null;
  secret_last_use_time: Date | null;
  previous_secret_hash: string | null;
  /** An hmac key's previous sealed secret (migrations/0082). */
  previous_secret_sealed: string | null;
  previous_secret_create_time: Date | null;
  previous_secret_expire_time: Date | null;
  previous_secret_last_use_time: Date | null;
  /** The database's clock when the row was read. */
  now: Date;
}

const COLUMNS = `id, credential_id, project_id, kind, display_name, secret_hash, create_time, last_use_time,
  secret_create_time, secret_last_use_time, previous_secret_hash, previous_secret_sealed, previous_secret_create_time,
  previous_secret_expire_time, previous_secret_last_use_time, now() AS now`;

export type KeyRef = { by: 'id' | 'credential_id'; value: string };

/** The key's secrets, locked for the transaction when `lock`. */
export async function findKeySecrets(q: Queryable, projectId: string, ref: KeyRef, lock: boolean): Promise<SecretsRow | undefined> {
  const where = ref.by === 'id' ? 'id = $2' : 'credential_id = $2';
  const { rows } = await q.query<SecretsRow>(
    `SELECT ${COLUMNS} FROM access_keys WHERE project_id = $1 AND ${where}${lock ? ' FOR UPDATE' : ''}`,
    [projectId, ref.value],
  );
  return rows[0];
}

/**
 * The current secret becomes the previous one until `previousExpireTime` (null: no overlap,
 * it stops at once) and `newHash` becomes the current one.
 */
export async function rotateKeySecret(
  q: Queryable,
  id: string,
  newHash: string,
  previousExpireTime: Date | null,
  previousLastUse: Date | null,
): Promise<SecretsRow> {
  const { rows } = await q.query<SecretsRow>(
    `UPDATE access_keys SET
       previous_secret_hash = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE secret_hash END,
       previous_secret_create_time = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE COALESCE(secret_create_time, create_time) END,
       previous_secret_expire_time = COALESCE($3::timestamptz, now()),
       previous_secret_last_use_time = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE $4::timestamptz END,
       secret_hash = $2, secret_create_time = now(), secret_last_use_time = NULL, update_time = now()
     WHERE id = $1 AND kind = 'basic' RETURNING ${COLUMNS}`,
    [id, newHash, previousExpireTime, previousLastUse],
  );
  return rows[0];
}

/** The hmac variant of rotateKeySecret: the secrets are sealed (auth/hmac-secrets.ts). */
export async function rotateHmacSecret(q: Queryable, id: string, newSealed: string, previousExpireTime: Date | null): Promise<SecretsRow> {
  const { rows } = await q.query<SecretsRow>(
    `UPDATE access_keys SET
       previous_secret_sealed = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE secret_sealed END,
       previous_secret_create_time = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE COALESCE(secret_create_time, create_time) END,
       previous_secret_expire_time = COALESCE($3::timestamptz, now()),
       previous_secret_last_use_time = NULL,
       secret_sealed = $2, secret_create_time = now(), secret_last_use_time = NULL, update_time = now()
     WHERE id = $1 AND kind = 'hmac' RETURNING ${COLUMNS}`,
    [id, newSealed, previousExpireTime],
  );
  return rows[0];
}

/** The previous secret stops working now. */
export async function clearPreviousSecret(q: Queryable, id: string): Promise<SecretsRow> {
  const { rows } = await q.query<SecretsRow>(
    `UPDATE access_keys SET previous_secret_hash = NULL, previous_secret_sealed = NULL, previous_secret_create_time = NULL,
       previous_secret_expire_time = now(), previous_secret_last_use_time = NULL, update_time = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0];
}

/** Every token of the key issued until now goes into the revocation feed (migrations/0081). */
export async function revokeKeyTokens(q: Queryable, id: string): Promise<void> {
  await q.query(
    "INSERT INTO revocations (kind, id) VALUES ('key', $1) ON CONFLICT (kind, id) DO UPDATE SET revoked_at = excluded.revoked_at",
    [id],
  );
}
