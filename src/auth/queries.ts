// SQL that authentication reads: a credential of any kind by its API key or by a legacy
// username, with what checks its secret. Nothing here writes.
import type { Queryable } from '../db/pool.js';
import type { CredentialKind } from '../kernel/credential-kind.js';

export interface AccessKeyAuthRow {
  id: string;
  project_id: string;
  expire_time: Date | null;
  kind: CredentialKind;
  /** bcrypt hash (basic, legacy); null for hmac. */
  secret_hash: string | null;
  /** The sealed HMAC secret (hmac only). */
  secret_sealed: string | null;
  username: string | null;
}

const AUTH_COLUMNS = 'id, project_id, expire_time, kind, secret_hash, secret_sealed, username';

/** A credential of any kind with what checks its secret, by API key; for authentication only. */
export async function findAccessKeyForAuth(q: Queryable, id: string): Promise<AccessKeyAuthRow | undefined> {
  const { rows } = await q.query<AccessKeyAuthRow>(`SELECT ${AUTH_COLUMNS} FROM access_keys WHERE id = $1`, [id]);
  return rows[0];
}

/** A legacy credential by its username (case-insensitive); for authentication only. */
export async function findLegacyCredentialForAuth(q: Queryable, username: string): Promise<AccessKeyAuthRow | undefined> {
  const { rows } = await q.query<AccessKeyAuthRow>(
    `SELECT ${AUTH_COLUMNS} FROM access_keys WHERE lower(username) = lower($1) AND kind = 'legacy'`,
    [username],
  );
  return rows[0];
}

