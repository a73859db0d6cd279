// The audit event of a change to an access key, written in the change's transaction: by
// the key or user that made it (a console user, or the operator's CLI), from the client's address, on a
// REST Basic key. One helper for every service that changes keys.
import type { Queryable } from '../db/pool.js';
import { auditEventOf, recordAudit, type AuditEntry } from '../audit/audit-log.js';
import type { KeyActor as Actor, UserActor } from '../kernel/actor.js';
import type { AccessKeyRow, CreateAuditEvent } from './queries.js';

/** The operator at the command line (`keymint keys ...`): may manage any project. */
export const OPERATOR = Object.freeze({ kind: 'operator' as const, name: 'keymint CLI' });
export type KeysCaller = Actor | typeof OPERATOR;

export function recordKeyAudit(
  tx: Queryable,
  change: { actor: KeysCaller | UserActor; address: string | undefined; accountId: string; action: AuditEntry['action']; row: AccessKeyRow; details?: AuditEntry['details'] },
): Promise<void> {
  const { actor, row } = change;
  return recordAudit(tx, {
    accountId: change.accountId,
    ...(actor.kind === 'operator' ? { actorName: actor.name } : { actor }),
    action: change.action,
    projectId: row.project_id,
    credential: { credentialId: row.credential_id, kind: 'basic', label: row.display_name },
    details: change.details,
    address: change.address,
  });
}

/** The audit event of a key's creation, for the statement that creates the key (queries.ts insertAccessKeyAudited). */
export function createAuditEvent(actor: KeysCaller, address: string | undefined): CreateAuditEvent {
  const e = auditEventOf({
    accountId: '', // the insert takes the project's
    ...(actor.kind === 'operator' ? { actorName: actor.name } : { actor }),
    action: 'credential.create',
    address,
  });
  return { id: e.id, actor_type: e.actor_type, actor_id: e.actor_id, actor_name: e.actor_name, action: e.action, details: e.details, address: e.address };
}
