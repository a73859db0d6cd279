// The rules of an account's APIs (issue 13), as the console API calls them: every signed-in
// user of the account may list them; only an Administrator of a verified account creates,
// changes or deletes one, each change audited in its transaction. An identifier is unique in
// the account and is never the management API's own. A scope an API stops defining leaves
// every grant on it; a deleted API takes its grants with it. Every instance drops its copy
// through the change feed (the triggers of migrations/0070; publish() for this one).
import { randomUUID } from 'node:crypto';
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { lockAccount } from '../accounts/queries.js';
import { recordAudit, type AuditEntry } from '../audit/audit-log.js';
import type { Caller, UserActor } from '../kernel/actor.js';
import { ApiError } from '../kernel/api-error.js';
import { requireAdministrator } from '../kernel/permissions.js';
import type { CreateApiBody, UpdateApiBody } from './api-input.js';
import * as q from './queries.js';

export interface Api {
  apiId: string;
  identifier: string;
  displayName: string;
  scopes: q.ApiScope[];
  /** null: the server's TOKEN_TTL_SECONDS. */
  tokenTtlSeconds: number | null;
  createTime: string;
  updateTime: string;
}

export const toApi = (row: q.ApiRow): Api => ({
  apiId: row.id,
  identifier: row.identifier,
  displayName: row.display_name,
  scopes: row.scopes,
  tokenTtlSeconds: row.token_ttl_seconds,
  createTime: row.create_time.toISOString(),
  updateTime: row.update_time.toISOString(),
});

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

export interface ApisDeps {
  db: Db;
  feed: ChangeFeed;
  /** Keymint's own API: no account's API may take its identifier. */
  managementAudience: string;
  /** TOKEN_TTL_SECONDS: no API's tokens may outlive it (the signing-key ring publishes a retired key that long). */
  maxTokenTtlSeconds: number;
}

function userOf(caller: Caller): UserActor {
  if (caller.actor.kind !== 'user') throw ApiError.permissionDenied("An account's APIs are managed by its signed-in users; an access key cannot read or change them.");
  return caller.actor;
}

export class ApisService {
  constructor(private readonly deps: ApisDeps) {}

  async list(caller: Caller): Promise<{ apis: Api[]; managementApi: { identifier: string; scopes: string[] } }> {
    const user = userOf(caller);
    const rows = await q.listAccountApis(this.deps.db, user.accountId);
    return { apis: rows.map(toApi), managementApi: { identifier: this.deps.managementAudience, scopes: ['accesskeys.read', 'accesskeys.write'] } };
  }

  async create(caller: Caller, body: CreateApiBody): Promise<Api> {
    const admin = this.#admin(caller);
    this.#checkIdentifier(body.identifier);
    this.#checkTtl(body.tokenTtlSeconds);
    const row = await this.#change(admin, async (tx) => {
      const count = await q.lockAndCountAccountApis(tx, admin.accountId);
      if (count >= q.MAX_APIS_PER_ACCOUNT) throw ApiError.failedPrecondition(`The account already has ${count} APIs, the most it may hold. Delete one before creating another.`);
      const created = await q.insertApi(tx, randomUUID(), admin.accountId, body);
      await this.#audit(tx, caller, admin, 'api.create', created, { identifier: created.identifier, scopes: created.scopes.map((s) => s.name) });
      return { row: created, keys: [] };
    }, body.identifier);
    return toApi(row);
  }

  async update(caller: Caller, apiId: string, body: UpdateApiBody): Promise<Api> {
    const admin = this.#admin(caller);
    if (body.identifier !== undefined) this.#checkIdentifier(body.identifier);
    this.#checkTtl(body.tokenTtlSeconds);
    const row = await this.#change(admin, async (tx) => {
      const before = await q.findAccountApi(tx, admin.accountId, apiId);
      if (!before) throw notFound(apiId);
      const next = {
        identifier: body.identifier ?? before.identifier,
        displayName: body.displayName ?? before.display_name,
        scopes: body.scopes ?? before.scopes,
        tokenTtlSeconds: body.tokenTtlSeconds !== undefined ? body.tokenTtlSeconds : before.token_ttl_seconds,
      };
      const updated = (await q.updateApi(tx, admin.accountId, apiId, next))!;
      const keys = await q.trimGrantScopes(tx, apiId, next.scopes.map((s) => s.name));
      await this.#audit(tx, caller, admin, 'api.update', updated, { identifier: updated.identifier, from: before.identifier, scopes: updated.scopes.map((s) => s.name) });
      return { row: updated, keys };
    }, body.identifier);
    return toApi(row);
  }

  async delete(caller: Caller, apiId: string): Promise<void> {
    const admin = this.#admin(caller);
    await this.#change(admin, async (tx) => {
      const row = await q.findAccountApi(tx, admin.accountId, apiId);
      if (!row) throw notFound(apiId);
      const keys = await q.listGrantedKeyIds(tx, apiId);
      await q.deleteApi(tx, admin.accountId, apiId);
      await this.#audit(tx, caller, admin, 'api.delete', row, { identifier: row.identifier });
      return { row, keys };
    });
  }

  #admin(caller: Caller): UserActor {
    requireAdministrator(caller.actor, 'create, change and delete APIs');
    return userOf(caller);
  }

  #checkTtl(ttl: number | null | undefined) {
    if (ttl != null && ttl > this.deps.maxTokenTtlSeconds) {
      throw ApiError.invalidArgument(`tokenTtlSeconds must be at most ${this.deps.maxTokenTtlSeconds}, this server's TOKEN_TTL_SECONDS.`);
    }
  }

  #checkIdentifier(identifier: string) {
    if (identifier === this.deps.managementAudience) {
      throw ApiError.invalidArgument(`identifier ${identifier} is Keymint's own management API; choose the URI of your API.`);
    }
  }

  /** One change in a transaction on a verified account, then announced here (the others read it from the database). */
  async #change(admin: UserActor, fn: (tx: Queryable) => Promise<{ row: q.ApiRow; keys: string[] }>, identifier?: string): Promise<q.ApiRow> {
    let result: { row: q.ApiRow; keys: string[] };
    try {
      result = await withTransaction(this.deps.db, async (tx) => {
        const account = await lockAccount(tx, admin.accountId);
        if (!account) throw ApiError.notFound('Your account no longer exists.');
        if (account.verified_at === null) {
          throw ApiError.failedPrecondition('APIs can only be created and changed on verified accounts, and this account is not verified yet. An Administrator can request verification with POST /api/account/verification-request.');
        }
        return fn(tx);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw ApiError.alreadyExists(`The account already has an API with identifier ${identifier}. Identifiers are unique within an account.`);
      throw err;
    }
    await this.deps.feed.publish({ kind: 'api', id: admin.accountId });
    for (const id of result.keys) await this.deps.feed.publish({ kind: 'access_key', id });
    return result.row;
  }

  #audit(tx: Queryable, caller: Caller, admin: UserActor, action: AuditEntry['action'], row: q.ApiRow, details: AuditEntry['details']) {
    return recordAudit(tx, { accountId: admin.accountId, actor: caller.actor, action, details: { apiId: row.id, ...details }, address: caller.address });
  }
}

const notFound = (id: string) => ApiError.notFound(`There is no API ${id} in your account. GET /api/apis lists them.`);


