// Which API a token is for, and which scopes it carries (issue 13). RFC 8707 `resource`
// (or Auth0's `audience`, the same thing under another name) picks the API; with neither,
// the key's default API. A key under the Sinch model (no policy) may ask, as before, for the
// deployment's API (TOKEN_AUDIENCE, TOKEN_SCOPES) or the management API, and for any API of
// its account with any of its scopes; a key with explicit grants only for what it was
// granted. An API the key may not use is invalid_target, a scope it was not granted
// invalid_scope, each naming what was refused. An explicit key asking for no scope gets every
// scope it holds on that API (as Auth0 does); a Sinch key gets none, as before.
import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config.js';
import type { AccessKeyCache, AuthKey } from '../auth/key-cache.js';
import type { ApiCatalog } from '../apis/catalog.js';
import { MANAGEMENT_SCOPE_LIST, RESERVED_CLAIMS } from '../kernel/grants.js';
import type { SigningKeyRing } from './signing-keys.js';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

export interface ResourceDeps {
  config: Config;
  keys: AccessKeyCache;
  catalog: ApiCatalog;
  ring: SigningKeyRing;
}

// The key a token request was judged for, for the JWT customizer (account_id, custom claims).
const judged = new WeakMap<object, AuthKey>();
export const judgedKeyOf = (ctx: object): AuthKey | undefined => judged.get(ctx);

interface Target {
  scopes: readonly string[];
  ttl: number;
}

/** Auth0's `audience`: read from the parsed body, since oidc-provider keeps only the parameters it knows. */
function audienceParam(ctx: KoaContextWithOIDC): string | undefined {
  const value = (ctx.oidc.body as Record<string, unknown> | undefined)?.audience;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new errors.InvalidRequest("'audience' parameter must only be provided once");
  return value;
}

export function resourceIndicators({ config, keys, catalog, ring }: ResourceDeps): ResourceIndicators {
  const management = config.managementAudience;

  async function keyOf(ctx: KoaContextWithOIDC, clientId: string): Promise<AuthKey> {
    const key = await keys.getActive(clientId.toLowerCase());
    if (!key) throw new errors.InvalidClient('client authentication failed');
    judged.set(ctx, key);
    return key;
  }

  async function allowed(key: AuthKey): Promise<string[]> {
    const apis = await catalog.forAccount(key.accountId);
    if (!key.policy) return [...new Set([config.tokenAudience, management, ...apis.all.map((a) => a.identifier)])];
    return key.policy.grants.flatMap((g) => (g.apiId === null ? [management] : (apis.byId(g.apiId)?.identifier ?? [])));
  }

  async function targetOf(key: AuthKey, resource: string): Promise<Target | undefined> {
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

  return {
    enabled: true,
    async defaultResource(ctx, client) {
      const audience = audienceParam(ctx);
      if (audience !== undefined) return audience;
      const key = await keyOf(ctx, client!.clientId);
      if (!key.policy) return config.tokenAudience;
      const grant = key.policy.grants.find((g) => g.isDefault) ?? key.policy.grants[0];
      if (!grant) throw new errors.InvalidTarget('this access key has no grants: it cannot get tokens for any API');
      if (grant.apiId === null) return management;
      const api = (await catalog.forAccount(key.accountId)).byId(grant.apiId);
      if (!api) throw new errors.InvalidTarget('the default API of this access key no longer exists; send resource');
      return api.identifier;
    },
    useGrantedResource: () => true,
    async getResourceServerInfo(ctx, resource, client) {
      const audience = audienceParam(ctx);
      if (audience !== undefined && audience !== resource) throw new errors.InvalidTarget('resource and audience name different APIs; send one of them');
      const key = judged.get(ctx) ?? (await keyOf(ctx, client!.clientId));
      const target = await targetOf(key, resource);
      if (!target) {
        const may = await allowed(key);
        throw new errors.InvalidTarget(`this access key may not get tokens for ${resource}; it may for: ${may.join(' ') || 'no API'}`);
      }
      const requested = String(ctx.oidc.params?.scope ?? '').split(' ').filter(Boolean);
      const refused = requested.filter((s) => !target.scopes.includes(s));
      if (refused.length) throw new errors.InvalidScope(`requested scope is not granted for ${resource}: ${refused.join(' ')}`, refused.join(' '));
      if (!requested.length && key.policy && target.scopes.length) ctx.oidc.params!.scope = target.scopes.join(' ');
      return {
        audience: resource,
        scope: target.scopes.join(' '),
        accessTokenTTL: target.ttl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: ring.alg, kid: ring.signingKid() } },
      };
    },
  };
}

/** The claims every Keymint token carries beyond RFC 9068's (project_id is set from the client). */
export function keyClaims(ctx: KoaContextWithOIDC | undefined): Record<string, unknown> {
  const key = ctx && judged.get(ctx);
  if (!key) return {};
  const claims: Record<string, unknown> = {};
  // Refused on input already (apis/grant-input.ts); checked again, since a row can be written by hand.
  for (const [name, value] of Object.entries(key.policy?.customClaims ?? {})) if (!RESERVED_CLAIMS.has(name)) claims[name] = value;
  claims.account_id = key.accountId;
  return claims;
}

