// Accounts: created with their first Administrator (one transaction: an account never
// exists without one), listed for operators, and verified in two steps: an Administrator
// requests verification, an operator grants it (`keymint accounts verify ID`).
import { randomUUID } from 'node:crypto';
import { withTransaction, type Db } from '../db/pool.js';
import { ApiError } from '../kernel/api-error.js';
import { checkName } from '../kernel/names.js';
import { requireAccount, requireId } from './lookups.js';
import * as q from './queries.js';
import { insertPreparedUser, prepareUser, type User } from './users.js';

export interface Account {
  accountId: string;
  name: string;
  verified: boolean;
  verifyTime: string | null;
  verificationRequested: boolean;
  verificationRequestTime: string | null;
  createTime: string;
}

export const toAccount = (row: q.AccountRow): Account => ({
  accountId: row.id,
  name: row.name,
  verified: row.verified_at !== null,
  verifyTime: row.verified_at?.toISOString() ?? null,
  verificationRequested: row.verification_requested_at !== null,
  verificationRequestTime: row.verification_requested_at?.toISOString() ?? null,
  createTime: row.created_at.toISOString(),
});

/** An account's or project's name in its canonical form (kernel/names.ts). */
export function parseName(label: string, value: string): string {
  const name = value.trim();
  if (!name || [...name].length > 200) throw ApiError.invalidArgument(`The ${label} name must be 1 to 200 characters.`);
  return checkName(`the ${label} name`, name, 200);
}

export async function createAccount(
  db: Db,
  bcryptCost: number,
  input: { name: string; adminEmail: string; adminPassword: string },
): Promise<{ account: Account; administrator: User }> {
  const name = parseName('account', input.name);
  const admin = await prepareUser({ email: input.adminEmail, password: input.adminPassword, role: 'administrator' }, bcryptCost);
  return withTransaction(db, async (tx) => {
    const account = await q.insertAccount(tx, { id: randomUUID(), name, verified: false });
    const administrator = await insertPreparedUser(tx, account.id, admin);
    return { account: toAccount(account), administrator };
  });
}

export async function getAccount(db: Db, accountId: string): Promise<Account> {
  return toAccount(await requireAccount(db, accountId));
}

export async function listAccounts(db: Db): Promise<Account[]> {
  return (await q.listAccounts(db)).map(toAccount);
}

/** Idempotent: a second request keeps the first one's time. */
export async function requestVerification(db: Db, accountId: string): Promise<Account> {
  requireId('account', accountId);
  const row = await q.markVerificationRequested(db, accountId);
  if (!row) throw ApiError.notFound(`There is no account ${accountId}.`);
  return toAccount(row);
}

/** Idempotent: verifying a verified account keeps the first verification's time. */
export async function verifyAccount(db: Db, accountId: string): Promise<Account> {
  requireId('account', accountId);
  const row = await q.markVerified(db, accountId);
  if (!row) throw ApiError.notFound(`There is no account ${accountId}.`);
  return toAccount(row);
}
