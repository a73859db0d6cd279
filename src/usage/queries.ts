// SQL for usage counts and token quotas, and nothing else (migrations/0060_usage.sql).
import type { Queryable } from '../db/pool.js';
import { integerArray, uuidArray } from '../db/array-literals.js';
import { USAGE_FIELDS, type Granularity, type UsageCounts } from './fields.js';

/** Counts of one key in one minute (a batch holds each key and minute once). */
export interface MinuteRow extends UsageCounts {
  keyId: string;
  projectId: string;
  /** Start of the minute, ms since the epoch. */
  minute: number;
}

export interface TokenTotal {
  keyId: string;
  granularity: 'hour' | 'day';
  /** Start of the bucket, ms since the epoch. */
  bucket: number;
  tokens: number;
}

const SUMS = USAGE_FIELDS.map((f) => `${f} = usage_counts.${f} + EXCLUDED.${f}`).join(', ');
const FIELDS = USAGE_FIELDS.join(', ');
const SUMMED = USAGE_FIELDS.map((f) => `sum(${f})::bigint`).join(', ');
const SECONDS: Readonly<Record<Granularity, number>> = { minute: 60, hour: 3_600, day: 86_400 };
/** The granularities whose rows make up a bucket of this one (each count is in exactly one row). */
const FINER: Readonly<Record<Granularity, Granularity[]>> = { minute: ['minute'], hour: ['minute', 'hour'], day: ['minute', 'hour', 'day'] };

/**
 * Adds a batch of minute counts to the shared totals, one statement (every instance adds its
 * own, so the sums are right across instances). Hours and days are not written here: the
 * retention sweep rolls minutes into hours, and hours into days, as they age (retention.ts),
 * and reads sum the rows of finer granularities. Rows of projects deleted meanwhile are dropped.
 */
export async function addUsage(q: Queryable, rows: readonly MinuteRow[]): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (r: MinuteRow) => T): T[] => rows.map(pick);
  await q.query(
    `INSERT INTO usage_counts (key_id, granularity, bucket, project_id, ${FIELDS})
     SELECT u.key_id, 'minute', to_timestamp(u.minute / 1000.0), u.project_id, ${USAGE_FIELDS.map((f) => `u.${f}`).join(', ')}
       FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
            AS u(key_id, minute, project_id, ${FIELDS})
       JOIN projects p ON p.id = u.project_id
     ON CONFLICT (key_id, granularity, bucket) DO UPDATE SET ${SUMS}`,
    [uuidArray(column((r) => r.keyId)), integerArray(column((r) => r.minute)), uuidArray(column((r) => r.projectId)), ...USAGE_FIELDS.map((f) => integerArray(column((r) => r[f])))],
  );
}

/** The shared token totals of these keys in one hour (from `hour`) and one day (from `day`): the sums of their rows there. */
export async function tokenTotals(q: Queryable, keyIds: readonly string[], hour: number, day: number): Promise<TokenTotal[]> {
  if (keyIds.length === 0) return [];
  const { rows } = await q.query<{ key_id: string; hour: string | null; day: string }>(
    `SELECT key_id,
            sum(tokens) FILTER (WHERE granularity <> 'day' AND bucket >= to_timestamp($2 / 1000.0) AND bucket < to_timestamp($2 / 1000.0 + 3600)) AS hour,
            sum(tokens) AS day
       FROM usage_counts
      WHERE key_id = ANY($1::uuid[]) AND bucket >= to_timestamp($3 / 1000.0) AND bucket < to_timestamp($3 / 1000.0 + 86400)
      GROUP BY key_id`,
    [keyIds, hour, day],
  );
  return rows.flatMap((r) => [
    { keyId: r.key_id, granularity: 'hour' as const, bucket: hour, tokens: Number(r.hour ?? 0) },
    { keyId: r.key_id, granularity: 'day' as const, bucket: day, tokens: Number(r.day) },
  ]);
}

export interface SeriesQuery {
  granularity: Granularity;
  from: Date;
  to: Date;
  /** Exactly one of these narrows the rows. */
  keyId?: string;
  projectId?: string;
  accountId?: string;
}

export interface SeriesRow extends UsageCounts {
  key_id: string;
  /** The key's console handle and name; null once the key is deleted. */
  credential_id: string | null;
  display_name: string | null;
  bucket: Date;
}

/** Counts per key and bucket in [from, to), oldest first: the rows of this granularity and the finer ones, summed. */
export async function usageSeries(q: Queryable, s: SeriesQuery): Promise<SeriesRow[]> {
  const [where, value] = s.keyId
    ? ['c.key_id = $4', s.keyId]
    : s.projectId
      ? ['c.project_id = $4', s.projectId]
      : ['c.project_id IN (SELECT id FROM projects WHERE account_id = $4)', s.accountId];
  const { rows } = await q.query(
    `SELECT c.key_id, k.credential_id, k.display_name, to_timestamp(floor(extract(epoch FROM c.bucket) / $5) * $5) AS bucket,
            ${USAGE_FIELDS.map((f) => `sum(c.${f})::float8 AS ${f}`).join(', ')}
       FROM usage_counts c LEFT JOIN access_keys k ON k.id = c.key_id
      WHERE c.granularity = ANY($1::text[]) AND c.bucket >= $2 AND c.bucket < $3 AND ${where}
      GROUP BY c.key_id, k.credential_id, k.display_name, 4
      ORDER BY 4, c.key_id`,
    [FINER[s.granularity], s.from, s.to, value, SECONDS[s.granularity]],
  );
  return rows as SeriesRow[];
}

/**
 * Moves up to `limit` rows of a granularity older than `before` into the next coarser one
 * (minute into hour, hour into day), adding them to its rows, in one statement: a row is
 * deleted and added once, even with every instance sweeping at once. Returns how many moved.
 */
export async function rollUpUsageBefore(q: Queryable, from: 'minute' | 'hour', before: Date, limit: number): Promise<number> {
  const to = from === 'minute' ? 'hour' : 'day';
  const { rows } = await q.query<{ moved: number }>(
    `WITH moved AS (
       DELETE FROM usage_counts WHERE ctid IN (SELECT ctid FROM usage_counts WHERE granularity = $1 AND bucket < $2 LIMIT $3)
          AND granularity = $1 AND bucket < $2
       RETURNING *
     ), added AS (
       INSERT INTO usage_counts (key_id, granularity, bucket, project_id, ${FIELDS})
       SELECT key_id, $4, to_timestamp(floor(extract(epoch FROM bucket) / $5) * $5), project_id, ${SUMMED}
         FROM moved GROUP BY key_id, 3, project_id
       ON CONFLICT (key_id, granularity, bucket) DO UPDATE SET ${SUMS}
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM added) AS added`,
    [from, before, limit, to, SECONDS[to]],
  );
  return rows[0].moved;
}

/** Deletes counts of one granularity older than `before`, at most `limit` rows; returns how many (days past their retention). */
export async function deleteUsageBefore(q: Queryable, granularity: Granularity, before: Date, limit: number): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM usage_counts WHERE ctid IN (
       SELECT ctid FROM usage_counts WHERE granularity = $1 AND bucket < $2 LIMIT $3)`,
    [granularity, before, limit],
  );
  return rowCount ?? 0;
}

export interface QuotaRow {
  scope: 'key' | 'project';
  id: string;
  per_hour: number | null;
  per_day: number | null;
}

/** Every quota that is set (they are few: most keys have none). */
/** A key's shared token totals in the hour and day given (ms), with its project. */
export interface KnownTotal {
  keyId: string;
  projectId: string;
  hourTokens: number;
  dayTokens: number;
}

/**
 * The totals of the day of `day` (and hour of `hour`) of every key counted in it under a quota
 * (its own or its project's): what an instance that starts knows before its first flush.
 */
export async function limitedTotalsToday(q: Queryable, hour: number, day: number): Promise<KnownTotal[]> {
  const { rows } = await q.query<{ key_id: string; project_id: string; hour: string | null; day: string }>(
    `SELECT u.key_id, min(u.project_id::text) AS project_id,
            sum(u.tokens) FILTER (WHERE u.granularity <> 'day' AND u.bucket >= to_timestamp($1 / 1000.0) AND u.bucket < to_timestamp($1 / 1000.0 + 3600)) AS hour,
            sum(u.tokens) AS day
       FROM usage_counts u
      WHERE u.bucket >= to_timestamp($2 / 1000.0) AND u.bucket < to_timestamp($2 / 1000.0 + 86400) AND u.tokens > 0
        AND (u.key_id IN (SELECT key_id FROM key_quotas) OR u.project_id IN (SELECT project_id FROM project_quotas))
      GROUP BY u.key_id`,
    [hour, day],
  );
  return rows.map((r) => ({ keyId: r.key_id, projectId: r.project_id, hourTokens: Number(r.hour ?? 0), dayTokens: Number(r.day) }));
}

export async function listQuotas(q: Queryable): Promise<QuotaRow[]> {
  const { rows } = await q.query<QuotaRow>(
    `SELECT 'key' AS scope, key_id AS id, per_hour, per_day FROM key_quotas
     UNION ALL SELECT 'project', project_id, per_hour, per_day FROM project_quotas`,
  );
  return rows;
}

export async function findKeyQuota(q: Queryable, keyId: string): Promise<QuotaRow | undefined> {
  const { rows } = await q.query<QuotaRow>(`SELECT 'key' AS scope, key_id AS id, per_hour, per_day FROM key_quotas WHERE key_id = $1`, [keyId]);
  return rows[0];
}

export async function findProjectQuota(q: Queryable, projectId: string): Promise<QuotaRow | undefined> {
  const { rows } = await q.query<QuotaRow>(
    `SELECT 'project' AS scope, project_id AS id, per_hour, per_day FROM project_quotas WHERE project_id = $1`,
    [projectId],
  );
  return rows[0];
}

/** Sets (or, with both limits null, removes) a key's quota. */
export async function setKeyQuota(q: Queryable, keyId: string, projectId: string, perHour: number | null, perDay: number | null): Promise<void> {
  if (perHour === null && perDay === null) {
    await q.query('DELETE FROM key_quotas WHERE key_id = $1', [keyId]);
    return;
  }
  await q.query(
    `INSERT INTO key_quotas (key_id, project_id, per_hour, per_day) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key_id) DO UPDATE SET per_hour = EXCLUDED.per_hour, per_day = EXCLUDED.per_day`,
    [keyId, projectId, perHour, perDay],
  );
}

export async function setProjectQuota(q: Queryable, projectId: string, perHour: number | null, perDay: number | null): Promise<void> {
  if (perHour === null && perDay === null) {
    await q.query('DELETE FROM project_quotas WHERE project_id = $1', [projectId]);
    return;
  }
  await q.query(
    `INSERT INTO project_quotas (project_id, per_hour, per_day) VALUES ($1, $2, $3)
     ON CONFLICT (project_id) DO UPDATE SET per_hour = EXCLUDED.per_hour, per_day = EXCLUDED.per_day`,
    [projectId, perHour, perDay],
  );
}

export interface UsageKeyRow {
  id: string;
  credential_id: string;
  kind: string;
  display_name: string | null;
}

/** A key of the project (any kind of credential), by its ID or by its console handle. */
export async function findProjectKey(q: Queryable, projectId: string, by: { id: string } | { credentialId: string }): Promise<UsageKeyRow | undefined> {
  const [column, value] = 'id' in by ? ['id', by.id] : ['credential_id', by.credentialId];
  const { rows } = await q.query<UsageKeyRow>(
    `SELECT id, credential_id, kind, display_name FROM access_keys WHERE project_id = $1 AND ${column} = $2`,
    [projectId, value],
  );
  return rows[0];
}

/** After how many days without a token the console marks a key of the account unused. */
export async function findUnusedKeyDays(q: Queryable, accountId: string): Promise<number | undefined> {
  const { rows } = await q.query<{ unused_key_days: number }>('SELECT unused_key_days FROM accounts WHERE id = $1', [accountId]);
  return rows[0]?.unused_key_days;
}

export async function setUnusedKeyDays(q: Queryable, accountId: string, days: number): Promise<void> {
  await q.query('UPDATE accounts SET unused_key_days = $2 WHERE id = $1', [accountId, days]);
}
