// What a signed-in user does with their own account through the console API: read it,
// ask for verification, list its projects, and (Administrators) create, rename and delete
// projects, manage its people (and reset their passwords) and read its audit log. Every
// change commits together with its audit event.
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import type { ChangeFeed } from '../db/change-feed.js';
import type { PageTokenCodec } from '../kernel/page-token.js';
import { recordAudit, type AuditEntry } from '../audit/audit-log.js';
import { listAuditEvents } from '../audit/audit-events.js';
import { ApiError } from '../kernel/api-error.js';
import { requireAdministrator } from '../kernel/permissions.js';
import type { Caller } from '../kernel/actor.js';
import { getAccount, toAccount } from './accounts.js';
import { createProject, deleteProject, listProjects, renameProject, type Project } from './projects.js';
import { resetPassword } from './passwords.js';
import { markVerificationRequested } from './queries.js';
import type { Role } from '../kernel/roles.js';
import { addUser, changeUserRole, listUsers, removeUser, type NewUser, type OnChange } from './users.js';
import type { UserActor } from '../kernel/actor.js';

export interface AccountServiceDeps {
  db: Db;
  /** Announces the credentials deleted with a project, so every instance drops them. */
  feed: ChangeFeed;
  bcryptCost: number;
  auditPageTokens: PageTokenCodec;
}

function userOf(caller: Caller): UserActor {
  if (caller.actor.kind !== 'user') throw ApiError.permissionDenied('Account settings are for signed-in users; an access key manages its project\'s credentials only.');
  return caller.actor;
}

function adminOf(caller: Caller, what = 'manage the account, its users and its audit log'): UserActor {
  requireAdministrator(caller.actor, what);
  return userOf(caller);
}

const shownProject = ({ projectId, name, createTime }: Project) => ({ projectId, name, createTime });

export const TEMPORARY_NOTICE =
  'This temporary password is shown only this once. Give it to the user privately: at their next sign-in ' +
  'they must choose a new password before they can do anything else. Their open sessions have ended.';

export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  account(caller: Caller) {
    return getAccount(this.deps.db, userOf(caller).accountId);
  }

  async projects(caller: Caller) {
    const projects = await listProjects(this.deps.db, userOf(caller).accountId);
    return { projects: projects.map(shownProject) };
  }

  async createProject(caller: Caller, name: string) {
    const admin = adminOf(caller, 'create, rename and delete projects');
    const project = await createProject(this.deps.db, admin.accountId, name, (tx, p) => this.#projectEvent(tx, caller, admin, 'project.create', p, { name: p.name }));
    return shownProject(project);
  }

  async renameProject(caller: Caller, projectId: string, name: string) {
    const admin = adminOf(caller, 'create, rename and delete projects');
    const project = await renameProject(this.deps.db, admin.accountId, projectId, name, (tx, p, before) =>
      this.#projectEvent(tx, caller, admin, 'project.rename', p, { from: before?.name ?? null, to: p.name }),
    );
    return shownProject(project);
  }

  /** Refused while credentials remain, unless `withCredentials`: then each is deleted (and audited) with it. */
  deleteProject(caller: Caller, projectId: string, withCredentials: boolean) {
    const admin = adminOf(caller, 'create, rename and delete projects');
    return deleteProject(this.deps.db, this.deps.feed, admin.accountId, projectId, { withCredentials }, async (tx, project, credentials) => {
      for (const row of credentials) {
        await recordAudit(tx, { ...this.#entry(caller, admin, 'credential.delete', { withProject: true }), projectId: project.projectId, credential: { credentialId: row.credential_id, kind: row.kind, label: row.display_name } });
      }
      await this.#projectEvent(tx, caller, admin, 'project.delete', project, { name: project.name, deletedCredentials: credentials.length });
    });
  }

  async requestVerification(caller: Caller) {
    const admin = adminOf(caller);
    return withTransaction(this.deps.db, async (tx) => {
      const row = await markVerificationRequested(tx, admin.accountId);
      if (!row) throw ApiError.notFound('Your account no longer exists.');
      await recordAudit(tx, this.#entry(caller, admin, 'account.verification_request'));
      return toAccount(row);
    });
  }

  async users(caller: Caller) {
    return { users: (await listUsers(this.deps.db, adminOf(caller).accountId)).map(({ accountId: _, ...user }) => user) };
  }

  addUser(caller: Caller, input: NewUser) {
    const admin = adminOf(caller);
    return addUser(this.deps.db, this.deps.bcryptCost, admin.accountId, input, this.#audited(caller, admin, 'user.add'));
  }

  changeRole(caller: Caller, userId: string, role: Role) {
    const admin = adminOf(caller);
    return changeUserRole(this.deps.db, admin.accountId, userId, role, this.#audited(caller, admin, 'user.role_change'));
  }

  removeUser(caller: Caller, userId: string) {
    const admin = adminOf(caller);
    return removeUser(this.deps.db, admin.accountId, userId, this.#audited(caller, admin, 'user.remove'));
  }

  /** A temporary password for another user, shown once; they must change it at their next sign-in. */
  async resetPassword(caller: Caller, userId: string) {
    const admin = adminOf(caller);
    if (userId.toLowerCase() === admin.userId) {
      throw ApiError.invalidArgument('You cannot reset your own password: change it with Change password (POST /api/session/password).');
    }
    const { user, temporaryPassword } = await resetPassword(this.deps.db, this.deps.bcryptCost, admin.accountId, userId, (tx, u, signedOut) =>
      recordAudit(tx, this.#entry(caller, admin, 'user.password_reset', { userId: u.userId, email: u.email, role: u.role, signedOut })),
    );
    const { accountId: _, ...shown } = user;
    return { user: shown, temporaryPassword, notice: TEMPORARY_NOTICE };
  }

  auditEvents(caller: Caller, pageSize: number, pageToken?: string) {
    return listAuditEvents(this.deps.db, this.deps.auditPageTokens, adminOf(caller).accountId, pageSize, pageToken);
  }

  #entry(caller: Caller, admin: UserActor, action: AuditEntry['action'], details?: AuditEntry['details']): AuditEntry {
    return { accountId: admin.accountId, actor: admin, action, details, address: caller.address };
  }

  #projectEvent(tx: Queryable, caller: Caller, admin: UserActor, action: AuditEntry['action'], project: Project, details: AuditEntry['details']) {
    return recordAudit(tx, { ...this.#entry(caller, admin, action, details), projectId: project.projectId });
  }

  #audited(caller: Caller, admin: UserActor, action: AuditEntry['action']): OnChange {
    return (tx, user) => recordAudit(tx, this.#entry(caller, admin, action, { userId: user.userId, email: user.email, role: user.role }));
  }
}
