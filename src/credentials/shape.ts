// The console's JSON shape of a credential. No key value is in it: the API key and a
// legacy username come through "reveal" (Administrators, audited), except that
// Administrators see legacy usernames in the list, where they stand in for a label.
import type { Actor } from '../kernel/actor.js';
import type { AuditCredential } from '../audit/audit-log.js';
import type { CredentialRow } from './queries.js';
import { authenticationMethods, authStateOf, type AuthenticationMethod } from '../kernel/auth-methods.js';

export interface Credential {
  credentialId: string;
  kind: CredentialRow['kind'];
  label: string | null;
  username?: string;
  createTime: string;
  updateTime: string;
  expireTime?: string;
  lastUseTime?: string;
  /** REST Basic only (issue 14): client_secret_basic and client_secret_post with a secret, private_key_jwt with public keys or a jwksUri. */
  authenticationMethods?: AuthenticationMethod[];
}

// A row just inserted by the console (no has_* columns) is a REST Basic key with its secret and nothing else.
const NEW_BASIC_KEY = { hasSecret: true, hasPublicKeys: false };
const methodsOf = (row: CredentialRow) =>
  authenticationMethods(row.has_secret === undefined ? NEW_BASIC_KEY : authStateOf({ has_secret: row.has_secret, has_public_keys: row.has_public_keys === true, has_jwks_uri: row.has_jwks_uri ?? null }));

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
    ...(row.kind === 'basic' ? { authenticationMethods: methodsOf(row) } : {}),
  };
}

export const auditedCredential = (row: CredentialRow): AuditCredential => ({
  credentialId: row.credential_id,
  kind: row.kind,
  label: row.display_name,
});
