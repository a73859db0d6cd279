// SQL for the audit log, and nothing else.
import type { Queryable } from '../db/pool.js';

export interface AuditEventRow {
  id: string;
  account_id: string;
  project_id: string | null;
  actor_type: 'user' | 'access_key' | 'anonymous';
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  credential_id: string | null;
  credential_kind: string | null;
  credential_label: string | null;
  details: Record<string, unknown>;
  address: string | null;
  created_at: Date;
}

export type NewAuditEvent = Omit<AuditEventRow, 'created_at'>;

export async function insertAuditEvent(q: Queryable, e: NewAuditEvent): Promise<void> {
  await q.query(
    `INSERT INTO audit_events (id, account_id, project_id, actor_type, actor_id, actor_name, action,
       credential_id, credential_kind, credential_label, details, address)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [e.id, e.account_id, e.project_id, e.actor_type, e.actor_id, e.actor_name, e.action,
      e.credential_id, e.credential_kind, e.credential_label, JSON.stringify(e.details), e.address],
  );
}

/** Newest first: the events of an account before `beforeId` (UUIDv7, so time order). */
export async function listAuditEventsPage(
  q: Queryable,
  accountId: string,
  beforeId: string | null,
  limit: number,
): Promise<AuditEventRow[]> {
  const { rows } = beforeId === null
    ? await q.query<AuditEventRow>(
        'SELECT * FROM audit_events WHERE account_id = $1 ORDER BY id DESC LIMIT $2',
        [accountId, limit],
      )
    : await q.query<AuditEventRow>(
        'SELECT * FROM audit_events WHERE account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3',
        [accountId, beforeId, limit],
      );
  return rows;
}

/** Deletes up to `limit` events older than `days` days; returns how many went. */
export async function deleteAuditEventsOlderThan(q: Queryable, days: number, limit: number): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM audit_events WHERE id IN (
       SELECT id FROM audit_events WHERE created_at < now() - make_interval(days => $1) LIMIT $2)`,
    [days, limit],
  );
  return rowCount ?? 0;
}
