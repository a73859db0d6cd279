// SQL for accounts and projects.
import type { Queryable } from '../db/pool.js';

export interface AccountRow {
  id: string;
  name: string;
  verified_at: Date | null;
  created_at: Date;
}

export interface ProjectRow {
  id: string;
  account_id: string;
  name: string;
  created_at: Date;
}

export async function insertAccount(q: Queryable, a: { id: string; name: string; verified: boolean }): Promise<AccountRow> {
  const { rows } = await q.query<AccountRow>(
    `INSERT INTO accounts (id, name, verified_at) VALUES ($1, $2, CASE WHEN $3 THEN now() END)
     RETURNING id, name, verified_at, created_at`,
    [a.id, a.name, a.verified],
  );
  return rows[0];
}

export async function insertProject(q: Queryable, p: { id: string; accountId: string; name: string }): Promise<ProjectRow> {
  const { rows } = await q.query<ProjectRow>(
    `INSERT INTO projects (id, account_id, name) VALUES ($1, $2, $3)
     RETURNING id, account_id, name, created_at`,
    [p.id, p.accountId, p.name],
  );
  return rows[0];
}

export async function findProject(q: Queryable, id: string): Promise<ProjectRow | undefined> {
  const { rows } = await q.query<ProjectRow>('SELECT id, account_id, name, created_at FROM projects WHERE id = $1', [id]);
  return rows[0];
}
