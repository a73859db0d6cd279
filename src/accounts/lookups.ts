// Finding an account by ID for the services: a malformed ID is refused before any query
// (never a uuid cast error from Postgres), an unknown one is NOT_FOUND.
import type { Queryable } from '../db/pool.js';
import { isUuid } from '../kernel/ids.js';
import { ApiError } from '../kernel/api-error.js';
import { findAccount, lockAccount, type AccountRow } from './queries.js';

// What was sent is not repeated back: over HTTP it could be anything (see the hostile tests).
export function requireId(kind: 'account' | 'user' | 'project', id: string): void {
  if (!isUuid(id)) throw ApiError.invalidArgument(`That is not a valid ${kind} ID: ${kind} IDs are UUIDs.`);
}

export async function requireAccount(q: Queryable, id: string, opts: { lock?: boolean } = {}): Promise<AccountRow> {
  requireId('account', id);
  const account = await (opts.lock ? lockAccount(q, id) : findAccount(q, id));
  if (!account) throw ApiError.notFound(`There is no account ${id}.`);
  return account;
}
