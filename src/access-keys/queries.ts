// SQL for access keys, and nothing else. Every function takes a Queryable (the pool or
// a transaction's client) so that services decide about transactions. The v1 API sees
// REST Basic keys only (kind = 'basic'); the other kinds live in the same table
// (migrations/0005_credentials.sql) and their SQL is in src/credentials/queries.ts.
import type { Queryable } from '../db/pool.js';

export interface AccessKeyRow {
  id: string;
  /** The console's handle (migrations/0005): what the audit log names the key by. */
  credential_id: string;
  project_id: string;
  display_name: string;
  create_time: Date;
  update_time: Date;
  expire_time: Date | null;
  last_use_time: Date | null;
}

const COLUMNS = 'id, credential_id, project_id, display_name, create_time, update_time, expire_time, last_use_time';

export async function insertAccessKey(
  q: Queryable,
  key: { id: string; projectId: string; displayName: string; secretHash: string; expireTime: Date | null },
): Promise<AccessKeyRow> {
  const { rows } = await q.query<AccessKeyRow>(
    `INSERT INTO access_keys (id, project_id, display_name, secret_hash, expire_time)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [key.id, key.projectId, key.displayName, key.secretHash, key.expireTime],
  );
  return rows[0];
}

export async function findAccessKey(q: Queryable, projectId: string, id: string): Promise<AccessKeyRow | undefined> {
  const { rows } = await q.query<AccessKeyRow>(
    `SELECT ${COLUMNS} FROM access_keys WHERE project_id = $1 AND id = $2 AND kind = 'basic'`,
    [projectId, id],
  );
  return rows[0];
}

export async function accessKeyExists(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query('SELECT 1 FROM access_keys WHERE id = $1', [id]);
  return rowCount === 1;
}

/** Keyset page: the keys after `afterId` in id (= creation) order; `limit` rows at most. */
export async function listAccessKeysPage(
  q: Queryable,
  projectId: string,
  afterId: string | null,
  limit: number,
): Promise<AccessKeyRow[]> {
  // Two statements rather than "$2 IS NULL OR id > $2", so each gets the index range scan.
  const { rows } = afterId === null
    ? await q.query<AccessKeyRow>(
        `SELECT ${COLUMNS} FROM access_keys WHERE project_id = $1 AND kind = 'basic' ORDER BY id LIMIT $2`,
        [projectId, limit],
      )
    : await q.query<AccessKeyRow>(
        `SELECT ${COLUMNS} FROM access_keys WHERE project_id = $1 AND kind = 'basic' AND id > $2 ORDER BY id LIMIT $3`,
        [projectId, afterId, limit],
      );
  return rows;
}

export async function updateAccessKeyDisplayName(
  q: Queryable,
  projectId: string,
  id: string,
  displayName: string,
): Promise<AccessKeyRow | undefined> {
  const { rows } = await q.query<AccessKeyRow>(
    `UPDATE access_keys SET display_name = $3, update_time = now()
     WHERE project_id = $1 AND id = $2 AND kind = 'basic' RETURNING ${COLUMNS}`,
    [projectId, id, displayName],
  );
  return rows[0];
}

export async function deleteAccessKey(q: Queryable, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await q.query("DELETE FROM access_keys WHERE project_id = $1 AND id = $2 AND kind = 'basic'", [projectId, id]);
  return rowCount === 1;
}

/**
 * One statement for a whole batch of uses: each key's last_use_time moves forward only
 * (instances flush in any order), and keys deleted meanwhile simply match no row.
 */
export async function recordAccessKeyUses(q: Queryable, ids: string[], usedAt: Date[]): Promise<number> {
  const { rowCount } = await q.query(
    `UPDATE access_keys AS k SET last_use_time = GREATEST(k.last_use_time, u.used_at)
     FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, used_at)
     WHERE k.id = u.id`,
    [ids, usedAt],
  );
  return rowCount ?? 0;
}

