// Which API a token is for, and which scopes it carries (issue 13), judged for a key that
// has already authenticated. RFC 8707 `resource` (or Auth0's `audience`, the same thing under
// another name) picks the API; with neither, the key's default API. A key under the Sinch
// model (no policy) may ask, as before, for the deployment's API (TOKEN_AUDIENCE,
// TOKEN_SCOPES) or the management API, and for any API of its account with any of its
// scopes; a key with explicit grants only for what it was granted. An API the key may not
// use is invalid_target, a scope it was not granted invalid_scope, each naming what was
// refused. An explicit key asking for no scope gets every scope it holds on that API (as
// Auth0 does); a Sinch key gets none, as before.
// Both token issuers use this: Keymint's own secret grant (secret-grant.ts) and
// oidc-provider's hooks (resource-server.ts). Refusals are oidc-provider's error classes,
// so that both answer with the same body.
import { errors } from 'oidc-provider';
import type { Config } from '../config.js';
import type { AuthKey } from '../auth/key-cache.js';
import type { ApiCatalog } from '../apis/catalog.js';
import { MANAGEMENT_SCOPE_LIST, RESERVED_CLAIMS } from '../kernel/grants.js';

export interface TargetDeps {
  config: Config;
  catalog: ApiCatalog;
}

interface Target {
  scopes: readonly string[];
  ttl: number;
}

/** The API a token is for, its lifetime, and the scope the token carries (undefined: none). */
export interface TokenTarget {
  audience: string;
  /** Every scope the key holds on this API (what oidc-provider filters the token's scope by). */
  apiScopes: readonly string[];
  ttl: number;
  /** The token's scope: the requested scopes, or for an explicit key asking none, all it holds. */
  scope: string | undefined;
}

export class TokenTargets {
  constructor(private readonly deps: TargetDeps) {}

  /** The resource a request without `resource` is for (its `audience`, else the key's default API). */
  async defaultResource(key: AuthKey, audience: string | undefined): Promise<string> {
    if (audience !== undefined) return audience;
    const { config, catalog } = this.deps;
    if (!key.policy) return config.tokenAudience;
    const grant = key.policy.grants.find((g) => g.isDefault) ?? key.policy.grants[0];
    if (!grant) throw new errors.InvalidTarget('this access key has no grants: it cannot get tokens for any API');
    if (grant.apiId === null) return config.managementAudience;
    const api = (await catalog.forAccount(key.accountId)).byId(grant.apiId);
    if (!api) throw new errors.InvalidTarget('the default API of this access key no longer exists; send resource');
    return api.identifier;
  }

  /** What a token for `resource` holds, or the refusal (invalid_target, invalid_scope). `requested`: the scope parameter. */
  async target(key: AuthKey, resource: string, audience: string | undefined, requested: string | undefined): Promise<TokenTarget> {
    if (audience !== undefined && audience !== resource) throw new errors.InvalidTarget('resource and audience name different APIs; send one of them');
    const target = await this.#targetOf(key, resource);
    if (!target) {
      const may = await this.#allowed(key);
      throw new errors.InvalidTarget(`this access key may not get tokens for ${resource}; it may for: ${may.join(' ') || 'no API'}`);
    }
    const asked = String(requested ?? '').split(' ').filter(Boolean);
    const refused = asked.filter((s) => !target.scopes.includes(s));
    if (refused.length) throw new errors.InvalidScope(`requested scope is not granted for ${resource}: ${refused.join(' ')}`, refused.join(' '));
    let scope = asked.length ? [...new Set(asked)].join(' ') : undefined;
    if (!asked.length && key.policy && target.scopes.length) scope = [...new Set(target.scopes)].join(' ');
    return { audience: resource, apiScopes: target.scopes, ttl: target.ttl, scope };
  }

  async #allowed(key: AuthKey): Promise<string[]> {
    const { config, catalog } = this.deps;
    const management = config.managementAudience;
    const apis = await catalog.forAccount(key.accountId);
    if (!key.policy) return [...new Set([config.tokenAudience, management, ...apis.all.map((a) => a.identifier)])];
    return key.policy.grants.flatMap((g) => (g.apiId === null ? [management] : (apis.byId(g.apiId)?.identifier ?? [])));
  }

  async #targetOf(key: AuthKey, resource: string): Promise<Target | undefined> {
    const { config, catalog } = this.deps;
    const management = config.managementAudience;
    const ttl = config.tokenTtlSeconds;
    const apis = await catalog.forAccount(key.accountId);
    const api = apis.byIdentifier(resource);
    if (!key.policy) {
      if (api) return { scopes: api.scopes, ttl: Math.min(api.tokenTtlSeconds ?? ttl, ttl) };
      if (resource === management) return { scopes: [...new Set([...config.tokenScopes, ...MANAGEMENT_SCOPE_LIST])], ttl };
      if (resource === config.tokenAudience) return { scopes: config.tokenScopes, ttl };
      return undefined;
    }
    const grant = key.policy.grants.find((g) => (resource === management ? g.apiId === null : api !== undefined && g.apiId === api.id));
    if (!grant) return undefined;
    return { scopes: grant.scopes, ttl: Math.min((grant.apiId !== null && api?.tokenTtlSeconds) || ttl, ttl) };
  }
}

/** The claims every Keymint token carries beyond RFC 9068's: the key's custom claims, account_id and project_id. */
export function keyClaims(key: AuthKey): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  // Refused on input already (apis/grant-input.ts); checked again, since a row can be written by hand.
  for (const [name, value] of Object.entries(key.policy?.customClaims ?? {})) if (!RESERVED_CLAIMS.has(name)) claims[name] = value;
  claims.account_id = key.accountId;
  claims.project_id = key.projectId;
  return claims;
}
