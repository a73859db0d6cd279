// SQL for APIs (resource servers) and access keys' grants (migrations/0070), and nothing else.
import type { Queryable } from '../db/pool.js';

export interface ApiScope {
  name: string;
  description: string;
}

export interface ApiRow {
  id: string;
  account_id: string;
  identifier: string;
  display_name: string;
  scopes: ApiScope[];
  token_ttl_seconds: number | null;
  create_time: Date;
  update_time: Date;
}

const API_COLUMNS = 'id, account_id, identifier, display_name, scopes, token_ttl_seconds, create_time, update_time';
/** An account holds at most this many APIs (a catalog is read whole). */
export const MAX_APIS_PER_ACCOUNT = 100;

/** `share`: in a transaction that grants them, so that none is deleted or changed before it commits. */
export async function listAccountApis(q: Queryable, accountId: string, share = false): Promise<ApiRow[]> {
  const { rows } = await q.query<ApiRow>(
    `SELECT ${API_COLUMNS} FROM apis WHERE account_id = $1 ORDER BY create_time, id LIMIT ${MAX_APIS_PER_ACCOUNT}${share ? ' FOR SHARE' : ''}`,
    [accountId],
  );
  return rows;
}

export async function findAccountApi(q: Queryable, accountId: string, id: string): Promise<ApiRow | undefined> {
  const { rows } = await q.query<ApiRow>(`SELECT ${API_COLUMNS} FROM apis WHERE account_id = $1 AND id = $2`, [accountId, id]);
  return rows[0];
}

export interface ApiInput {
  identifier: string;
  displayName: string;
  scopes: ApiScope[];
  tokenTtlSeconds: number | null;
}

export async function insertApi(q: Queryable, id: string, accountId: string, api: ApiInput): Promise<ApiRow> {
  const { rows } = await q.query<ApiRow>(
    `INSERT INTO apis (id, account_id, identifier, display_name, scopes, token_ttl_seconds)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING ${API_COLUMNS}`,
    [id, accountId, api.identifier, api.displayName, JSON.stringify(api.scopes), api.tokenTtlSeconds],
  );
  return rows[0];
}

/** Inserts the API unless the account already has one with that identifier; true when inserted. */
export async function insertApiUnlessPresent(q: Queryable, id: string, accountId: string, api: ApiInput): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO apis (id, account_id, identifier, display_name, scopes, token_ttl_seconds)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (account_id, identifier) DO NOTHING`,
    [id, accountId, api.identifier, api.displayName, JSON.stringify(api.scopes), api.tokenTtlSeconds],
  );
  return rowCount === 1;
}

export async function updateApi(q: Queryable, accountId: string, id: string, api: ApiInput): Promise<ApiRow | undefined> {
  const { rows } = await q.query<ApiRow>(
    `UPDATE apis SET identifier = $3, display_name = $4, scopes = $5::jsonb, token_ttl_seconds = $6, update_time = now()
     WHERE account_id = $1 AND id = $2 RETURNING ${API_COLUMNS}`,
    [accountId, id, api.identifier, api.displayName, JSON.stringify(api.scopes), api.tokenTtlSeconds],
  );
  return rows[0];
}

export async function deleteApi(q: Queryable, accountId: string, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM apis WHERE account_id = $1 AND id = $2', [accountId, id]);
  return rowCount === 1;
}

/** Locks the account's API count for this transaction and returns it. */
export async function lockAndCountAccountApis(q: Queryable, accountId: string): Promise<number> {
  await q.query("SELECT pg_advisory_xact_lock(hashtext('keymint.account_apis'), hashtext($1))", [accountId]);
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM apis WHERE account_id = $1', [accountId]);
  return rows[0].n;
}

/** Removes scopes an API no longer defines from every grant on it. */
export async function trimGrantScopes(q: Queryable, apiId: string, scopes: string[]): Promise<string[]> {
  const { rows } = await q.query<{ access_key_id: string }>(
    `UPDATE access_key_grants SET scopes = ARRAY(SELECT s FROM unnest(scopes) AS s WHERE s = ANY($2::text[]))
     WHERE api_id = $1 AND NOT (scopes <@ $2::text[]) RETURNING access_key_id`,
    [apiId, scopes],
  );
  return rows.map((r) => r.access_key_id);
}

/** The keys holding a grant on the API (their cached rows change when it goes). */
export async function listGrantedKeyIds(q: Queryable, apiId: string): Promise<string[]> {
  const { rows } = await q.query<{ access_key_id: string }>('SELECT access_key_id FROM access_key_grants WHERE api_id = $1', [apiId]);
  return rows.map((r) => r.access_key_id);
}

export async function listAccountIds(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM accounts ORDER BY id');
  return rows.map((r) => r.id);
}

export interface GrantRow {
  api_id: string | null;
  scopes: string[];
  is_default: boolean;
}

export interface KeyPolicyRow {
  custom_claims: Record<string, unknown> | null;
  grants: GrantRow[];
}

/** The key's explicit policy, or undefined under the Sinch model. */
export async function findKeyPolicy(q: Queryable, accessKeyId: string): Promise<KeyPolicyRow | undefined> {
  const { rows } = await q.query<{ custom_claims: Record<string, unknown> | null }>(
    'SELECT custom_claims FROM access_key_policies WHERE access_key_id = $1',
    [accessKeyId],
  );
  if (!rows[0]) return undefined;
  const grants = await q.query<GrantRow>(
    'SELECT api_id, scopes, is_default FROM access_key_grants WHERE access_key_id = $1 ORDER BY api_id NULLS FIRST',
    [accessKeyId],
  );
  return { custom_claims: rows[0].custom_claims, grants: grants.rows };
}

/** Policies of many keys at once (a page of a list), by key ID. */
export async function listKeyPolicies(q: Queryable, accessKeyIds: string[]): Promise<Map<string, KeyPolicyRow>> {
  const out = new Map<string, KeyPolicyRow>();
  if (!accessKeyIds.length) return out;
  const { rows } = await q.query<{ access_key_id: string; custom_claims: Record<string, unknown> | null }>(
    'SELECT access_key_id, custom_claims FROM access_key_policies WHERE access_key_id = ANY($1::uuid[])',
    [accessKeyIds],
  );
  for (const r of rows) out.set(r.access_key_id, { custom_claims: r.custom_claims, grants: [] });
  const grants = await q.query<GrantRow & { access_key_id: string }>(
    'SELECT access_key_id, api_id, scopes, is_default FROM access_key_grants WHERE access_key_id = ANY($1::uuid[]) ORDER BY api_id NULLS FIRST',
    [accessKeyIds],
  );
  for (const g of grants.rows) out.get(g.access_key_id)?.grants.push(g);
  return out;
}

/** Replaces the key's policy and grants (the key becomes explicit). */
export async function replaceKeyPolicy(q: Queryable, accessKeyId: string, customClaims: Record<string, unknown> | null, grants: GrantRow[]): Promise<void> {
  await q.query(
    `INSERT INTO access_key_policies (access_key_id, custom_claims) VALUES ($1, $2::jsonb)
     ON CONFLICT (access_key_id) DO UPDATE SET custom_claims = EXCLUDED.custom_claims`,
    [accessKeyId, customClaims === null ? null : JSON.stringify(customClaims)],
  );
  await q.query('DELETE FROM access_key_grants WHERE access_key_id = $1', [accessKeyId]);
  if (!grants.length) return;
  await q.query(
    `INSERT INTO access_key_grants (access_key_id, api_id, scopes, is_default)
     SELECT $1, g.api_id, ARRAY(SELECT jsonb_array_elements_text(g.scopes)), g.is_default
     FROM jsonb_to_recordset($2::jsonb) AS g(api_id uuid, scopes jsonb, is_default boolean)`,
    [accessKeyId, JSON.stringify(grants)],
  );
}

/**
 * Gives each account still waiting for it (migrations/0070) the configured API, once:
 * the pending rows are taken under lock, so instances starting together import once.
 */
export async function importConfiguredApi(q: Queryable, api: ApiInput): Promise<number> {
  const { rowCount } = await q.query(
    `WITH taken AS (DELETE FROM apis_import_pending RETURNING account_id)
     INSERT INTO apis (id, account_id, identifier, display_name, scopes, token_ttl_seconds)
     SELECT gen_random_uuid(), account_id, $1, $2, $3::jsonb, $4 FROM taken
     ON CONFLICT (account_id, identifier) DO NOTHING`,
    [api.identifier, api.displayName, JSON.stringify(api.scopes), api.tokenTtlSeconds],
  );
  return rowCount ?? 0;
}

/** Forgets the pending import (no TOKEN_AUDIENCE of its own: the accounts' APIs start empty). */
export async function clearPendingImport(q: Queryable): Promise<void> {
  await q.query('DELETE FROM apis_import_pending');
}

/** Back to the Sinch model: the key's policy and grants go. */
export async function deleteKeyPolicy(q: Queryable, accessKeyId: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM access_key_policies WHERE access_key_id = $1', [accessKeyId]);
  return rowCount === 1;
}
