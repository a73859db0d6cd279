// The rules for an account's credentials of every kind, as the console API offers them:
// who may act (access.ts), creation only on verified accounts, secrets generated here and
// shown once (REST Basic: a SHA-256 digest; HMAC: sealed; legacy passwords: bcrypt), an optional
// expiry (in the future, at most 10 years ahead), labels unique
// per project and kind, legacy usernames unique everywhere, deletion of several at once
// all or nothing. Each change commits with its audit event, then is announced so that
// every instance drops the credential from its caches.
import { v7 as uuidv7 } from 'uuid';
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import type { ChangeFeed } from '../db/change-feed.js';
import type { SealedBox } from '../crypto/sealed-box.js';
import { bcryptHash } from '../auth/bcrypt-lane.js';
import { withinKeyLimit } from './key-limit.js';
import { hashSecret } from '../auth/secret-hash.js';
import type { Caller } from '../kernel/actor.js';
import type { PageTokenCodec } from '../kernel/page-token.js';
import type { CredentialKind } from '../kernel/credential-kind.js';
import { generateSecret } from '../kernel/secrets.js';
import { isUuid } from '../kernel/ids.js';
import { checkExpireTime } from '../kernel/expire-time.js';
import { recordAudit, type AuditEntry } from '../audit/audit-log.js';
import { ApiError } from '../kernel/api-error.js';
import { invalidPageToken } from '../kernel/request-input.js';
import { projectFor, requireVerified } from './access.js';
import { sealHmacSecret } from '../auth/hmac-secrets.js';
import type { CreateCredentialInput } from './input.js';
import { toCredential, auditedCredential, SECRET_NOTICE } from './shape.js';
import { duplicateOf } from './duplicates.js';
import * as q from './queries.js';
import { hasAuthzInput, type KeyAuthzInput, type KeyGrants } from '../apis/key-grants.js';

/**
 * Issue 14: what a REST Basic key may bring at creation beside (or instead of) its secret,
 * public keys or a jwks_uri. Checked and written by access-keys (a higher layer), so it is
 * passed in (server.ts: dashboard/key-credentials-at-create.ts); without it they are refused.
 */
export interface KeyCredentialsAtCreate {
  /** Checks the body's jwk, jwks, jwksUri and generateSecret; undefined when it has none. */
  prepare(body: { jwk?: unknown; jwks?: unknown; jwksUri?: string; generateSecret?: boolean }): Promise<PreparedKeyCredentials | undefined>;
}
export interface PreparedKeyCredentials {
  withSecret: boolean;
  /** In the create's transaction, after the key's row; audited there. */
  attach(tx: Queryable, key: { caller: Caller; accountId: string; projectId: string; accessKeyId: string }): Promise<{ hasPublicKeys: boolean }>;
}

export interface CredentialsDeps {
  db: Db;
  feed: ChangeFeed;
  box: SealedBox;
  pageTokens: PageTokenCodec;
  bcryptCost: number;
  /** MAX_KEYS_PER_PROJECT: credentials of every kind count (0 or undefined: no limit). */
  maxKeysPerProject?: number;
  /** The keys' grants (issue 13); without it, grants are refused. */
  grants?: KeyGrants;
  keyCredentials?: KeyCredentialsAtCreate;
}

export class CredentialsService {
  constructor(private readonly deps: CredentialsDeps) {}

  async list(caller: Caller, projectId: string, kind: CredentialKind | null, pageSize: number, pageToken?: string) {
    const project = await projectFor(this.deps.db, caller.actor, projectId, false);
    let afterId: string | null = null;
    if (pageToken) {
      afterId = this.deps.pageTokens.decode(pageToken, project.id)?.afterId ?? null;
      if (afterId === null) throw invalidPageToken();
    }
    const rows = await q.listCredentialsPage(this.deps.db, project.id, kind, afterId, pageSize + 1);
    const page = rows.slice(0, pageSize);
    const nextPageToken = rows.length > pageSize ? this.deps.pageTokens.encode({ projectId: project.id, afterId: page[page.length - 1].id }) : '';
    return { credentials: page.map((row) => toCredential(row, caller.actor)), nextPageToken };
  }

  async create(caller: Caller, projectId: string, input: CreateCredentialInput) {
    const project = await projectFor(this.deps.db, caller.actor, projectId, true);
    requireVerified(project);
    if (input.expireTime) checkExpireTime(input.expireTime);
    const id = uuidv7();
    const extras = input.kind === 'basic' ? await this.#keyCredentials(input) : undefined;
    const secret = input.kind === 'legacy' || extras?.withSecret === false ? undefined : generateSecret();
    // A generated secret is stored as its digest; a legacy password, chosen by a person, as
    // bcrypt, hashed before the transaction (slow: it must not hold the transaction open).
    const secretHash =
      input.kind === 'hmac' ? null : input.kind === 'legacy' ? await bcryptHash(input.password, this.deps.bcryptCost) : secret === undefined ? null : hashSecret(secret);
    let attached: { hasPublicKeys: boolean } | undefined;
    const details = { ...(input.expireTime ? { expireTime: input.expireTime.toISOString() } : {}), ...(extras?.withSecret === false ? { secret: false } : {}) };
    const made = await this.#change(caller, project.account_id, 'credential.create', async (tx) => {
      await withinKeyLimit(tx, project.id, this.deps.maxKeysPerProject);
      const inserted = await q.insertCredential(tx, {
        id,
        projectId: project.id,
        kind: input.kind,
        displayName: input.kind === 'legacy' ? input.username : input.label,
        secretHash,
        secretSealed: input.kind === 'hmac' ? sealHmacSecret(this.deps.box, id, secret!) : null,
        username: input.kind === 'legacy' ? input.username : null,
        expireTime: input.expireTime ?? null,
      });
      await this.#applyGrants(tx, caller, project.account_id, inserted, { grants: input.grants ?? undefined });
      if (extras) attached = await extras.attach(tx, { caller, accountId: project.account_id, projectId: project.id, accessKeyId: inserted.id });
      return inserted;
    },
      { clash: input.kind === 'legacy' ? 'username' : 'label', details: Object.keys(details).length ? details : undefined },
    );
    const row = attached ? { ...made, has_secret: secret !== undefined, has_public_keys: attached.hasPublicKeys, has_jwks_uri: null } : made;
    const credential = toCredential(row, caller.actor);
    if (input.kind === 'legacy') return { credential };
    if (secret === undefined) return { credential, apiKey: row.id };
    return { credential, apiKey: row.id, apiSecret: secret, notice: SECRET_NOTICE };
  }

  async #keyCredentials(body: Parameters<KeyCredentialsAtCreate['prepare']>[0]): Promise<PreparedKeyCredentials | undefined> {
    const asked = body.jwk !== undefined || body.jwks !== undefined || body.jwksUri !== undefined || body.generateSecret !== undefined;
    if (!asked) return undefined;
    if (!this.deps.keyCredentials) throw ApiError.invalidArgument('jwk, jwks, jwksUri and generateSecret are not taken here.');
    return this.deps.keyCredentials.prepare(body);
  }

  async updateLabel(caller: Caller, projectId: string, credentialId: string, label: string) {
    const project = await projectFor(this.deps.db, caller.actor, projectId, true);
    const current = await this.#find(project.id, credentialId);
    if (current.kind === 'legacy') {
      throw ApiError.invalidArgument('Legacy credentials have no label. To change the username, delete the credential and create a new one.');
    }
    const row = await this.#change(caller, project.account_id, 'credential.label_change', async (tx) => {
      const updated = await q.updateCredentialLabel(tx, project.id, current.credential_id, label);
      if (!updated) throw notFound(credentialId);
      return updated;
    }, { details: { from: current.display_name, to: label } });
    return toCredential(row, caller.actor);
  }

  async changePassword(caller: Caller, projectId: string, credentialId: string, password: string) {
    const project = await projectFor(this.deps.db, caller.actor, projectId, true);
    const current = await this.#find(project.id, credentialId);
    if (current.kind !== 'legacy') {
      throw ApiError.invalidArgument('Only legacy credentials have a password. A REST secret cannot be changed or shown again: delete the key and create a new pair.');
    }
    const hash = await bcryptHash(password, this.deps.bcryptCost);
    const row = await this.#change(caller, project.account_id, 'credential.password_change', async (tx) => {
      const updated = await q.updateLegacyPassword(tx, project.id, current.credential_id, hash);
      if (!updated) throw notFound(credentialId);
      return updated;
    });
    return toCredential(row, caller.actor);
  }

  /** When the credential stops working (null: never); in the future, at most 10 years ahead. */
  async changeExpiry(caller: Caller, projectId: string, credentialId: string, expireTime: Date | null) {
    const project = await projectFor(this.deps.db, caller.actor, projectId, true);
    const current = await this.#find(project.id, credentialId);
    if (expireTime) checkExpireTime(expireTime);
    const row = await this.#change(caller, project.account_id, 'credential.expiry_change', async (tx) => {
      const updated = await q.updateCredentialExpiry(tx, project.id, current.credential_id, expireTime);
      if (!updated) throw notFound(credentialId);
      return updated;
    }, { details: { from: current.expire_time?.toISOString() ?? null, to: expireTime?.toISOString() ?? null } });
    return toCredential(row, caller.actor);
  }

  /** The API key (REST Basic, HMAC) or username (legacy): a key value, so Administrators only, and audited. */
  async reveal(caller: Caller, projectId: string, credentialId: string) {
    const project = await projectFor(this.deps.db, caller.actor, projectId, true);
    const current = await this.#find(project.id, credentialId);
    await this.#audit(this.deps.db, caller, project.account_id, 'credential.reveal', current);
    return current.kind === 'legacy' ? { username: current.username! } : { apiKey: current.id };
  }

  /** All or nothing: when one of them is not in the project, none is deleted. */
  async deleteSelected(caller: Caller, projectId: string, credentialIds: string[]) {
    const project = await projectFor(this.deps.db, caller.actor, projectId, true);
    const wanted = [...new Set(credentialIds.map((id) => id.toLowerCase()))];
    const deleted = await withTransaction(this.deps.db, async (tx) => {
      const found = await q.lockCredentials(tx, project.id, wanted);
      const missing = wanted.filter((id) => !found.some((row) => row.credential_id === id));
      if (missing.length) {
        throw ApiError.notFound(`Nothing was deleted: ${missing.length === 1 ? 'this credential is' : 'these credentials are'} not in the project: ${missing.join(', ')}.`);
      }
      await q.deleteCredentials(tx, project.id, wanted);
      for (const row of found) await this.#audit(tx, caller, project.account_id, 'credential.delete', row);
      return found;
    });
    for (const row of deleted) await this.deps.feed.publish({ kind: 'access_key', id: row.id });
    return { deleted: deleted.length };
  }

  /** The credential's grants (null: the Sinch model) and custom claims. */
  async grants(caller: Caller, projectId: string, credentialId: string) {
    const project = await projectFor(this.deps.db, caller.actor, projectId, false);
    const current = await this.#find(project.id, credentialId);
    return this.#grantsView(this.deps.db, project.account_id, current);
  }

  /** Replaces the credential's grants (null: back to the Sinch model); audited, in force everywhere within a second. */
  async setGrants(caller: Caller, projectId: string, credentialId: string, input: KeyAuthzInput) {
    const project = await projectFor(this.deps.db, caller.actor, projectId, true);
    const current = await this.#find(project.id, credentialId);
    const view = await withTransaction(this.deps.db, async (tx) => {
      await this.#applyGrants(tx, caller, project.account_id, current, input);
      return this.#grantsView(tx, project.account_id, current);
    });
    await this.deps.feed.publish({ kind: 'access_key', id: current.id });
    return view;
  }

  async #grantsView(q: Queryable, accountId: string, row: q.CredentialRow) {
    const view = this.deps.grants ? await this.deps.grants.view(q, accountId, row.id) : {};
    return { grants: view.grants ?? null, ...(view.customClaims ? { customClaims: view.customClaims } : {}) };
  }

  async #applyGrants(tx: Queryable, caller: Caller, accountId: string, row: q.CredentialRow, input: KeyAuthzInput) {
    if (!hasAuthzInput(input)) return;
    if (!this.deps.grants) throw ApiError.invalidArgument('grants are not accepted here.');
    const grants = await this.deps.grants.apply(tx, row.id, accountId, input);
    if (grants) await this.#audit(tx, caller, accountId, 'credential.grants_change', row, { grants });
  }

  async #find(projectId: string, credentialId: string): Promise<q.CredentialRow> {
    const row = isUuid(credentialId) ? await q.findCredential(this.deps.db, projectId, credentialId.toLowerCase()) : undefined;
    if (!row) throw notFound(credentialId);
    return row;
  }

  /** Runs a change and its audit event in one transaction, then announces it. */
  async #change(
    caller: Caller,
    accountId: string,
    action: AuditEntry['action'],
    fn: (tx: Queryable) => Promise<q.CredentialRow>,
    { details, clash = 'label' }: { details?: AuditEntry['details']; clash?: 'label' | 'username' } = {},
  ) {
    let row: q.CredentialRow;
    try {
      row = await withTransaction(this.deps.db, async (tx) => {
        const changed = await fn(tx);
        await this.#audit(tx, caller, accountId, action, changed, details);
        return changed;
      });
    } catch (err) {
      throw duplicateOf(err, clash) ?? err;
    }
    await this.deps.feed.publish({ kind: 'access_key', id: row.id });
    return row;
  }

  #audit(tx: Queryable, caller: Caller, accountId: string, action: AuditEntry['action'], row: q.CredentialRow, details?: AuditEntry['details']) {
    return recordAudit(tx, { accountId, actor: caller.actor, action, projectId: row.project_id, credential: auditedCredential(row), details, address: caller.address });
  }
}

// Only a well-formed ID is repeated back: the rest of what a client sends is never echoed.
const notFound = (id: string) =>
  ApiError.notFound(isUuid(id) ? `There is no credential ${id} in this project.` : 'There is no such credential in this project: use a credentialId from the list.');
