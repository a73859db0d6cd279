// The rules of the Access Keys Management API: a key manages its own project only,
// display names are unique per project, the secret is generated here, returned once
// and stored as a SHA-256 digest (auth/secret-hash.ts); an expiry, when set, lies in the next 10 years; every
// change is announced so caches drop the key.
import { checkName } from '../kernel/names.js';
import { v7 as uuidv7 } from 'uuid';
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import { findProjectWithAccount } from '../accounts/queries.js';
import { withinKeyLimit } from '../credentials/key-limit.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { requireVerified } from '../credentials/access.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { ApiError } from '../kernel/api-error.js';
import type { PageTokenCodec } from '../kernel/page-token.js';
import * as q from './queries.js';
import { generateSecret } from '../kernel/secrets.js';
import { hashSecret } from '../auth/secret-hash.js';
import { checkExpireTime } from '../kernel/expire-time.js';
import { MANAGEMENT_SCOPES } from '../kernel/grants.js';
import { requireKeyScope } from '../kernel/permissions.js';
import { hasAuthzInput, type KeyAuthzInput, type KeyAuthzView, type KeyGrants } from '../apis/key-grants.js';
import { authenticationMethodsView, type AuthenticationMethod } from './auth-methods.js';
import { authStateOf } from '../kernel/auth-methods.js';
import { attachKeyCredentials, checkCredentialsInput, hasCredentialsInput, type KeyCredentialsInput } from './key-credentials.js';

export interface AccessKey extends KeyAuthzView {
  accessKeyId: string;
  displayName: string;
  projectId: string;
  createTime: string;
  updateTime: string;
  /** Absent when the key never expires. */
  expireTime?: string;
  /** Absent until the key is first used; written in batches, so a few seconds behind. */
  lastUseTime?: string;
  /** Keymint extension (issue 14): absent for a key with its secret only, as every Sinch key. */
  authenticationMethods?: AuthenticationMethod[];
}

export type { KeyActor as Actor } from '../kernel/actor.js';
import type { KeyActor as Actor } from '../kernel/actor.js';

// The operator at the `keymint` command (may manage any project; audited by that name) and every caller of this service.
export { OPERATOR, type KeysCaller } from './key-audit.js';
import { createAuditEvent, recordKeyAudit, type KeysCaller } from './key-audit.js';

export const toAccessKey = (row: q.AccessKeyRow): AccessKey => ({
  accessKeyId: row.id,
  displayName: row.display_name,
  projectId: row.project_id,
  createTime: row.create_time.toISOString(),
  updateTime: row.update_time.toISOString(),
  // Present only when set, so a key that never expires and was never used has the
  // seed's five fields exactly.
  ...(row.expire_time ? { expireTime: row.expire_time.toISOString() } : {}),
  ...(row.last_use_time ? { lastUseTime: row.last_use_time.toISOString() } : {}),
  ...authenticationMethodsView(row.has_secret === undefined ? undefined : authStateOf({ has_secret: row.has_secret, has_public_keys: row.has_public_keys === true, has_jwks_uri: row.has_jwks_uri ?? null })),
});

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';
const isForeignKeyViolation = (err: unknown) => (err as { code?: string }).code === '23503';

export interface AccessKeysDeps {
  db: Db;
  feed: ChangeFeed;
  pageTokens: PageTokenCodec;
  bcryptCost: number;
  /** MAX_KEYS_PER_PROJECT: the most keys (of every kind) a project may hold; 0 or undefined, no limit. */
  maxKeysPerProject?: number;
  /** The keys' grants (issue 13: v1 extension fields); without it they are refused. */
  grants?: KeyGrants;
}

export class AccessKeysService {
  constructor(private readonly deps: AccessKeysDeps) {}

  #authorize(actor: KeysCaller, projectId: string, scope: string) {
    if (actor.kind === 'operator') return;
    requireKeyScope(actor, scope);
    if (actor.projectId !== projectId) {
      throw ApiError.permissionDenied(
        `This access key belongs to project ${actor.projectId} and can manage the keys of that project only.`,
      );
    }
  }

  #duplicate(displayName: string) {
    return ApiError.alreadyExists(`An access key named "${displayName}" already exists in this project. Choose another displayName.`);
  }

  async list(actor: KeysCaller, projectId: string, pageSize: number, pageToken: string | undefined) {
    this.#authorize(actor, projectId, MANAGEMENT_SCOPES.read);
    // A key's own project exists; a project the operator names may not.
    if (actor.kind === 'operator' && !(await findProjectWithAccount(this.deps.db, projectId))) throw ApiError.notFound(`Project ${projectId} does not exist.`);
    let afterId: string | null = null;
    if (pageToken) {
      const position = this.deps.pageTokens.decode(pageToken, projectId);
      if (!position) throw ApiError.invalidArgument('pageToken is not valid for this list. Use the nextPageToken of a previous response, unchanged.');
      afterId = position.afterId;
    }
    const rows = await q.listAccessKeysPage(this.deps.db, projectId, afterId, pageSize + 1);
    const page = rows.slice(0, pageSize);
    const nextPageToken =
      rows.length > pageSize ? this.deps.pageTokens.encode({ projectId, afterId: page[page.length - 1].id }) : '';
    const views = await this.#views(page);
    return { accessKeys: page.map((row) => ({ ...toAccessKey(row), ...views.get(row.id) })), nextPageToken };
  }

  /** `credentials`: Keymint's extension (issue 14), public keys or a jwks_uri, with or without a secret. */
  async create(actor: KeysCaller, projectId: string, displayName: string, expireTime: Date | null = null, address?: string, authz: KeyAuthzInput = {}, credentials: KeyCredentialsInput = {}) {
    this.#authorize(actor, projectId, MANAGEMENT_SCOPES.write);
    checkCredentialsInput(credentials);
    // The usual create (no per-project limit to count under a lock, no grants, no public keys) is one statement.
    if (!this.deps.maxKeysPerProject && !hasAuthzInput(authz) && !hasCredentialsInput(credentials)) return this.#createAtOnce(actor, projectId, displayName, expireTime, address);
    const project = await findProjectWithAccount(this.deps.db, projectId);
    if (!project) throw ApiError.notFound(`Project ${projectId} no longer exists.`);
    requireVerified(project);
    return withTransaction(this.deps.db, async (tx) => {
      await this.#withinLimit(tx, projectId);
      const { row, secret } = await this.#insert(projectId, displayName, tx, expireTime, credentials.generateSecret !== false);
      await this.#audit(tx, actor, address, project.account_id, 'credential.create', row, secret === undefined ? { secret: false } : undefined);
      const attached = hasCredentialsInput(credentials)
        ? await attachKeyCredentials(tx, { actor, address, accountId: project.account_id, row }, credentials, secret !== undefined)
        : undefined;
      const view = await this.#applyAuthz(tx, actor, address, project.account_id, row, authz);
      const accessKey = { ...toAccessKey(row), ...authenticationMethodsView(attached?.state), ...view };
      return { accessKey, ...(secret === undefined ? {} : { secret }), ...(attached?.publicKeys ? { publicKeys: attached.publicKeys } : {}) };
    });
  }

  /** The key and its audit event in one statement: only in an existing project of a verified account. */
  async #createAtOnce(actor: KeysCaller, projectId: string, name: string, expireTime: Date | null, address: string | undefined) {
    const { key, secret } = this.#newKey(projectId, name, expireTime, true);
    let made: q.AuditedInsert | undefined;
    try {
      made = await q.insertAccessKeyAudited(this.deps.db, { ...key, secretHash: key.secretHash! }, createAuditEvent(actor, address));
    } catch (err) {
      // A project deleted meanwhile (23503) is the missing project below.
      if (!isForeignKeyViolation(err)) throw this.#insertError(err, key.displayName);
    }
    if (!made) throw ApiError.notFound(`Project ${projectId} no longer exists.`);
    if (!made.key) {
      requireVerified(made); // throws: the insert writes in a verified account only
      throw new Error('a verified account\'s key was not written');
    }
    // A new key has no grants: its view is the Sinch model's (nothing to read).
    return { accessKey: toAccessKey(made.key), secret: secret! };
  }

  /** The change's audit event, in its transaction: by this key, from the client's address, on a REST Basic key. */
  #audit(tx: Queryable, actor: KeysCaller, address: string | undefined, accountId: string, action: AuditEntry['action'], row: q.AccessKeyRow, details?: AuditEntry['details']) {
    return recordKeyAudit(tx, { actor, address, accountId, action, row, details });
  }

  /** The account of the actor's project, read in the change's transaction. */
  async #accountOf(tx: Queryable, projectId: string): Promise<string> {
    const project = await findProjectWithAccount(tx, projectId);
    if (!project) throw ApiError.notFound(`Project ${projectId} no longer exists.`);
    return project.account_id;
  }

  /** Creation without an actor: for `keymint bootstrap` and the accounts service. */
  async createInProject(projectId: string, displayName: string, db: Pick<Db, 'query'> = this.deps.db, expireTime: Date | null = null) {
    const { row, secret } = await this.#insert(projectId, displayName, db, expireTime, true);
    return { accessKey: toAccessKey(row), secret: secret! };
  }

  async #withinLimit(tx: Queryable, projectId: string): Promise<void> {
    await withinKeyLimit(tx, projectId, this.deps.maxKeysPerProject);
  }

  async #insert(projectId: string, name: string, db: Queryable, expireTime: Date | null, withSecret: boolean) {
    const { key, secret } = this.#newKey(projectId, name, expireTime, withSecret);
    try {
      return { row: await q.insertAccessKey(db, key), secret };
    } catch (err) {
      throw this.#insertError(err, key.displayName);
    }
  }

  /** A new key's row and its secret (shown once), from checked input. */
  #newKey(projectId: string, name: string, expireTime: Date | null, withSecret: boolean) {
    // The routes' schema already gave the canonical form; `keymint bootstrap` has none.
    const displayName = checkName('displayName', name, 100);
    if (expireTime) checkExpireTime(expireTime);
    const secret = withSecret ? generateSecret() : undefined;
    return { key: { id: uuidv7(), projectId, displayName, secretHash: secret === undefined ? null : hashSecret(secret), expireTime }, secret };
  }

  #insertError(err: unknown, displayName: string): unknown {
    return isUniqueViolation(err) ? this.#duplicate(displayName) : err;
  }

  async get(actor: KeysCaller, projectId: string, accessKeyId: string): Promise<AccessKey> {
    this.#authorize(actor, projectId, MANAGEMENT_SCOPES.read);
    const row = await q.findAccessKey(this.deps.db, projectId, accessKeyId);
    if (!row) throw notFound(accessKeyId);
    return { ...toAccessKey(row), ...(await this.#views([row])).get(row.id) };
  }

  /** Grants and custom claims of explicit keys, by key ID (the Sinch keys have none to show). */
  async #views(rows: q.AccessKeyRow[]): Promise<Map<string, KeyAuthzView>> {
    if (!this.deps.grants || !rows.length) return new Map();
    return this.deps.grants.views(this.deps.db, await this.#accountOf(this.deps.db, rows[0].project_id), rows.map((r) => r.id));
  }

  /** The key's grants changed in `tx`, audited with it; what the response shows of them. */
  async #applyAuthz(tx: Queryable, actor: KeysCaller, address: string | undefined, accountId: string, row: q.AccessKeyRow, authz: KeyAuthzInput): Promise<KeyAuthzView> {
    if (!hasAuthzInput(authz)) return this.deps.grants ? this.deps.grants.view(tx, accountId, row.id) : {};
    if (!this.deps.grants) throw ApiError.invalidArgument('grants and customClaims are not accepted here.');
    const grants = await this.deps.grants.apply(tx, row.id, accountId, authz);
    if (grants) await this.#audit(tx, actor, address, accountId, 'credential.grants_change', row, { grants });
    return this.deps.grants.view(tx, accountId, row.id);
  }

  /** `displayName` undefined: unchanged (a change of grants alone). */
  async update(actor: KeysCaller, projectId: string, accessKeyId: string, displayName: string | undefined, address?: string, authz: KeyAuthzInput = {}): Promise<AccessKey> {
    this.#authorize(actor, projectId, MANAGEMENT_SCOPES.write);
    let key: AccessKey;
    try {
      key = await withTransaction(this.deps.db, async (tx) => {
        const before = await q.findAccessKey(tx, projectId, accessKeyId);
        const row = before && (displayName === undefined ? before : await q.updateAccessKeyDisplayName(tx, projectId, accessKeyId, displayName));
        if (!before || !row) throw notFound(accessKeyId);
        const accountId = await this.#accountOf(tx, projectId);
        if (displayName !== undefined) await this.#audit(tx, actor, address, accountId, 'credential.label_change', row, { from: before.display_name, to: displayName });
        const view = await this.#applyAuthz(tx, actor, address, accountId, row, authz);
        return { ...toAccessKey(row), ...view };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw this.#duplicate(displayName ?? '');
      throw err;
    }
    await this.deps.feed.publish({ kind: 'access_key', id: accessKeyId });
    return key;
  }

  async delete(actor: KeysCaller, projectId: string, accessKeyId: string, address?: string): Promise<void> {
    this.#authorize(actor, projectId, MANAGEMENT_SCOPES.write);
    await withTransaction(this.deps.db, async (tx) => {
      const row = await q.findAccessKey(tx, projectId, accessKeyId);
      if (!row || !(await q.deleteAccessKey(tx, projectId, accessKeyId))) throw notFound(accessKeyId);
      await this.#audit(tx, actor, address, await this.#accountOf(tx, projectId), 'credential.delete', row);
    });
    await this.deps.feed.publish({ kind: 'access_key', id: accessKeyId });
  }
}

const notFound = (id: string) => ApiError.notFound(`Access key ${id} does not exist in this project.`);
