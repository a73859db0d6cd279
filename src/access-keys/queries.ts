// SQL for access keys, and nothing else. Every function takes a Queryable (the pool or
// a transaction's client) so that services decide about transactions. The v1 API sees
// REST Basic keys only (kind = 'basic'); the other kinds live in the same table
// (migrations/0005_credentials.sql) and their SQL is in src/credentials/queries.ts.
import type { Queryable } from '../db/pool.js';
import { integerArray, uuidArray } from '../db/array-literals.js';
import type { NewAuditEvent } from '../audit/queries.js';

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
  /** How the key authenticates (issue 14; read by find, list and update, not by insert). */
  has_secret?: boolean;
  has_public_keys?: boolean;
  /** null when the key has no token settings row. */
  has_jwks_uri?: boolean | null;
}

const COLUMNS = 'id, credential_id, project_id, display_name, create_time, update_time, expire_time, last_use_time';
// A secret, public keys, a jwks_uri: what the key's authenticationMethods say. Index lookups
// by primary key, in the same statement as the row.
const READ_COLUMNS = `${COLUMNS}, secret_hash IS NOT NULL AS has_secret,
  EXISTS (SELECT 1 FROM access_key_public_keys p WHERE p.access_key_id = access_keys.id) AS has_public_keys,
  (SELECT s.jwks_uri IS NOT NULL FROM access_key_token_settings s WHERE s.access_key_id = access_keys.id) AS has_jwks_uri`;

export async function insertAccessKey(
  q: Queryable,
  key: { id: string; projectId: string; displayName: string; secretHash: string | null; expireTime: Date | null },
): Promise<AccessKeyRow> {
  const { rows } = await q.query<AccessKeyRow>(
    `INSERT INTO access_keys (id, project_id, display_name, secret_hash, expire_time)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [key.id, key.projectId, key.displayName, key.secretHash, key.expireTime],
  );
  return rows[0];
}

/** The audit event of a create, but for what the insert itself gives (account, project, the new row's handle and label). */
export type CreateAuditEvent = Pick<NewAuditEvent, 'id' | 'actor_type' | 'actor_id' | 'actor_name' | 'action' | 'details' | 'address'>;

export interface AuditedInsert {
  account_id: string;
  account_verified_at: Date | null;
  /** The new key; undefined when the account is not verified (nothing was written). */
  key: AccessKeyRow | undefined;
}

/**
 * Creates a REST Basic key and its audit event in one statement (so one implicit
 * transaction: both or neither), only in an existing project of a verified account.
 * Undefined: no such project. A name taken in the project fails with 23505, a project
 * deleted meanwhile with 23503, and nothing is written.
 */
export async function insertAccessKeyAudited(
  q: Queryable,
  key: { id: string; projectId: string; displayName: string; secretHash: string; expireTime: Date | null },
  audit: CreateAuditEvent,
): Promise<AuditedInsert | undefined> {
  const { rows } = await q.query<AccessKeyRow & { account_id: string; account_verified_at: Date | null; key_id: string | null }>(
    `WITH proj AS (
       SELECT p.id, p.account_id, a.verified_at FROM projects p JOIN accounts a ON a.id = p.account_id WHERE p.id = $2
     ), ins AS (
       INSERT INTO access_keys (id, project_id, display_name, secret_hash, expire_time)
       SELECT $1, proj.id, $3, $4, $5 FROM proj WHERE proj.verified_at IS NOT NULL
       RETURNING ${COLUMNS}
     ), audited AS (
       INSERT INTO audit_events (id, account_id, project_id, actor_type, actor_id, actor_name, action,
         credential_id, credential_kind, credential_label, details, address)
       SELECT $6, proj.account_id, ins.project_id, $7, $8, $9, $10, ins.credential_id, 'basic', ins.display_name, $11, $12
         FROM ins, proj
     )
     SELECT proj.account_id, proj.verified_at AS account_verified_at, ins.id AS key_id, ins.*
       FROM proj LEFT JOIN ins ON true`,
    [key.id, key.projectId, key.displayName, key.secretHash, key.expireTime,
      audit.id, audit.actor_type, audit.actor_id, audit.actor_name, audit.action, JSON.stringify(audit.details), audit.address],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { account_id, account_verified_at, key_id, ...created } = row;
  return { account_id, account_verified_at, key: key_id === null ? undefined : created };
}

export async function findAccessKey(q: Queryable, projectId: string, id: string): Promise<AccessKeyRow | undefined> {
  const { rows } = await q.query<AccessKeyRow>(
    `SELECT ${READ_COLUMNS} FROM access_keys WHERE project_id = $1 AND id = $2 AND kind = 'basic'`,
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
        `SELECT ${READ_COLUMNS} FROM access_keys WHERE project_id = $1 AND kind = 'basic' ORDER BY id LIMIT $2`,
        [projectId, limit],
      )
    : await q.query<AccessKeyRow>(
        `SELECT ${READ_COLUMNS} FROM access_keys WHERE project_id = $1 AND kind = 'basic' AND id > $2 ORDER BY id LIMIT $3`,
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
     WHERE project_id = $1 AND id = $2 AND kind = 'basic' RETURNING ${READ_COLUMNS}`,
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
    `UPDATE access_keys AS k SET last_use_time = GREATEST(k.last_use_time, t.used_at)
     FROM unnest($1::uuid[], $2::bigint[]) AS u(id, used_ms), LATERAL (SELECT to_timestamp(u.used_ms / 1000.0) AS used_at) t
     WHERE k.id = u.id`,
    [uuidArray(ids), integerArray(usedAt.map((d) => d.getTime()))],
  );
  return rowCount ?? 0;
}

