// The rules of a key's public keys (private_key_jwt, RFC 7523) and token settings (DPoP,
// RFC 9449), as the v1 API manages them: a key manages those of its own project only; at
// most MAX_PUBLIC_KEYS per key, counted under a lock on the key so concurrent uploads
// cannot pass the limit together; a key already held is refused (409), as is a kid the
// key already uses; every change is audited in its transaction and announced, so every
// instance's token endpoint sees it within the change feed's second. A key without a secret
// keeps its last public key and its jwksUri (412: key-credentials.ts).
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import { findProjectWithAccount } from '../accounts/queries.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { recordKeyAudit } from './key-audit.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { ApiError } from '../kernel/api-error.js';
import { MANAGEMENT_SCOPES } from '../kernel/grants.js';
import { adminOnly, requireKeyScope } from '../kernel/permissions.js';
import { canManageCredentials } from '../kernel/roles.js';
import type { UserActor } from '../kernel/actor.js';
import { findAccessKey, type AccessKeyRow } from './queries.js';
import * as q from './public-key-queries.js';
import { MAX_PUBLIC_KEYS, type PublicKeyInput } from './public-key-input.js';
import { lockKeyCredentialState } from './key-credential-queries.js';
import { wouldLeaveNoWay } from './auth-methods.js';
import type { KeysCaller } from './key-audit.js';

export interface PublicKey {
  publicKeyId: string;
  kid: string;
  alg: string;
  jwk: Record<string, string>;
  createTime: string;
}

export interface TokenSettings {
  dpopRequired: boolean;
  /** Where the client publishes its public keys (https), instead of keys held here; null when it does not. */
  jwksUri: string | null;
}

const toSettings = (row: q.TokenSettingsRow): TokenSettings => ({ dpopRequired: row.dpop_required, jwksUri: row.jwks_uri });

export const toPublicKey = (row: q.PublicKeyRow): PublicKey => ({
  publicKeyId: row.public_key_id,
  kid: row.jwk.kid,
  alg: row.alg,
  jwk: row.jwk,
  createTime: row.create_time.toISOString(),
});

/** A key (v1), the operator (CLI) or a signed-in user (the console: src/dashboard/public-keys-routes.ts). */
type Caller = KeysCaller | UserActor;

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** An uploaded set holds each key, and each kid, once. */
export function checkDistinct(keys: PublicKeyInput[]): void {
  if (new Set(keys.map((k) => k.publicKeyId)).size < keys.length) throw ApiError.invalidArgument('jwks holds the same public key twice.');
  if (new Set(keys.map((k) => k.jwk.kid)).size < keys.length) throw ApiError.invalidArgument('jwks holds two keys with the same kid.');
}

export interface KeyChange {
  actor: Caller;
  address: string | undefined;
  accountId: string;
  row: AccessKeyRow;
}

/** Inserts the keys in `tx`, each audited (credential.public_key_add); the caller holds the key's lock and checked the limit. */
export async function insertPublicKeys(tx: Queryable, change: KeyChange, keys: PublicKeyInput[]): Promise<PublicKey[]> {
  const out: PublicKey[] = [];
  for (const key of keys) {
    out.push(toPublicKey(await q.insertPublicKey(tx, change.row.id, key)));
    await recordKeyAudit(tx, { ...change, action: 'credential.public_key_add', details: { publicKeyId: key.publicKeyId, kid: key.jwk.kid, alg: key.alg } });
  }
  return out;
}

const keyNotFound = (id: string) => ApiError.notFound(`Access key ${id} does not exist in this project.`);

export class PublicKeysService {
  constructor(private readonly deps: { db: Db; feed: ChangeFeed }) {}

  // Issue 13: a key needs the management scope too (reading accesskeys.read, changing accesskeys.write).
  #authorize(actor: Caller, projectId: string, scope: string = MANAGEMENT_SCOPES.write) {
    // A console user: every role reads, only Administrators change (seeds 000, 001); the account is checked in #key.
    if (actor.kind === 'user') {
      if (scope === MANAGEMENT_SCOPES.write && !canManageCredentials(actor.role)) throw adminOnly(actor.role);
      return;
    }
    if (actor.kind !== 'operator') requireKeyScope(actor, scope);
    if (actor.kind !== 'operator' && actor.projectId !== projectId) {
      throw ApiError.permissionDenied(`This access key belongs to project ${actor.projectId} and can manage the keys of that project only.`);
    }
  }

  async #key(tx: Queryable, actor: Caller, projectId: string, accessKeyId: string): Promise<{ row: AccessKeyRow; accountId: string }> {
    const row = await findAccessKey(tx, projectId, accessKeyId);
    const project = row && (await findProjectWithAccount(tx, projectId));
    if (!row || !project || (actor.kind === 'user' && project.account_id !== actor.accountId)) throw keyNotFound(accessKeyId);
    return { row, accountId: project.account_id };
  }

  #audit(tx: Queryable, actor: Caller, address: string | undefined, accountId: string, action: AuditEntry['action'], row: AccessKeyRow, details: AuditEntry['details']) {
    return recordKeyAudit(tx, { actor, address, accountId, action, row, details });
  }

  async list(actor: Caller, projectId: string, accessKeyId: string): Promise<{ publicKeys: PublicKey[] }> {
    this.#authorize(actor, projectId, MANAGEMENT_SCOPES.read);
    await this.#key(this.deps.db, actor, projectId, accessKeyId);
    return { publicKeys: (await q.listPublicKeys(this.deps.db, accessKeyId)).map(toPublicKey) };
  }

  /** Adds every key of `keys` or none of them. */
  async add(actor: Caller, projectId: string, accessKeyId: string, keys: PublicKeyInput[], address?: string): Promise<{ publicKeys: PublicKey[] }> {
    this.#authorize(actor, projectId);
    checkDistinct(keys);
    let added: PublicKey[];
    try {
      added = await withTransaction(this.deps.db, async (tx) => {
        const { row, accountId } = await this.#key(tx, actor, projectId, accessKeyId);
        const held = await q.lockAndCountPublicKeys(tx, accessKeyId);
        if ((await q.findTokenSettings(tx, accessKeyId)).jwks_uri !== null) {
          throw ApiError.failedPrecondition('The key takes its public keys from its jwksUri (tokenSettings). Set jwksUri to null before adding keys here.');
        }
        if (held + keys.length > MAX_PUBLIC_KEYS) {
          throw ApiError.failedPrecondition(`The key holds ${held} public keys; with ${keys.length} more it would pass the limit of ${MAX_PUBLIC_KEYS}. Remove one first.`);
        }
        return insertPublicKeys(tx, { actor, address, accountId, row }, keys);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw ApiError.alreadyExists('The key already holds this public key, or another one with the same kid.');
      throw err;
    }
    await this.deps.feed.publish({ kind: 'access_key', id: accessKeyId });
    return { publicKeys: added };
  }

  async remove(actor: Caller, projectId: string, accessKeyId: string, publicKeyId: string, address?: string): Promise<void> {
    this.#authorize(actor, projectId);
    await withTransaction(this.deps.db, async (tx) => {
      const { row, accountId } = await this.#key(tx, actor, projectId, accessKeyId);
      const state = await lockKeyCredentialState(tx, projectId, accessKeyId);
      const removed = await q.deletePublicKey(tx, accessKeyId, publicKeyId);
      if (!removed) throw ApiError.notFound(`Access key ${accessKeyId} holds no public key ${publicKeyId}.`);
      if (state && !state.has_secret && state.public_keys <= 1) throw wouldLeaveNoWay('Removing its last public key');
      await this.#audit(tx, actor, address, accountId, 'credential.public_key_remove', row, { publicKeyId, kid: removed.jwk.kid, alg: removed.alg });
    });
    await this.deps.feed.publish({ kind: 'access_key', id: accessKeyId });
  }

  async getSettings(actor: Caller, projectId: string, accessKeyId: string): Promise<TokenSettings> {
    this.#authorize(actor, projectId, MANAGEMENT_SCOPES.read);
    await this.#key(this.deps.db, actor, projectId, accessKeyId);
    return toSettings(await q.findTokenSettings(this.deps.db, accessKeyId));
  }

  /** Changes the settings given, keeps the others. */
  async updateSettings(actor: Caller, projectId: string, accessKeyId: string, change: Partial<TokenSettings>, address?: string): Promise<TokenSettings> {
    this.#authorize(actor, projectId);
    const out = await withTransaction(this.deps.db, async (tx) => {
      const { row, accountId } = await this.#key(tx, actor, projectId, accessKeyId);
      const state = (await lockKeyCredentialState(tx, projectId, accessKeyId))!;
      const held = state.public_keys;
      const before = await q.findTokenSettings(tx, accessKeyId);
      const wanted = { dpop_required: change.dpopRequired ?? before.dpop_required, jwks_uri: change.jwksUri === undefined ? before.jwks_uri : change.jwksUri };
      if (wanted.jwks_uri !== null && held > 0) {
        throw ApiError.failedPrecondition(`The key holds ${held} public keys: a key has its public keys here or at a jwksUri, not both. Remove them first.`);
      }
      if (wanted.jwks_uri === null && before.jwks_uri !== null && !state.has_secret) throw wouldLeaveNoWay('Clearing its jwksUri');
      const after = await q.upsertTokenSettings(tx, accessKeyId, wanted);
      if (before.dpop_required !== after.dpop_required || before.jwks_uri !== after.jwks_uri) {
        await this.#audit(tx, actor, address, accountId, 'credential.token_settings_change', row, { dpopRequired: after.dpop_required, jwksUri: after.jwks_uri });
      }
      return toSettings(after);
    });
    await this.deps.feed.publish({ kind: 'access_key', id: accessKeyId });
    return out;
  }
}
