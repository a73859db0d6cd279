// Which project's credentials a caller may see or change: a user within their own account
// (every role may list, only Administrators change: kernel/permissions.ts), an access key
// within its own project, as on the v1 API; and only on verified accounts.
import type { Queryable } from '../db/pool.js';
import type { Actor } from '../kernel/actor.js';
import { findProjectWithAccount, type ProjectAccountRow } from '../accounts/queries.js';
import { canManageCredentials } from '../kernel/roles.js';
import { adminOnly, requireKeyScope } from '../kernel/permissions.js';
import { MANAGEMENT_SCOPES } from '../kernel/grants.js';
import { isUuid } from '../kernel/ids.js';
import { ApiError } from '../kernel/api-error.js';

/** The project, when the actor may see its credentials (`manage`: and change them); else 403/404. */
export async function projectFor(q: Queryable, actor: Actor, projectId: string, manage: boolean): Promise<ProjectAccountRow> {
  if (actor.kind === 'access_key') {
    requireKeyScope(actor, manage ? MANAGEMENT_SCOPES.write : MANAGEMENT_SCOPES.read);
    if (actor.projectId !== projectId.toLowerCase()) {
      // (the caller's own project ID is named, never what was sent)
      throw ApiError.permissionDenied(`This access key belongs to project ${actor.projectId} and can manage the credentials of that project only.`);
    }
  }
  const project = isUuid(projectId) ? await findProjectWithAccount(q, projectId.toLowerCase()) : undefined;
  // A project of another account is not found: its existence is not the caller's business.
  if (!project || (actor.kind === 'user' && project.account_id !== actor.accountId)) {
    const named = isUuid(projectId) ? `project ${projectId}` : 'such project';
    throw ApiError.notFound(`There is no ${named} in your account. GET /api/projects lists your projects and their IDs.`);
  }
  if (manage && actor.kind === 'user' && !canManageCredentials(actor.role)) throw adminOnly(actor.role);
  return project;
}

export function requireVerified(project: Pick<ProjectAccountRow, 'account_verified_at'>): void {
  if (project.account_verified_at !== null) return;
  throw ApiError.failedPrecondition(
    'API credentials can only be created on verified accounts, and this account is not verified yet. ' +
      'An Administrator can request verification with POST /api/account/verification-request ' +
      '(in the dashboard: "Request verification"); existing credentials keep working meanwhile.',
  );
}
