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
