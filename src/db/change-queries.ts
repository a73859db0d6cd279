// SQL for the change log (migrations/0010_change_log.sql): written by triggers, read here.
import type pg from 'pg';
import type { Queryable } from './pool.js';

export const CHANGE_CHANNEL = 'keymint_changes';

export interface ChangeRow {
  seq: string;
  kind: 'access_key' | 'api' | 'signing_keys' | 'revocations';
  id: string | null;
}

export async function latestChangeSeq(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ seq: string }>('SELECT coalesce(max(seq), 0) AS seq FROM change_log');
  return Number(rows[0].seq);
}

/** Changes after `after`, and the missing ones (`gaps`) below it that may have committed since. */
export async function listChangesSince(q: pg.Client, after: number, gaps: number[], timeoutMs: number): Promise<ChangeRow[]> {
  const { rows } = await q.query<ChangeRow>({
    text: 'SELECT seq, kind, id FROM change_log WHERE seq > $1 OR seq = ANY($2::bigint[]) ORDER BY seq LIMIT 1000',
    values: [after, gaps],
    query_timeout: timeoutMs,
  } as pg.QueryConfig);
  return rows;
}

export async function listenForChanges(q: pg.Client): Promise<void> {
  await q.query(`LISTEN ${CHANGE_CHANNEL}`);
}

export async function deleteOldChanges(q: Queryable, timeoutMs?: number): Promise<void> {
  await q.query({ text: "DELETE FROM change_log WHERE created_at < now() - interval '1 hour'", query_timeout: timeoutMs } as pg.QueryConfig);
}
