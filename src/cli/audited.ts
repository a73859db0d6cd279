// The audit events of operator commands: what `keymint projects …` and `keymint users …`
// change is written to the account's audit log in the change's own transaction, as the
// console API writes it, with "keymint CLI" as the actor (the operator has no user row).
import type { Queryable } from '../db/pool.js';
import { recordAudit, type AuditEntry } from '../audit/audit-log.js';
import { OPERATOR } from '../access-keys/service.js';
import type { OnProjectChange, OnProjectDeleted } from '../accounts/projects.js';
import type { OnChange } from '../accounts/users.js';
import type { OnPasswordChange } from '../accounts/passwords.js';

const byOperator = (tx: Queryable, entry: Omit<AuditEntry, 'actorName'>) => recordAudit(tx, { ...entry, actorName: OPERATOR.name });

export const projectCreated = (accountId: string): OnProjectChange => (tx, p) =>
  byOperator(tx, { accountId, action: 'project.create', projectId: p.projectId, details: { name: p.name } });

export const projectRenamed = (accountId: string): OnProjectChange => (tx, p, before) =>
  byOperator(tx, { accountId, action: 'project.rename', projectId: p.projectId, details: { from: before?.name ?? null, to: p.name } });

export const projectDeleted = (accountId: string): OnProjectDeleted => async (tx, project, credentials) => {
  for (const row of credentials) {
    await byOperator(tx, {
      accountId,
      action: 'credential.delete',
      projectId: project.projectId,
      credential: { credentialId: row.credential_id, kind: row.kind, label: row.display_name },
      details: { withProject: true },
    });
  }
  await byOperator(tx, { accountId, action: 'project.delete', projectId: project.projectId, details: { name: project.name, deletedCredentials: credentials.length } });
};

export const userChanged = (accountId: string, action: 'user.add' | 'user.remove' | 'user.role_change'): OnChange => (tx, user) =>
  byOperator(tx, { accountId, action, details: { userId: user.userId, email: user.email, role: user.role } });

export const passwordSet = (accountId: string): OnPasswordChange => (tx, user, signedOut) =>
  byOperator(tx, { accountId, action: 'user.password_reset', details: { userId: user.userId, email: user.email, role: user.role, signedOut } });
