// SQL for a key's public keys (private_key_jwt) and token settings (migrations/0090).
import type { Queryable } from '../db/pool.js';

export interface PublicKeyRow {
  public_key_id: string;
  alg: string;
  jwk: Record<string, string>;
  create_time: Date;
}

const COLUMNS = 'public_key_id, alg, jwk, create_time';

/** Locks the key's row (FOR UPDATE: additions to one key take turns, so the limit holds) and counts its public keys. */
export async function lockAndCountPublicKeys(q: Queryable, accessKeyId: string): Promise<number> {
  await q.query('SELECT 1 FROM access_keys WHERE id = $1 FOR UPDATE', [accessKeyId]);
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM access_key_public_keys WHERE access_key_id = $1', [accessKeyId]);
  return rows[0].n;
}

export async function insertPublicKey(q: Queryable, accessKeyId: string, key: { publicKeyId: string; alg: string; jwk: object }): Promise<PublicKeyRow> {
  const { rows } = await q.query<PublicKeyRow>(
    `INSERT INTO access_key_public_keys (access_key_id, public_key_id, alg, jwk) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [accessKeyId, key.publicKeyId, key.alg, JSON.stringify(key.jwk)],
  );
  return rows[0];
}

export async function listPublicKeys(q: Queryable, accessKeyId: string): Promise<PublicKeyRow[]> {
  const { rows } = await q.query<PublicKeyRow>(
    `SELECT ${COLUMNS} FROM access_key_public_keys WHERE access_key_id = $1 ORDER BY create_time, public_key_id`,
    [accessKeyId],
  );
  return rows;
}

export async function deletePublicKey(q: Queryable, accessKeyId: string, publicKeyId: string): Promise<PublicKeyRow | undefined> {
  const { rows } = await q.query<PublicKeyRow>(
    `DELETE FROM access_key_public_keys WHERE access_key_id = $1 AND public_key_id = $2 RETURNING ${COLUMNS}`,
    [accessKeyId, publicKeyId],
  );
  return rows[0];
}

export interface TokenSettingsRow {
  dpop_required: boolean;
  jwks_uri: string | null;
}

export async function findTokenSettings(q: Queryable, accessKeyId: string): Promise<TokenSettingsRow> {
  const { rows } = await q.query<TokenSettingsRow>('SELECT dpop_required, jwks_uri FROM access_key_token_settings WHERE access_key_id = $1', [accessKeyId]);
  return rows[0] ?? { dpop_required: false, jwks_uri: null };
}

export async function upsertTokenSettings(q: Queryable, accessKeyId: string, settings: TokenSettingsRow): Promise<TokenSettingsRow> {
  const { rows } = await q.query<TokenSettingsRow>(
    `INSERT INTO access_key_token_settings (access_key_id, dpop_required, jwks_uri) VALUES ($1, $2, $3)
     ON CONFLICT (access_key_id) DO UPDATE SET dpop_required = EXCLUDED.dpop_required, jwks_uri = EXCLUDED.jwks_uri, update_time = now()
     RETURNING dpop_required, jwks_uri`,
    [accessKeyId, settings.dpop_required, settings.jwks_uri],
  );
  return rows[0];
}
