// Who may do what, as refusals every feature shares: only a signed-in Administrator
// creates, edits, reveals or deletes credentials and manages the account (seeds 000, 001, 004).
import type { Actor } from './actor.js';
import { ApiError } from './api-error.js';
import { ROLE_NAMES, canManageCredentials, type Role } from './roles.js';

export const adminOnly = (role: Role, what = 'create and manage API keys') =>
  ApiError.permissionDenied(
    `Only account Administrators can ${what}. Your role is ${ROLE_NAMES[role]}; ` +
      'please contact your account administrator for assistance.',
  );

export function requireAdministrator(actor: Actor, what?: string): void {
  if (actor.kind !== 'user') throw ApiError.permissionDenied('Only a signed-in Administrator of the account can do this; an access key cannot.');
  if (!canManageCredentials(actor.role)) throw adminOnly(actor.role, what);
}

/**
 * An access key may use the management API only with the scope the operation needs
 * (accesskeys.read to list and read, accesskeys.write to change): 403 insufficient_scope
 * naming it (RFC 6750 §3.1). Users are judged by their role instead.
 */
export function requireKeyScope(actor: Actor, scope: string): void {
  if (actor.kind !== 'access_key' || actor.scopes.has(scope)) return;
  throw new ApiError(
    403,
    'PERMISSION_DENIED',
    `This access key lacks the scope ${scope} of Keymint's management API. An Administrator can grant it (grants of the key); ` +
      'a token must also be asked for with that scope.',
    { 'WWW-Authenticate': `Bearer realm="keymint", error="insufficient_scope", scope="${scope}"` },
  );
}
