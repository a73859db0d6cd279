// SQL that authentication reads: a credential of any kind by its API key or by a legacy
// username, with what checks its secret. Nothing here writes.
import type { Queryable } from '../db/pool.js';
import type { CredentialKind } from '../kernel/credential-kind.js';
import type { Role } from '../kernel/roles.js';

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
  account_id: string;
  /** The key's explicit grants (migrations/0070); null under the Sinch model (no policy). */
  policy: { grants: Array<{ apiId: string | null; scopes: string[]; isDefault: boolean }>; customClaims: Record<string, unknown> | null } | null;
  /** The previous secret of a rotated basic key, until it expires or is revoked (migrations/0080). */
  previous_secret_hash: string | null;
  /** An hmac key's previous sealed secret (migrations/0082). */
  previous_secret_sealed: string | null;
  previous_secret_expire_time: Date | null;
  /** Its public JWKs (oldest first; migrations/0090), jwks_uri and DPoP setting (0091): what a client assertion is checked with. */
  jwks: Array<Record<string, string>>;
  jwks_uri: string | null;
  dpop_required: boolean | null;
}

const AUTH_COLUMNS = `k.id, k.project_id, k.expire_time, k.kind, k.secret_hash, k.secret_sealed, k.username, k.previous_secret_hash, k.previous_secret_sealed, k.previous_secret_expire_time, p.account_id,
  (SELECT json_build_object('customClaims', pol.custom_claims, 'grants', coalesce(
     (SELECT json_agg(json_build_object('apiId', g.api_id, 'scopes', g.scopes, 'isDefault', g.is_default) ORDER BY g.api_id NULLS FIRST)
      FROM access_key_grants g WHERE g.access_key_id = k.id), '[]'::json))
   FROM access_key_policies pol WHERE pol.access_key_id = k.id) AS policy,
  coalesce((SELECT jsonb_agg(pk.jwk ORDER BY pk.create_time, pk.public_key_id) FROM access_key_public_keys pk WHERE pk.access_key_id = k.id), '[]'::jsonb) AS jwks,
  s.jwks_uri, s.dpop_required`;
// One statement per credential read: the key, its project's account, its grants and what
// private_key_jwt and DPoP need (the token endpoint's cold path makes no second read).
const AUTH_FROM = 'access_keys k JOIN projects p ON p.id = k.project_id LEFT JOIN access_key_token_settings s ON s.access_key_id = k.id';

/** Credentials of any kind by API key, in one statement (batched cold reads: key-cache.ts). */
const FOR_AUTH_BY_IDS = `SELECT ${AUTH_COLUMNS} FROM ${AUTH_FROM} WHERE k.id = ANY($1::uuid[])`;

/**
 * `prepared`: as a named prepared statement. Postgres plans this statement (three subqueries,
 * two joins) in 2-5 ms and runs it for a batch in 0.6 ms: on the cold path, planning was most
 * of the database's work. Not for PGlite, which keeps a prepared statement past the
 * connection that made it (the next connection's PREPARE fails).
 */
export async function findAccessKeysForAuth(q: Queryable, ids: readonly string[], prepared = false): Promise<Map<string, AccessKeyAuthRow>> {
  const { rows } = await q.query<AccessKeyAuthRow>(prepared ? { name: 'keymint_keys_for_auth', text: FOR_AUTH_BY_IDS, values: [ids] } : { text: FOR_AUTH_BY_IDS, values: [ids] });
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * A legacy credential by its username, given in canonical form (ASCII lower-case,
 * kernel/identifiers.ts): usernames are ASCII, so lower() here is that same folding.
 */
export async function findLegacyCredentialForAuth(q: Queryable, username: string): Promise<AccessKeyAuthRow | undefined> {
  const { rows } = await q.query<AccessKeyAuthRow>(
    `SELECT ${AUTH_COLUMNS} FROM ${AUTH_FROM} WHERE lower(k.username) = $1 AND k.username IS NOT NULL AND k.kind = 'legacy'`,
    [username],
  );
  return rows[0];
}


/** One page of Key IDs in id order, after `afterId` (null: from the start); for the known-IDs filter. */
export async function listAccessKeyIdsPage(q: Queryable, afterId: string | null, limit: number): Promise<string[]> {
  const { rows } = afterId
    ? await q.query<{ id: string }>('SELECT id FROM access_keys WHERE id > $1 ORDER BY id LIMIT $2', [afterId, limit])
    : await q.query<{ id: string }>('SELECT id FROM access_keys ORDER BY id LIMIT $1', [limit]);
  return rows.map((r) => r.id);
}

/** Key IDs created after `since` (by the database's clock), and that clock now. */
export async function listAccessKeyIdsCreatedSince(q: Queryable, since: Date): Promise<{ ids: string[]; now: Date }> {
  // One row (the clock once, the IDs as one array): this runs often under a flood of made-up IDs.
  const { rows } = await q.query<{ ids: string[]; now: Date }>(
    'SELECT now() AS now, ARRAY(SELECT id::text FROM access_keys WHERE create_time > $1) AS ids',
    [since],
  );
  return rows[0];
}

/** The database's clock. */
export async function databaseNow(q: Queryable): Promise<Date> {
  const { rows } = await q.query<{ now: Date }>('SELECT now() AS now');
  return rows[0].now;
}

/** Replaces a bcrypt hash by its digest, once: only while the row still holds that hash. */
export async function upgradeSecretHash(q: Queryable, id: string, oldHash: string, digest: string): Promise<boolean> {
  const { rowCount } = await q.query(
    "UPDATE access_keys SET secret_hash = $3 WHERE id = $1 AND secret_hash = $2 AND kind = 'basic'",
    [id, oldHash, digest],
  );
  return rowCount === 1;
}

export interface UserAuthRow {
  id: string;
  account_id: string;
  email: string;
  role: Role;
  password_hash: string;
  must_change_password: boolean;
}

/** A console user by sign-in e-mail (canonical: kernel/identifiers.ts), with the hash to check; for sign-in only. */
export async function findUserForSignIn(q: Queryable, email: string): Promise<UserAuthRow | undefined> {
  const { rows } = await q.query<UserAuthRow>('SELECT id, account_id, email, role, password_hash, must_change_password FROM users WHERE email = $1', [email]);
  return rows[0];
}
