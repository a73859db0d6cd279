// SQL for accounts and projects (and the credentials deleted with a project).
import type { Queryable } from '../db/pool.js';
import type { CredentialKind } from '../kernel/credential-kind.js';

export interface AccountRow {
  id: string;
  name: string;
  verified_at: Date | null;
  verification_requested_at: Date | null;
  created_at: Date;
}

export interface ProjectRow {
  id: string;
  account_id: string;
  name: string;
  created_at: Date;
}

const ACCOUNT_COLUMNS = 'id, name, verified_at, verification_requested_at, created_at';
const PROJECT_COLUMNS = 'id, account_id, name, created_at';

export async function insertAccount(q: Queryable, a: { id: string; name: string; verified: boolean }): Promise<AccountRow> {
  const { rows } = await q.query<AccountRow>(
    `INSERT INTO accounts (id, name, verified_at) VALUES ($1, $2, CASE WHEN $3 THEN now() END)
     RETURNING ${ACCOUNT_COLUMNS}`,
    [a.id, a.name, a.verified],
  );
  return rows[0];
}

export async function findAccount(q: Queryable, id: string): Promise<AccountRow | undefined> {
  const { rows } = await q.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [id]);
  return rows[0];
}

/** Locks the account row until the transaction ends: rules across its users take turns. */
export async function lockAccount(q: Queryable, id: string): Promise<AccountRow | undefined> {
  const { rows } = await q.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0];
}

export async function listAccounts(q: Queryable): Promise<AccountRow[]> {
  const { rows } = await q.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY created_at, id`);
  return rows;
}

/** Keeps the first request's time: asking again changes nothing. */
export async function markVerificationRequested(q: Queryable, id: string): Promise<AccountRow | undefined> {
  const { rows } = await q.query<AccountRow>(
    `UPDATE accounts SET verification_requested_at = coalesce(verification_requested_at, now())
     WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
    [id],
  );
  return rows[0];
}

/** Keeps the first verification's time: verifying again changes nothing. */
export async function markVerified(q: Queryable, id: string): Promise<AccountRow | undefined> {
  const { rows } = await q.query<AccountRow>(
    `UPDATE accounts SET verified_at = coalesce(verified_at, now()) WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
    [id],
  );
  return rows[0];
}

export async function insertProject(q: Queryable, p: { id: string; accountId: string; name: string }): Promise<ProjectRow> {
  const { rows } = await q.query<ProjectRow>(
    `INSERT INTO projects (id, account_id, name) VALUES ($1, $2, $3)
     RETURNING ${PROJECT_COLUMNS}`,
    [p.id, p.accountId, p.name],
  );
  return rows[0];
}

export async function findProject(q: Queryable, id: string): Promise<ProjectRow | undefined> {
  const { rows } = await q.query<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1`, [id]);
  return rows[0];
}

export async function listProjectsOfAccount(q: Queryable, accountId: string): Promise<ProjectRow[]> {
  const { rows } = await q.query<ProjectRow>(
    `SELECT ${PROJECT_COLUMNS} FROM projects WHERE account_id = $1 ORDER BY created_at, id`,
    [accountId],
  );
  return rows;
}

export interface ProjectAccountRow extends ProjectRow {
  account_verified_at: Date | null;
}

/** A project with its account's verification, which decides whether credentials may be created in it. */
export async function findProjectWithAccount(q: Queryable, id: string): Promise<ProjectAccountRow | undefined> {
  const { rows } = await q.query<ProjectAccountRow>(
    `SELECT p.id, p.account_id, p.name, p.created_at, a.verified_at AS account_verified_at
     FROM projects p JOIN accounts a ON a.id = p.account_id WHERE p.id = $1`,
    [id],
  );
  return rows[0];
}

/** Locks a project of the account until the transaction ends (credential inserts into it wait). */
export async function lockProjectOfAccount(q: Queryable, accountId: string, id: string): Promise<ProjectRow | undefined> {
  const { rows } = await q.query<ProjectRow>(
    `SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1 AND account_id = $2 FOR UPDATE`,
    [id, accountId],
  );
  return rows[0];
}

export async function updateProjectName(q: Queryable, id: string, name: string): Promise<ProjectRow | undefined> {
  const { rows } = await q.query<ProjectRow>(`UPDATE projects SET name = $2 WHERE id = $1 RETURNING ${PROJECT_COLUMNS}`, [id, name]);
  return rows[0];
}

export async function deleteProjectRow(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM projects WHERE id = $1', [id]);
  return rowCount === 1;
}

/** How many credentials of each kind a project holds. */
export async function countProjectCredentials(q: Queryable, projectId: string): Promise<Partial<Record<CredentialKind, number>>> {
  const { rows } = await q.query<{ kind: CredentialKind; n: number }>(
    'SELECT kind, count(*)::int AS n FROM access_keys WHERE project_id = $1 GROUP BY kind',
    [projectId],
  );
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

export interface DeletedCredentialRow {
  id: string;
  credential_id: string;
  kind: CredentialKind;
  display_name: string;
}

/** Deletes every credential of a project; what was deleted, for the audit events and the announcements. */
export async function deleteProjectCredentials(q: Queryable, projectId: string): Promise<DeletedCredentialRow[]> {
  const { rows } = await q.query<DeletedCredentialRow>(
    'DELETE FROM access_keys WHERE project_id = $1 RETURNING id, credential_id, kind, display_name',
    [projectId],
  );
  return rows;
}
