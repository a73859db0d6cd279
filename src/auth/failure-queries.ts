// SQL for the shared failed-authentication counters.
import type { Queryable } from '../db/pool.js';

export interface FailureCount {
  bucket: string;
  failures: number;
  window_end: Date;
}

/** Adds counts[i] failures to buckets[i] in the current minute; returns the new totals. */
export async function addAuthFailures(q: Queryable, buckets: string[], counts: number[]): Promise<FailureCount[]> {
  const { rows } = await q.query<FailureCount>(
    `INSERT INTO auth_failures AS f (bucket, window_start, failures)
     SELECT b, date_trunc('minute', now()), n FROM unnest($1::text[], $2::int[]) AS t(b, n)
     ON CONFLICT (bucket, window_start) DO UPDATE SET failures = f.failures + EXCLUDED.failures
     RETURNING bucket, failures, window_start + interval '1 minute' AS window_end`,
    [buckets, counts],
  );
  return rows;
}

export async function deleteOldAuthFailures(q: Queryable): Promise<number> {
  const { rowCount } = await q.query("DELETE FROM auth_failures WHERE window_start < now() - interval '10 minutes'");
  return rowCount ?? 0;
}
