// Records what happened to an account's credentials and people. Services call record()
// with the transaction that makes the change, so the event and the change commit together
// or not at all. Only labels, usernames and e-mail addresses go in: never a secret.
import { v7 as uuidv7 } from 'uuid';
import type { Queryable } from '../db/pool.js';
import type { Actor } from '../kernel/actor.js';
import { insertAuditEvent, type NewAuditEvent } from './queries.js';

export type AuditAction =
  | 'credential.create'
  | 'credential.label_change'
  | 'credential.password_change'
  | 'credential.expiry_change'
  | 'credential.reveal'
  | 'credential.secret_rotate'
  | 'credential.secret_revoke_previous'
  | 'credential.delete'
  | 'credential.grants_change'
  | 'api.create'
  | 'api.update'
  | 'api.delete'
  | 'session.sign_in'
  | 'session.sign_in_failed'
  | 'session.sign_in_failures'
  | 'user.add'
  | 'user.role_change'
  | 'user.remove'
  | 'user.password_change'
  | 'user.password_reset'
  | 'project.create'
  | 'project.rename'
  | 'project.delete'
  | 'account.verification_request'
  | 'account.usage_settings_change'
  | 'quota.change'
  // private_key_jwt and DPoP (issue 14)
  | 'credential.public_key_add'
  | 'credential.public_key_remove'
  | 'credential.token_settings_change'
  // a key's secret removed, leaving its public keys (issue 14)
  | 'credential.secret_remove';

export interface AuditCredential {
  credentialId: string;
  kind: string;
  /** The label, or a legacy credential's username. */
  label: string | null;
}

export interface AuditEntry {
  accountId: string;
  /** The user or key that acted; undefined for an anonymous caller (a failed sign-in). */
  actor?: Actor;
  /** A readable name for the actor: the user's e-mail, or the key's label. */
  actorName?: string;
  action: AuditAction;
  projectId?: string;
  credential?: AuditCredential;
  details?: Record<string, string | number | boolean | null | string[]>;
  address?: string;
}

export async function recordAudit(q: Queryable, entry: AuditEntry): Promise<void> {
  await insertAuditEvent(q, auditEventOf(entry));
}

/** The row an entry becomes (for a query that writes it together with the change itself). */
export function auditEventOf(entry: AuditEntry): NewAuditEvent {
  const { actor } = entry;
  return {
    id: uuidv7(),
    account_id: entry.accountId,
    project_id: entry.projectId ?? (actor?.kind === 'access_key' ? actor.projectId : null),
    actor_type: actor ? actor.kind : 'anonymous',
    actor_id: actor ? (actor.kind === 'user' ? actor.userId : actor.accessKeyId) : null,
    actor_name: entry.actorName ?? (actor?.kind === 'user' ? actor.email : null),
    action: entry.action,
    credential_id: entry.credential?.credentialId ?? null,
    credential_kind: entry.credential?.kind ?? null,
    credential_label: entry.credential?.label ?? null,
    details: entry.details ?? {},
    address: entry.address ?? null,
  };
}
