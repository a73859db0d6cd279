// SQL for the console's view of credentials (every kind, addressed by credential_id), and
// nothing else. Authentication reads credentials through src/auth/queries.ts.
import type { Queryable } from '../db/pool.js';
import type { CredentialKind } from '../kernel/credential-kind.js';

export interface CredentialRow {
  id: string;
  credential_id: string;
  project_id: string;
  kind: CredentialKind;
  display_name: string;
  username: string | null;
  create_time: Date;
  update_time: Date;
  expire_time: Date | null;
  last_use_time: Date | null;
  /** What a REST Basic key authenticates with (issue 14); read by list, find, lock and the label and expiry changes. */
  has_secret?: boolean;
  has_public_keys?: boolean;
  has_jwks_uri?: boolean | null;
}

const COLUMNS = 'id, credential_id, project_id, kind, display_name, username, create_time, update_time, expire_time, last_use_time';
// Primary-key lookups in the row's own statement: what its authenticationMethods say.
const READ_COLUMNS = `${COLUMNS}, secret_hash IS NOT NULL AS has_secret,
  EXISTS (SELECT 1 FROM access_key_public_keys p WHERE p.access_key_id = access_keys.id) AS has_public_keys,
  (SELECT s.jwks_uri IS NOT NULL FROM access_key_token_settings s WHERE s.access_key_id = access_keys.id) AS has_jwks_uri`;

export interface NewCredential {
  id: string;
  projectId: string;
  kind: CredentialKind;
  displayName: string;
  secretHash: string | null;
  secretSealed: string | null;
  username: string | null;
  expireTime: Date | null;
}

export async function insertCredential(q: Queryable, c: NewCredential): Promise<CredentialRow> {
  const { rows } = await q.query<CredentialRow>(
    `INSERT INTO access_keys (id, project_id, kind, display_name, secret_hash, secret_sealed, username, expire_time)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [c.id, c.projectId, c.kind, c.displayName, c.secretHash, c.secretSealed, c.username, c.expireTime],
  );
  return rows[0];
}

/** Keyset page in id (= creation) order, of one kind or all. */
export async function listCredentialsPage(
  q: Queryable,
  projectId: string,
  kind: CredentialKind | null,
  afterId: string | null,
  limit: number,
): Promise<CredentialRow[]> {
  const { rows } = await q.query<CredentialRow>(
    `SELECT ${READ_COLUMNS} FROM access_keys
     WHERE project_id = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::uuid IS NULL OR id > $3)
     ORDER BY id LIMIT $4`,
    [projectId, kind, afterId, limit],
  );
  return rows;
}

export async function findCredential(q: Queryable, projectId: string, credentialId: string): Promise<CredentialRow | undefined> {
  const { rows } = await q.query<CredentialRow>(
    `SELECT ${READ_COLUMNS} FROM access_keys WHERE project_id = $1 AND credential_id = $2`,
    [projectId, credentialId],
  );
  return rows[0];
}

/** Locks the named credentials of a project until the transaction ends. */
export async function lockCredentials(q: Queryable, projectId: string, credentialIds: string[]): Promise<CredentialRow[]> {
  const { rows } = await q.query<CredentialRow>(
    `SELECT ${COLUMNS} FROM access_keys WHERE project_id = $1 AND credential_id = ANY($2::uuid[]) FOR UPDATE`,
    [projectId, credentialIds],
  );
  return rows;
}

export async function updateCredentialLabel(q: Queryable, projectId: string, credentialId: string, label: string): Promise<CredentialRow | undefined> {
  const { rows } = await q.query<CredentialRow>(
    `UPDATE access_keys SET display_name = $3, update_time = now()
     WHERE project_id = $1 AND credential_id = $2 AND kind IN ('basic', 'hmac') RETURNING ${READ_COLUMNS}`,
    [projectId, credentialId, label],
  );
  return rows[0];
}

export async function updateLegacyPassword(q: Queryable, projectId: string, credentialId: string, hash: string): Promise<CredentialRow | undefined> {
  const { rows } = await q.query<CredentialRow>(
    `UPDATE access_keys SET secret_hash = $3, update_time = now()
     WHERE project_id = $1 AND credential_id = $2 AND kind = 'legacy' RETURNING ${COLUMNS}`,
    [projectId, credentialId, hash],
  );
  return rows[0];
}

export async function updateCredentialExpiry(q: Queryable, projectId: string, credentialId: string, expireTime: Date | null): Promise<CredentialRow | undefined> {
  const { rows } = await q.query<CredentialRow>(
    `UPDATE access_keys SET expire_time = $3, update_time = now()
     WHERE project_id = $1 AND credential_id = $2 RETURNING ${READ_COLUMNS}`,
    [projectId, credentialId, expireTime],
  );
  return rows[0];
}

export async function deleteCredentials(q: Queryable, projectId: string, credentialIds: string[]): Promise<number> {
  const { rowCount } = await q.query(
    'DELETE FROM access_keys WHERE project_id = $1 AND credential_id = ANY($2::uuid[])',
    [projectId, credentialIds],
  );
  return rowCount ?? 0;
}


/** Locks the project's credential count for this transaction (creations queue) and returns it: every kind counts. */
export async function lockAndCountProjectCredentials(q: Queryable, projectId: string): Promise<number> {
  await q.query("SELECT pg_advisory_xact_lock(hashtext('keymint.project_keys'), hashtext($1))", [projectId]);
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM access_keys WHERE project_id = $1', [projectId]);
  return rows[0].n;
}
