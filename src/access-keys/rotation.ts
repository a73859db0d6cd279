// Secret rotation on the v1 API (a Keymint extension, in the style of Google's custom
// methods): who may rotate which key (a key its own project's keys, the operator any
// project's), then the rules of credentials/secret-rotation.ts.
import type { Db } from '../db/pool.js';
import { ApiError } from '../kernel/api-error.js';
import { MANAGEMENT_SCOPES } from '../kernel/grants.js';
import { requireKeyScope } from '../kernel/permissions.js';
import type { SecretRotation, Overlap, KeySecret } from '../credentials/secret-rotation.js';
import { findAccessKey } from './queries.js';
import { toAccessKey, type AccessKey, type KeysCaller } from './service.js';

export class AccessKeyRotation {
  constructor(private readonly deps: { db: Db; rotation: SecretRotation }) {}

  // Issue 13: a key needs the management scope too (reading accesskeys.read, changing accesskeys.write).
  #authorize(actor: KeysCaller, projectId: string, scope: string = MANAGEMENT_SCOPES.write) {
    if (actor.kind !== 'operator') requireKeyScope(actor, scope);
    if (actor.kind !== 'operator' && actor.projectId !== projectId) {
      throw ApiError.permissionDenied(`This access key belongs to project ${actor.projectId} and can manage the keys of that project only.`);
    }
  }

  #who(actor: KeysCaller, address?: string) {
    return actor.kind === 'operator' ? { actorName: actor.name, address } : { actor, address };
  }

  async #key(projectId: string, id: string): Promise<AccessKey> {
    const row = await findAccessKey(this.deps.db, projectId, id);
    if (!row) throw notFound(id);
    return toAccessKey(row);
  }

  async listSecrets(actor: KeysCaller, projectId: string, id: string): Promise<{ secrets: KeySecret[] }> {
    this.#authorize(actor, projectId, MANAGEMENT_SCOPES.read);
    await this.#key(projectId, id);
    return { secrets: await this.deps.rotation.list(projectId, { by: 'id', value: id }) };
  }

  async rotate(actor: KeysCaller, projectId: string, id: string, overlap: Overlap, address?: string) {
    this.#authorize(actor, projectId);
    await this.#key(projectId, id);
    const { secret, secrets } = await this.deps.rotation.rotate(projectId, { by: 'id', value: id }, overlap, this.#who(actor, address));
    return { accessKey: await this.#key(projectId, id), secret, secrets };
  }

  async revokePrevious(actor: KeysCaller, projectId: string, id: string, address?: string, revokeTokens = false) {
    this.#authorize(actor, projectId);
    await this.#key(projectId, id);
    const { secrets } = await this.deps.rotation.revokePrevious(projectId, { by: 'id', value: id }, this.#who(actor, address), revokeTokens);
    return { accessKey: await this.#key(projectId, id), secrets };
  }
}

const notFound = (id: string) => ApiError.notFound(`Access key ${id} does not exist in this project.`);
