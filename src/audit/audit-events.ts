// Reading the audit log: an account's events newest first, in pages whose tokens are
// bound to the account (a token of another account's log is refused).
import type { Queryable } from '../db/pool.js';
import type { PageTokenCodec } from '../kernel/page-token.js';
import { invalidPageToken } from '../kernel/request-input.js';
import { listAuditEventsPage, type AuditEventRow } from './queries.js';

export interface AuditEvent {
  eventId: string;
  time: string;
  action: string;
  actor: { type: AuditEventRow['actor_type']; id: string | null; name: string | null };
  address: string | null;
  projectId: string | null;
  credential: { credentialId: string; kind: string | null; label: string | null } | null;
  details: Record<string, unknown>;
}

const toAuditEvent = (row: AuditEventRow): AuditEvent => ({
  eventId: row.id,
  time: row.created_at.toISOString(),
  action: row.action,
  actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name },
  address: row.address,
  projectId: row.project_id,
  credential: row.credential_id ? { credentialId: row.credential_id, kind: row.credential_kind, label: row.credential_label } : null,
  details: row.details,
});

export async function listAuditEvents(q: Queryable, tokens: PageTokenCodec, accountId: string, pageSize: number, pageToken?: string) {
  let beforeId: string | null = null;
  if (pageToken) {
    beforeId = tokens.decode(pageToken, accountId)?.afterId ?? null;
    if (beforeId === null) throw invalidPageToken();
  }
  const rows = await listAuditEventsPage(q, accountId, beforeId, pageSize + 1);
  const page = rows.slice(0, pageSize);
  const nextPageToken = rows.length > pageSize ? tokens.encode({ projectId: accountId, afterId: page[page.length - 1].id }) : '';
  return { auditEvents: page.map(toAuditEvent), nextPageToken };
}
