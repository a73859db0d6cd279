// SQL of the resident keys (resident-keys.ts): the REST Basic keys that can be served from
// memory (a digest secret, no previous secret, no public keys, jwks_uri or DPoP setting, no
// explicit grants: those become resident on their first read instead), a page at a time
// in Key ID order. A page is one row: its keys packed in one bytea, 88 bytes each (the
// Key ID, the 32-byte digest, the expiry as a float8 of ms or NaN, the project and its
// account), so that a million keys load without a million row objects.
import type { Queryable } from '../db/pool.js';

export const PACKED_BYTES = 88;

const ELIGIBLE = `k.kind = 'basic' AND k.username IS NULL AND k.previous_secret_hash IS NULL
  AND k.secret_hash LIKE 'sha256$%' AND length(k.secret_hash) = 50
  AND NOT EXISTS (SELECT 1 FROM access_key_public_keys pk WHERE pk.access_key_id = k.id)
  AND NOT EXISTS (SELECT 1 FROM access_key_token_settings s WHERE s.access_key_id = k.id AND (s.jwks_uri IS NOT NULL OR s.dpop_required))
  AND NOT EXISTS (SELECT 1 FROM access_key_policies pol WHERE pol.access_key_id = k.id)`;

const PACKED = `uuid_send(k.id)
  || decode(translate(substr(k.secret_hash, 8), '-_', '+/') || '=', 'base64')
  || float8send(coalesce(extract(epoch FROM k.expire_time)::float8 * 1000, 'NaN'::float8))
  || uuid_send(k.project_id) || uuid_send(p.account_id)`;

export interface ResidentPage {
  /** Rows of the table the page went through (qualifying or not): fewer than asked, the end. */
  scanned: number;
  /** The last Key ID the page went through (where the next starts), or null when it is empty. */
  last: string | null;
  /** Qualifying keys in the page, packed. */
  count: number;
  packed: Buffer | null;
}

const BEFORE_EVERY_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The qualifying keys among the next `limit` rows after `afterId` (null: from the first), in
 * Key ID order. The page is a range of the primary key first and filtered after, so that every
 * page costs the same, wherever the qualifying keys are.
 */
export async function readResidentPage(q: Queryable, afterId: string | null, limit: number): Promise<ResidentPage> {
  const { rows } = await q.query<ResidentPage>(
    `WITH page AS (SELECT k.id, k.kind, k.username, k.previous_secret_hash, k.secret_hash, k.expire_time, k.project_id
                     FROM access_keys k WHERE k.id > $1::uuid ORDER BY k.id LIMIT $2)
     SELECT (SELECT count(*) FROM page)::int AS scanned, (SELECT max(id::text) FROM page) AS last,
            count(*)::int AS count, string_agg(packed, ''::bytea ORDER BY id) AS packed
       FROM (SELECT k.id, ${PACKED} AS packed
               FROM page k JOIN projects p ON p.id = k.project_id
              WHERE ${ELIGIBLE}) eligible`,
    [afterId ?? BEFORE_EVERY_ID, limit],
  );
  return rows[0];
}

/** About how many keys there are (the planner's estimate: no scan), to size the table. */
export async function estimateKeyCount(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>("SELECT greatest(reltuples, 0)::bigint::int AS n FROM pg_class WHERE oid = 'access_keys'::regclass");
  return rows[0]?.n ?? 0;
}
