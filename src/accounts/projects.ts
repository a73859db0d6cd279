// Projects of an account, each with its Project ID (the Access keys page lists them).
// Project names are unique within an account. A project is deleted only without
// credentials, unless its credentials are explicitly deleted with it: then all of them go
// in the same transaction as the project (each audited by the caller's onDeleted), and
// each is announced afterwards so that every instance drops it from its caches.
import { randomUUID } from 'node:crypto';
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import { ApiError } from '../kernel/api-error.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { parseName } from './accounts.js';
import { requireAccount, requireId } from './lookups.js';
import * as q from './queries.js';

export interface Project {
  projectId: string;
  accountId: string;
  name: string;
  createTime: string;
}

export const toProject = (row: q.ProjectRow): Project => ({
  projectId: row.id,
  accountId: row.account_id,
  name: row.name,
  createTime: row.created_at.toISOString(),
});

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';
const nameTaken = (name: string) => ApiError.alreadyExists(`This account already has a project named "${name}". Choose another name.`);

/** Runs inside the change's transaction (the audit log), so both commit or neither. */
export type OnProjectChange = (tx: Queryable, project: Project, before?: Project) => Promise<void>;
export type OnProjectDeleted = (tx: Queryable, project: Project, credentials: q.DeletedCredentialRow[]) => Promise<void>;

async function uniquely<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(name);
    throw err;
  }
}

export async function createProject(db: Db, accountId: string, name: string, onChange?: OnProjectChange): Promise<Project> {
  const projectName = parseName('project', name);
  requireId('account', accountId);
  return uniquely(projectName, () =>
    withTransaction(db, async (tx) => {
      await requireAccount(tx, accountId);
      const project = toProject(await q.insertProject(tx, { id: randomUUID(), accountId, name: projectName }));
      await onChange?.(tx, project);
      return project;
    }),
  );
}

export async function listProjects(db: Db, accountId: string): Promise<Project[]> {
  await requireAccount(db, accountId);
  return (await q.listProjectsOfAccount(db, accountId)).map(toProject);
}

// Only a well-formed ID is repeated back.
const noSuchProject = (id: string) =>
  ApiError.notFound(`There is no project ${id} in your account. GET /api/projects lists your projects and their IDs.`);

async function lockedProject(tx: Queryable, accountId: string, projectId: string): Promise<q.ProjectRow> {
  requireId('project', projectId);
  const row = await q.lockProjectOfAccount(tx, accountId, projectId.toLowerCase());
  if (!row) throw noSuchProject(projectId);
  return row;
}

export async function renameProject(db: Db, accountId: string, projectId: string, name: string, onChange?: OnProjectChange): Promise<Project> {
  const projectName = parseName('project', name);
  requireId('account', accountId);
  return uniquely(projectName, () =>
    withTransaction(db, async (tx) => {
      const before = toProject(await lockedProject(tx, accountId, projectId));
      if (before.name === projectName) return before;
      const project = toProject((await q.updateProjectName(tx, before.projectId, projectName))!);
      await onChange?.(tx, project, before);
      return project;
    }),
  );
}

const KIND_WORDS = { basic: 'REST Basic', hmac: 'REST HMAC', legacy: 'legacy' } as const;

export async function deleteProject(
  db: Db,
  feed: ChangeFeed,
  accountId: string,
  projectId: string,
  opts: { withCredentials: boolean },
  onDeleted?: OnProjectDeleted,
): Promise<{ deletedCredentials: number }> {
  requireId('account', accountId);
  const deleted = await withTransaction(db, async (tx) => {
    const project = toProject(await lockedProject(tx, accountId, projectId));
    if (!opts.withCredentials) {
      const counts = Object.entries(await q.countProjectCredentials(tx, project.projectId));
      const total = counts.reduce((sum, [, n]) => sum + n, 0);
      if (total > 0) {
        const kinds = counts.map(([kind, n]) => `${n} ${KIND_WORDS[kind as keyof typeof KIND_WORDS]}`).join(', ');
        throw ApiError.failedPrecondition(
          `The project "${project.name}" still has ${total} API ${total === 1 ? 'credential' : 'credentials'} (${kinds}): nothing was deleted. ` +
            'Delete the credentials first, or delete the project together with them (DELETE /api/projects/{projectId}?withCredentials=true; ' +
            'in the console, confirm deleting them in the Delete project dialog).',
        );
      }
    }
    const credentials = await q.deleteProjectCredentials(tx, project.projectId);
    await q.deleteProjectRow(tx, project.projectId);
    await onDeleted?.(tx, project, credentials);
    return credentials;
  });
  for (const row of deleted) await feed.publish({ kind: 'access_key', id: row.id });
  return { deletedCredentials: deleted.length };
}
