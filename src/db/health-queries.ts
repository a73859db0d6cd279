// The readiness probe's round trip: a real statement on the table every token request
// needs, so a database that is up but hung, or a table that is locked, is not "ready".
import type pg from 'pg';
import type { Db } from './pool.js';

export interface DatabaseHealth {
  readOnly: boolean;
}

export async function probeDatabase(db: Db, timeoutMs: number): Promise<DatabaseHealth> {
  let timer: NodeJS.Timeout | undefined;
  // query_timeout bounds the statement; the race also bounds the wait for a free connection.
  const probe = db.query<{ read_only: boolean }>({
    text: "SELECT current_setting('transaction_read_only') = 'on' AS read_only, EXISTS (SELECT 1 FROM access_keys) AS has_keys",
    query_timeout: timeoutMs,
  } as pg.QueryConfig);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Query read timeout (readiness)')), timeoutMs);
  });
  try {
    const { rows } = await Promise.race([probe, timeout]);
    return { readOnly: rows[0]?.read_only === true };
  } finally {
    clearTimeout(timer);
    probe.catch(() => {});
  }
}
