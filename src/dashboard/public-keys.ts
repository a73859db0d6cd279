// A REST Basic credential's public keys (private_key_jwt) and token settings (DPoP, jwks_uri)
// as the console manages them (docs/CONSOLE-API.md): addressed by credential ID like every
// console call. Who may see or change them is the console's rule (credentials/access.ts: every
// role of the account reads, Administrators change; an access key its own project's, with
// accesskeys.read / accesskeys.write); then the v1 rules of access-keys/public-keys-service.ts,
// which also audit every change (as the user or key that made it) and announce it.
import type { Db } from '../db/pool.js';
import type { Caller } from '../kernel/actor.js';
import { ApiError } from '../kernel/api-error.js';
import { isUuid } from '../kernel/ids.js';
import { projectFor } from '../credentials/access.js';
import { findCredential } from '../credentials/queries.js';
import type { PublicKeyInput } from '../access-keys/public-key-input.js';
import type { PublicKeysService, TokenSettings } from '../access-keys/public-keys-service.js';
import type { KeySecretRemoval } from '../access-keys/key-credentials.js';
import type { AuthenticationMethod } from '../kernel/auth-methods.js';

const KIND_NAMES: Record<string, string> = { hmac: 'a REST HMAC', legacy: 'a Legacy' };

export class ConsolePublicKeys {
  constructor(private readonly deps: { db: Db; service: PublicKeysService; secrets: KeySecretRemoval }) {}

  /** The credential's project and Key ID, when the caller may see it (`manage`: change it). */
  async #key(caller: Caller, projectId: string, credentialId: string, manage: boolean): Promise<{ projectId: string; accessKeyId: string }> {
    const project = await projectFor(this.deps.db, caller.actor, projectId, manage);
    const row = isUuid(credentialId) ? await findCredential(this.deps.db, project.id, credentialId.toLowerCase()) : undefined;
    if (!row) throw ApiError.notFound('There is no such credential in this project: use a credentialId from the list.');
    if (row.kind !== 'basic') {
      throw ApiError.failedPrecondition(`Public keys and DPoP settings belong to REST Basic credentials (they get tokens at /oauth2/token); this is ${KIND_NAMES[row.kind] ?? row.kind} credential.`);
    }
    return { projectId: project.id, accessKeyId: row.id };
  }

  async list(caller: Caller, projectId: string, credentialId: string) {
    const key = await this.#key(caller, projectId, credentialId, false);
    return this.deps.service.list(caller.actor, key.projectId, key.accessKeyId);
  }

  async add(caller: Caller, projectId: string, credentialId: string, keys: PublicKeyInput[]) {
    const key = await this.#key(caller, projectId, credentialId, true);
    return this.deps.service.add(caller.actor, key.projectId, key.accessKeyId, keys, caller.address);
  }

  async remove(caller: Caller, projectId: string, credentialId: string, publicKeyId: string): Promise<void> {
    const key = await this.#key(caller, projectId, credentialId, true);
    try {
      await this.deps.service.remove(caller.actor, key.projectId, key.accessKeyId, publicKeyId, caller.address);
    } catch (err) {
      // The v1 message names the Key ID, which the console shows only behind an audited reveal.
      if (err instanceof ApiError && err.code === 404) throw ApiError.notFound(`This credential holds no public key ${publicKeyId} (it may have been removed already): reload the list.`);
      throw err;
    }
  }

  async settings(caller: Caller, projectId: string, credentialId: string): Promise<TokenSettings> {
    const key = await this.#key(caller, projectId, credentialId, false);
    return this.deps.service.getSettings(caller.actor, key.projectId, key.accessKeyId);
  }

  async changeSettings(caller: Caller, projectId: string, credentialId: string, change: Partial<TokenSettings>): Promise<TokenSettings> {
    const key = await this.#key(caller, projectId, credentialId, true);
    return this.deps.service.updateSettings(caller.actor, key.projectId, key.accessKeyId, change, caller.address);
  }

  /** The key's secret stops working (v1 :removeSecret's rules): it then authenticates with client assertions only. */
  async removeSecret(caller: Caller, projectId: string, credentialId: string, revokeTokens: boolean): Promise<{ authenticationMethods: AuthenticationMethod[] }> {
    const key = await this.#key(caller, projectId, credentialId, true);
    try {
      await this.deps.secrets.removeSecret(caller.actor, key.projectId, key.accessKeyId, caller.address, revokeTokens);
    } catch (err) {
      // The v1 wording names its own paths; the console's dialogs are Public keys and Token settings.
      if (err instanceof ApiError && err.code === 412 && /no way to authenticate/.test(err.message)) {
        throw ApiError.failedPrecondition('Removing the secret would leave the key with no way to authenticate: add a public key (Public keys) or set a jwks_uri (Token settings) first, and move its clients to private_key_jwt.');
      }
      throw err;
    }
    return { authenticationMethods: ['private_key_jwt'] };
  }
}
