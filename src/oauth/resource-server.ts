// oidc-provider's resource indicator hooks (RFC 8707), for the token requests it serves
// (DPoP, client assertions, HMAC tickets: secret-grant.ts serves the rest). What a key may
// get a token for is judged by token-targets.ts, shared with Keymint's own grant; here only
// the request's parameters are read from oidc-provider's context, and the judged key kept
// for the JWT customizer (provider.ts).
import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { AccessKeyCache, AuthKey } from '../auth/key-cache.js';
import type { SigningKeyRing } from './signing-keys.js';
import { keyClaims, TokenTargets, type TargetDeps } from './token-targets.js';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

export interface ResourceDeps extends TargetDeps {
  keys: AccessKeyCache;
  ring: SigningKeyRing;
}

// The key a token request was judged for, for the JWT customizer (account_id, custom claims).
const judged = new WeakMap<object, AuthKey>();

/** Auth0's `audience`: read from the parsed body, since oidc-provider keeps only the parameters it knows. */
function audienceParam(ctx: KoaContextWithOIDC): string | undefined {
  const value = (ctx.oidc.body as Record<string, unknown> | undefined)?.audience;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new errors.InvalidRequest("'audience' parameter must only be provided once");
  return value;
}

export function resourceIndicators({ keys, ring, ...deps }: ResourceDeps): ResourceIndicators {
  const targets = new TokenTargets(deps);

  async function keyOf(ctx: KoaContextWithOIDC, clientId: string): Promise<AuthKey> {
    const key = await keys.getActive(clientId.toLowerCase());
    if (!key) throw new errors.InvalidClient('client authentication failed');
    judged.set(ctx, key);
    return key;
  }

  return {
    enabled: true,
    async defaultResource(ctx, client) {
      const audience = audienceParam(ctx);
      if (audience !== undefined) return audience;
      return targets.defaultResource(await keyOf(ctx, client!.clientId), undefined);
    },
    useGrantedResource: () => true,
    async getResourceServerInfo(ctx, resource, client) {
      const audience = audienceParam(ctx);
      const key = judged.get(ctx) ?? (await keyOf(ctx, client!.clientId));
      const target = await targets.target(key, resource, audience, ctx.oidc.params?.scope as string | undefined);
      // oidc-provider filters the requested scope by the API's: an explicit key asking none gets all it holds.
      if (target.scope !== undefined) ctx.oidc.params!.scope = target.scope;
      return {
        audience: resource,
        scope: target.apiScopes.join(' '),
        accessTokenTTL: target.ttl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: ring.alg, kid: ring.signingKid() } },
      };
    },
  };
}

/** The claims every Keymint token carries beyond RFC 9068's (token-targets.ts), for the key judged in `ctx`. */
export function judgedKeyClaims(ctx: KoaContextWithOIDC | undefined): Record<string, unknown> | undefined {
  const key = ctx && judged.get(ctx);
  return key && keyClaims(key);
}
