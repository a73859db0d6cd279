// The console's JSON shape of a credential. No key value is in it: the API key and a
// legacy username come through "reveal" (Administrators, audited), except that
// Administrators see legacy usernames in the list, where they stand in for a label.
import type { Actor } from '../kernel/actor.js';
import type { AuditCredential } from '../audit/audit-log.js';
import type { CredentialRow } from './queries.js';

export interface Credential {
  credentialId: string;
  kind: CredentialRow['kind'];
  label: string | null;
  username?: string;
  createTime: string;
  updateTime: string;
  expireTime?: string;
  lastUseTime?: string;
}

export const SECRET_NOTICE =
  'This is the only time the API Secret is shown. Copy it now and store it safely: ' +
  'if you lose it, delete this key and create a new key and secret pair.';

const mayManage = (actor: Actor) => actor.kind === 'access_key' || actor.role === 'administrator';

export function toCredential(row: CredentialRow, actor: Actor): Credential {
  return {
    credentialId: row.credential_id,
    kind: row.kind,
    label: row.kind === 'legacy' ? null : row.display_name,
    ...(row.kind === 'legacy' && mayManage(actor) ? { username: row.username! } : {}),
    createTime: row.create_time.toISOString(),
    updateTime: row.update_time.toISOString(),
    ...(row.expire_time ? { expireTime: row.expire_time.toISOString() } : {}),
    ...(row.last_use_time ? { lastUseTime: row.last_use_time.toISOString() } : {}),
  };
}

export const auditedCredential = (row: CredentialRow): AuditCredential => ({
  credentialId: row.credential_id,
  kind: row.kind,
  label: row.display_name,
});
