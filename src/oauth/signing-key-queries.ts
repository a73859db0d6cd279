// SQL for JWT signing keys.
import type { Queryable } from '../db/pool.js';

export interface SigningKeyRow {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
  private_sealed: string;
  created_at: Date;
  activates_at: Date;
}

export async function listSigningKeys(q: Queryable): Promise<SigningKeyRow[]> {
  const { rows } = await q.query<SigningKeyRow>(
    'SELECT kid, alg, public_jwk, private_sealed, created_at, activates_at FROM signing_keys ORDER BY activates_at, kid',
  );
  return rows;
}

export async function insertSigningKey(
  q: Queryable,
  k: { kid: string; alg: string; publicJwk: object; privateSealed: string; activatesInSeconds: number },
): Promise<SigningKeyRow> {
  const { rows } = await q.query<SigningKeyRow>(
    `INSERT INTO signing_keys (kid, alg, public_jwk, private_sealed, activates_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
     RETURNING kid, alg, public_jwk, private_sealed, created_at, activates_at`,
    [k.kid, k.alg, JSON.stringify(k.publicJwk), k.privateSealed, k.activatesInSeconds],
  );
  return rows[0];
}

/** Serializes key creation across instances (first start, rotation) inside a transaction. */
export async function lockSigningKeys(q: Queryable): Promise<void> {
  await q.query("SELECT pg_advisory_xact_lock(hashtext('keymint.signing_keys'))");
}

export async function deleteSigningKeys(q: Queryable, kids: string[]): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM signing_keys WHERE kid = ANY($1::text[])', [kids]);
  return rowCount ?? 0;
}
