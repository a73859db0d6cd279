// The pg pool and the one transaction helper every service uses. Every wait on the
// database is bounded: connecting, each statement (server side, and a client-side read
// timeout in case the server itself hangs), locks and idle transactions. A connection
// that timed out or broke is destroyed, never handed out again, so the pool heals once
// the database is reachable again. No pg client is ever without an 'error' listener.
import pg from 'pg';
import { isBrokenConnection } from './db-errors.js';

export type Db = pg.Pool;
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface DbTimeouts {
  connectMs: number;
  statementMs: number;
  lockMs: number;
  idleInTransactionMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { connectMs: 5_000, statementMs: 5_000, lockMs: 2_000, idleInTransactionMs: 10_000 };

/** The client-side read timeout: past the server's statement_timeout, the server itself is hung. */
export const queryTimeoutOf = (t: DbTimeouts) => t.statementMs + 1_000;

/** pg connection options with every bound set (for the pool and the LISTEN connection alike). */
export function boundedClientConfig(connectionString: string, t: DbTimeouts, applicationName: string): pg.ClientConfig {
  return {
    connectionString,
    application_name: applicationName,
    connectionTimeoutMillis: t.connectMs,
    statement_timeout: t.statementMs,
    lock_timeout: t.lockMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    query_timeout: queryTimeoutOf(t),
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/** Tears the socket down at once: `end()` waits for a server that may never answer. */
export function destroyConnection(client: pg.Client | pg.PoolClient): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

export interface PoolOptions {
  max: number;
  timeouts?: DbTimeouts;
  onQuery?: () => void;
}

export function createPool(connectionString: string, options: PoolOptions | number, onQuery?: () => void): Db {
  const { max, timeouts = DEFAULT_DB_TIMEOUTS, onQuery: count = onQuery } = typeof options === 'number' ? { max: options } : options;
  const pool = new pg.Pool({ ...boundedClientConfig(connectionString, timeouts, 'keymint'), max, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // pg-pool drops a client released with an error; one whose query timed out is also cut
  // at once, so its socket does not linger on a partitioned network.
  pool.on('release', (err: Error | undefined, client: pg.PoolClient) => {
    if (err && isBrokenConnection(err)) destroyConnection(client);
  });
  if (count) {
    // Count every statement (for /metrics and the benchmark's queries-per-request figure).
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        count();
        return query(...args);
      };
    });
  }
  return pool;
}

export async function withTransaction<T>(db: Db, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  // While checked out the pool does not listen: a connection reset between two statements
  // (say, while the service hashes a secret) would otherwise be an unhandled 'error' event.
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A dead or hung connection cannot roll back (the server does when it goes): skip the
    // ROLLBACK that would wait out another timeout, and throw the connection away.
    if (broken || isBrokenConnection(err)) broken ??= err as Error;
    else await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
