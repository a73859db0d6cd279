// SQL that the token endpoint reads beside a key's secret: its public keys (private_key_jwt)
// and its token settings (migrations/0090). Nothing here writes.
import type { Queryable } from '../db/pool.js';

export interface ClientKeysRow {
  jwks: Array<Record<string, string>>;
  dpop_required: boolean | null;
  jwks_uri: string | null;
}

/** A key's public JWKs (oldest first) or jwks_uri, and whether it requires DPoP; for authentication only. */
export async function findClientKeysForAuth(q: Queryable, accessKeyId: string): Promise<ClientKeysRow> {
  const { rows } = await q.query<ClientKeysRow>(
    `SELECT (SELECT coalesce(jsonb_agg(jwk ORDER BY create_time, public_key_id), '[]'::jsonb)
               FROM access_key_public_keys WHERE access_key_id = $1) AS jwks,
            s.dpop_required, s.jwks_uri
       FROM (SELECT 1) AS one LEFT JOIN access_key_token_settings s ON s.access_key_id = $1`,
    [accessKeyId],
  );
  return rows[0];
}
