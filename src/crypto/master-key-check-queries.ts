// SQL for the master key's check value (migrations/0011_master_key_check.sql).
import type { Queryable } from '../db/pool.js';

export async function findMasterKeyCheck(q: Queryable): Promise<string | undefined> {
  const { rows } = await q.query<{ sealed: string }>('SELECT sealed FROM master_key_check');
  return rows[0]?.sealed;
}

/** Inserts the check value unless one exists; returns the one that is stored. */
export async function insertMasterKeyCheck(q: Queryable, sealed: string): Promise<string> {
  await q.query('INSERT INTO master_key_check (sealed) VALUES ($1) ON CONFLICT (singleton) DO NOTHING', [sealed]);
  return (await findMasterKeyCheck(q))!;
}

/** The sealed private halves of the signing keys, newest first (to adopt a check value on an existing database). */
export async function listSealedSigningKeys(q: Queryable): Promise<Array<{ kid: string; private_sealed: string }>> {
  const { rows } = await q.query<{ kid: string; private_sealed: string }>('SELECT kid, private_sealed FROM signing_keys ORDER BY created_at DESC, kid');
  return rows;
}
