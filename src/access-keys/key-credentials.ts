// What a REST Basic key authenticates with (issue 14): a secret, public keys (or a
// jwks_uri), or both while a service moves from one to the other; never nothing. A key
// may be created without a secret (with public keys or a jwks_uri), and a key's secret may
// be removed (v1 :removeSecret) once it has public keys; removing the last public key or
// the jwks_uri of a key without a secret is refused (public-keys-service.ts), as is
// removing the secret of a key with nothing else. Each change takes the key's row lock
// first (key-credential-queries.ts), is audited in its transaction, and reaches every
// instance within the change feed's second (the row's trigger, migrations/0080).
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { findProjectWithAccount } from '../accounts/queries.js';
import { revokeKeyTokens } from '../credentials/rotation-queries.js';
import { ApiError } from '../kernel/api-error.js';
import { MANAGEMENT_SCOPES } from '../kernel/grants.js';
import { adminOnly, requireKeyScope } from '../kernel/permissions.js';
import { canManageCredentials } from '../kernel/roles.js';
import type { UserActor } from '../kernel/actor.js';
import type { PublicKeyInput } from './public-key-input.js';
import { checkDistinct, insertPublicKeys, type KeyChange, type PublicKey } from './public-keys-service.js';
import { upsertTokenSettings } from './public-key-queries.js';
import { lockKeyCredentialState, removeKeySecret } from './key-credential-queries.js';
import { recordKeyAudit, type KeysCaller } from './key-audit.js';
import { findAccessKey } from './queries.js';
import type { KeyAuthState } from './auth-methods.js';

/** What a v1 create may add beside (or instead of) the generated secret. */
export interface KeyCredentialsInput {
  /** Public keys, checked (public-key-input.ts). */
  publicKeys?: PublicKeyInput[];
  /** An https URL, checked (public-keys-routes.ts). */
  jwksUri?: string;
  /** false: no secret is generated; the key needs publicKeys or jwksUri. Default true. */
  generateSecret?: boolean;
}

export const hasCredentialsInput = (input: KeyCredentialsInput) =>
  input.publicKeys !== undefined || input.jwksUri !== undefined || input.generateSecret === false;

/** The input's consistency, before anything is written: a key has publicKeys or a jwksUri, and something to authenticate with. */
export function checkCredentialsInput(input: KeyCredentialsInput): void {
  if (input.publicKeys !== undefined && input.jwksUri !== undefined) {
    throw ApiError.invalidArgument('Send publicKeys or jwksUri, not both: a key has its public keys here or at a jwksUri.');
  }
  if (input.generateSecret === false && input.publicKeys === undefined && input.jwksUri === undefined) {
    throw ApiError.invalidArgument('With generateSecret false the key needs another way to authenticate: send publicKeys (a JWK Set) or jwksUri.');
  }
  if (input.publicKeys) checkDistinct(input.publicKeys);
}

/**
 * In a create's transaction, after the key's row: its public keys or jwks_uri, audited as
 * the additions of public-keys-service.ts are. The new key is not visible to anyone else yet.
 */
export async function attachKeyCredentials(tx: Queryable, change: KeyChange, input: KeyCredentialsInput, hasSecret: boolean): Promise<{ publicKeys?: PublicKey[]; state: KeyAuthState }> {
  let publicKeys: PublicKey[] | undefined;
  if (input.publicKeys) publicKeys = await insertPublicKeys(tx, change, input.publicKeys);
  if (input.jwksUri !== undefined) {
    await upsertTokenSettings(tx, change.row.id, { dpop_required: false, jwks_uri: input.jwksUri });
    await recordKeyAudit(tx, { ...change, action: 'credential.token_settings_change', details: { dpopRequired: false, jwksUri: input.jwksUri } });
  }
  return { ...(publicKeys ? { publicKeys } : {}), state: { hasSecret, hasPublicKeys: publicKeys !== undefined || input.jwksUri !== undefined } };
}

const notFound = (id: string) => ApiError.notFound(`Access key ${id} does not exist in this project.`);

export class KeySecretRemoval {
  constructor(private readonly deps: { db: Db; feed: ChangeFeed }) {}

  /**
   * The key's secret (and a previous one still working) stop working now; the key then
   * authenticates with client assertions only. `revokeTokens`: every token the key was
   * issued until now is revoked too (the revocation feed), for a secret that may have leaked.
   */
  async removeSecret(actor: KeysCaller | UserActor, projectId: string, id: string, address?: string, revokeTokens = false) {
    // A console user (src/dashboard): Administrators only; the account is checked with the key below.
    if (actor.kind === 'user') {
      if (!canManageCredentials(actor.role)) throw adminOnly(actor.role);
    } else if (actor.kind !== 'operator') {
      requireKeyScope(actor, MANAGEMENT_SCOPES.write);
      if (actor.projectId !== projectId) {
        throw ApiError.permissionDenied(`This access key belongs to project ${actor.projectId} and can manage the keys of that project only.`);
      }
    }
    const accessKey = await withTransaction(this.deps.db, async (tx) => {
      const state = await lockKeyCredentialState(tx, projectId, id);
      const project = state && (await findProjectWithAccount(tx, projectId));
      if (!state || !project || (actor.kind === 'user' && project.account_id !== actor.accountId)) throw notFound(id);
      if (!state.has_secret) throw ApiError.failedPrecondition('The key has no secret: there is nothing to remove.');
      if (state.public_keys === 0 && state.jwks_uri === null) {
        throw ApiError.failedPrecondition(
          'Removing the secret would leave the key with no way to authenticate. Add a public key (POST …/publicKeys) or set a jwksUri ' +
            '(PATCH …/tokenSettings) first, and move its clients to client assertions (private_key_jwt).',
        );
      }
      await removeKeySecret(tx, id);
      if (revokeTokens) await revokeKeyTokens(tx, id);
      const row = (await findAccessKey(tx, projectId, id))!;
      await recordKeyAudit(tx, { actor, address, accountId: project.account_id, action: 'credential.secret_remove', row, details: { revokeTokens } });
      return row;
    });
    await this.deps.feed.publish({ kind: 'access_key', id });
    return accessKey;
  }
}
