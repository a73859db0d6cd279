// A key's grants as the management APIs set and show them (v1 extension fields, the
// console): checked against the account's APIs inside the change's transaction (the APIs
// held FOR SHARE, so none vanishes before it commits), written with the change, shown by
// API identifier. `grants: null` returns a key to the Sinch model; custom claims belong to
// an explicit policy, so they need grants.
import type { Queryable } from '../db/pool.js';
import { ApiError } from '../kernel/api-error.js';
import { toApiDef, type ApiDef } from './catalog.js';
import { grantViews, resolveGrants, type GrantInput, type GrantView } from './grant-input.js';
import { deleteKeyPolicy, findKeyPolicy, listAccountApis, listKeyPolicies, replaceKeyPolicy, type KeyPolicyRow } from './queries.js';

export interface KeyAuthzInput {
  /** undefined: unchanged; null: back to the Sinch model. */
  grants?: GrantInput | null;
  customClaims?: Record<string, unknown> | null;
}

/** Present only on a key with explicit grants, so a Sinch key's JSON stays the seed's. */
export interface KeyAuthzView {
  grants?: GrantView[];
  customClaims?: Record<string, unknown>;
}

export const hasAuthzInput = (input: KeyAuthzInput) => input.grants !== undefined || input.customClaims !== undefined;

export class KeyGrants {
  constructor(readonly managementAudience: string) {}

  /** Applies the change in `tx`; returns the audit's description of the new grants, or undefined when nothing changed. */
  async apply(tx: Queryable, accessKeyId: string, accountId: string, input: KeyAuthzInput): Promise<string[] | undefined> {
    if (!hasAuthzInput(input)) return undefined;
    if (input.grants === null) {
      if (input.customClaims) throw ApiError.invalidArgument('customClaims need explicit grants; with grants: null the key returns to the Sinch model, which has none.');
      await deleteKeyPolicy(tx, accessKeyId);
      return ['(Sinch model: this project\'s keys and every API of the account)'];
    }
    const existing = await findKeyPolicy(tx, accessKeyId);
    if (input.grants === undefined && !existing) {
      throw ApiError.invalidArgument('customClaims need explicit grants: send grants too (this key has the Sinch model, which has none).');
    }
    const apis = (await listAccountApis(tx, accountId, true)).map(toApiDef);
    const grants = input.grants !== undefined ? resolveGrants(input.grants, apis, this.managementAudience) : existing!.grants;
    const claims = input.customClaims !== undefined ? input.customClaims : (existing?.custom_claims ?? null);
    await replaceKeyPolicy(tx, accessKeyId, claims, grants);
    return grantViews(grants, apis, this.managementAudience).map((g) => `${g.api}${g.default ? ' (default)' : ''}: ${g.scopes.join(' ') || '(no scope)'}`);
  }

  async view(q: Queryable, accountId: string, accessKeyId: string): Promise<KeyAuthzView> {
    const policy = await findKeyPolicy(q, accessKeyId);
    return policy ? this.#view(policy, (await listAccountApis(q, accountId)).map(toApiDef)) : {};
  }

  async views(q: Queryable, accountId: string, accessKeyIds: string[]): Promise<Map<string, KeyAuthzView>> {
    const policies = await listKeyPolicies(q, accessKeyIds);
    const out = new Map<string, KeyAuthzView>();
    if (!policies.size) return out;
    const apis = (await listAccountApis(q, accountId)).map(toApiDef);
    for (const [id, policy] of policies) out.set(id, this.#view(policy, apis));
    return out;
  }

  #view(policy: KeyPolicyRow, apis: ApiDef[]): KeyAuthzView {
    return {
      grants: grantViews(policy.grants, apis, this.managementAudience),
      ...(policy.custom_claims ? { customClaims: policy.custom_claims } : {}),
    };
  }
}
