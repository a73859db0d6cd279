// What a signed-in user does with their own account through the console API: read it,
// ask for verification, list its projects, and (Administrators) manage its people and
// read its audit log. Every change commits together with its audit event.
import { withTransaction, type Db } from '../db/pool.js';
import type { PageTokenCodec } from '../kernel/page-token.js';
import { recordAudit, type AuditEntry } from '../audit/audit-log.js';
import { listAuditEvents } from '../audit/audit-events.js';
import { ApiError } from '../kernel/api-error.js';
import { requireAdministrator } from '../kernel/permissions.js';
import type { Caller } from '../kernel/actor.js';
import { getAccount, toAccount } from './accounts.js';
import { listProjects } from './projects.js';
import { markVerificationRequested } from './queries.js';
import type { Role } from '../kernel/roles.js';
import { addUser, changeUserRole, listUsers, removeUser, type NewUser, type OnChange } from './users.js';
import type { UserActor } from '../kernel/actor.js';

export interface AccountServiceDeps {
  db: Db;
  bcryptCost: number;
  auditPageTokens: PageTokenCodec;
}

function userOf(caller: Caller): UserActor {
  if (caller.actor.kind !== 'user') throw ApiError.permissionDenied('Account settings are for signed-in users; an access key manages its project\'s credentials only.');
  return caller.actor;
}

function adminOf(caller: Caller): UserActor {
  requireAdministrator(caller.actor, 'manage the account, its users and its audit log');
  return userOf(caller);
}

export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  account(caller: Caller) {
    return getAccount(this.deps.db, userOf(caller).accountId);
  }

  async projects(caller: Caller) {
    const projects = await listProjects(this.deps.db, userOf(caller).accountId);
    return { projects: projects.map(({ projectId, name, createTime }) => ({ projectId, name, createTime })) };
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

  auditEvents(caller: Caller, pageSize: number, pageToken?: string) {
    return listAuditEvents(this.deps.db, this.deps.auditPageTokens, adminOf(caller).accountId, pageSize, pageToken);
  }

  #entry(caller: Caller, admin: UserActor, action: AuditEntry['action'], details?: AuditEntry['details']): AuditEntry {
    return { accountId: admin.accountId, actor: admin, action, details, address: caller.address };
  }

  #audited(caller: Caller, admin: UserActor, action: AuditEntry['action']): OnChange {
    return (tx, user) => recordAudit(tx, this.#entry(caller, admin, action, { userId: user.userId, email: user.email, role: user.role }));
  }
}
