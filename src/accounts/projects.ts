// Projects of an account, each with its Project ID (the Access keys page lists them).
// Project names are unique within an account.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/pool.js';
import { ApiError } from '../kernel/api-error.js';
import { parseName } from './accounts.js';
import { requireAccount } from './lookups.js';
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

export async function createProject(db: Db, accountId: string, name: string): Promise<Project> {
  const projectName = parseName('project', name);
  await requireAccount(db, accountId);
  try {
    return toProject(await q.insertProject(db, { id: randomUUID(), accountId, name: projectName }));
  } catch (err) {
    if (isUniqueViolation(err)) throw ApiError.alreadyExists(`This account already has a project named "${projectName}".`);
    throw err;
  }
}

export async function listProjects(db: Db, accountId: string): Promise<Project[]> {
  await requireAccount(db, accountId);
  return (await q.listProjectsOfAccount(db, accountId)).map(toProject);
}
