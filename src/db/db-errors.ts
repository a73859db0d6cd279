// What a database error means for the caller, from its SQLSTATE or, for errors of the
// driver and the network (which have none), its code or message. The HTTP error handler
// and the OAuth error paths map these kinds; nothing else inspects pg errors.
export type DbFaultKind = 'unavailable' | 'retry';

// SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html):
//  08*   connection exception            25006 read_only_sql_transaction (read-only / hot standby)
//  25P03 idle_in_transaction_timeout     53*   insufficient resources (disk full, out of memory, too many connections)
//  55P03 lock_not_available (lock_timeout)  57014 query_canceled (statement_timeout)
//  57P0* the server is shutting down, crashed, starting or the database was dropped
//  58*   system error (I/O)              40001 serialization_failure, 40P01 deadlock_detected
const UNAVAILABLE_SQLSTATE = /^(08...|25006|25P03|53...|55P03|57014|57P0.|58...|XX001|XX002)$/;
const RETRY_SQLSTATE = /^(40001|40P01)$/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
// A Unix socket that is missing or not ours: only when connecting (not any file error).
const SOCKET_CODES = new Set(['ENOENT', 'EACCES']);
// pg's own errors for a connection that broke, never came up or stopped answering.
const DRIVER_MESSAGES = [
  'Connection terminated',
  'Query read timeout',
  'timeout exceeded when trying to connect',
  'not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

interface MaybeDbError {
  code?: unknown;
  message?: unknown;
  syscall?: unknown;
}

const codeOf = (err: unknown) => (typeof (err as MaybeDbError)?.code === 'string' ? ((err as MaybeDbError).code as string) : undefined);
const messageOf = (err: unknown) => (typeof (err as MaybeDbError)?.message === 'string' ? ((err as MaybeDbError).message as string) : '');

/** The network or driver failed: the connection is unusable and must be thrown away. */
export function isBrokenConnection(err: unknown): boolean {
  const code = codeOf(err);
  if (code && (NETWORK_CODES.has(code) || /^(08...|57P0.)$/.test(code))) return true;
  if (code && SOCKET_CODES.has(code) && (err as MaybeDbError).syscall === 'connect') return true;
  const message = messageOf(err);
  return DRIVER_MESSAGES.some((m) => message.includes(m));
}

/** undefined when the error is not a database fault (a bug, a constraint violation, bad input). */
export function dbFaultKind(err: unknown): DbFaultKind | undefined {
  const code = codeOf(err);
  if (code && RETRY_SQLSTATE.test(code)) return 'retry';
  if (code && UNAVAILABLE_SQLSTATE.test(code)) return 'unavailable';
  return isBrokenConnection(err) ? 'unavailable' : undefined;
}
