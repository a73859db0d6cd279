// The oidc-provider configuration: a token endpoint for the client_credentials grant
// only, issuing RFC 9068 JWT access tokens signed with the ring's active key; clients
// authenticate with their secret or a client assertion (private_key_jwt), and a DPoP
// proof binds the token to the client's key (client-assertions.ts). All other
// oidc-provider features are off, and only the token route is mounted (routes.ts).
import Provider, { type Configuration } from 'oidc-provider';
import type { Config } from '../config.js';
import type { KeySecrets } from '../auth/key-secrets.js';
import type { SigningKeyRing } from './signing-keys.js';
import { adapterFor, providerError, type ClientSource } from './adapter.js';
import { reuseWarmClients } from './warm-clients.js';
import type { HmacTickets } from './hmac-tickets.js';
import { clientAddressResolver } from '../http/client-address.js';
import { tokenErrorConformance } from './token-errors.js';
import { clientAssertionConfiguration, plainDpopRefusal, sharedReplayDetection, urlsFromIssuer, type AssertionAccepted, type JwksFetch } from './client-assertions.js';
import type { JtiReplays } from '../auth/jti-replays.js';
import { judgedKeyClaims, resourceIndicators } from './resource-server.js';
import type { ApiCatalog } from '../apis/catalog.js';

export const TOKEN_PATH = '/oauth2/token';

export interface ProviderDeps {
  config: Config;
  ring: SigningKeyRing;
  clients: ClientSource;
  /** The one check of a Key ID (or legacy username) and secret (auth/key-secrets.ts). */
  secrets: KeySecrets;
  /** One-time tickets standing in for the secret of a verified HMAC-signed request. */
  tickets?: HmacTickets;
  /** The jtis of client assertions and DPoP proofs, shared by every instance (client-assertions.ts). */
  jtis?: Pick<JtiReplays, 'firstUse'>;
  /** Each client whose assertion verified, before its token is made: the token quota (usage-gate.ts). */
  onClientAssertion?: AssertionAccepted;
  /** Replaces oidc-provider's fetch of jwks_uri (tests only: it refuses loopback addresses). */
  fetchJwks?: JwksFetch;
  /** The accounts' APIs (issue 13: resource-server.ts). */
  catalog: ApiCatalog;
}

export function buildProvider({ config, ring, clients, secrets, tickets, jtis, catalog, onClientAssertion, fetchJwks }: ProviderDeps): Provider {
  const configuration: Configuration = {
    adapter: adapterFor(clients, secrets),
    jwks: { keys: ring.privateJwks() },
    // private_key_jwt beside the secret, and DPoP (oidc-provider's default, on): client-assertions.ts.
    ...clientAssertionConfiguration(onClientAssertion, fetchJwks),
    scopes: [...config.tokenScopes],
    claims: {},
    responseTypes: [],
    routes: { token: TOKEN_PATH },
    extraClientMetadata: { properties: ['project_id'] },
    clientDefaults: { id_token_signed_response_alg: config.signingAlg, grant_types: ['client_credentials'], response_types: [] },
    // Browsers have no business at the token endpoint, but CORS stays closed in routes.ts
    // (every Access-Control-* header is dropped). Refusing here instead would answer a
    // request with an Origin 400 after the key lookup and before the secret check,
    // telling an existing Key ID from an unknown one.
    clientBasedCORS: () => true,
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      userinfo: { enabled: false },
      resourceIndicators: resourceIndicators({ config, keys: secrets.keys, catalog, ring }),
    },
    // The API's lifetime (resource-server.ts), never above TOKEN_TTL_SECONDS: the ring keeps a
    // retired key published for that long.
    ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.tokenTtlSeconds },
    // The JWT customizer rather than extraTokenClaims: same claim, but extraTokenClaims
    // also reshapes the token model and cost ~9% of warm throughput (docs/PERFORMANCE.md).
    formats: {
      customizers: {
        jwt: (ctx, token, jwt) => {
          const claims = judgedKeyClaims(ctx);
          if (claims) Object.assign(jwt.payload, claims);
          else jwt.payload.project_id = (token.client as unknown as { project_id?: string } | undefined)?.project_id;
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
  const provider = new Provider(config.issuer, configuration);
  if (jtis) sharedReplayDetection(provider, jtis);
  urlsFromIssuer(provider, config.issuer);
  // Emitted after the error body is set and before it is sent: the body can still be reworded.
  provider.on('grant.error', (ctx, err) => plainDpopRefusal(ctx.body as { error: string }, err));
  // ctx.ip is the address express and the HMAC path see (http/client-address.ts), not
  // koa's left-most X-Forwarded-For entry.
  const clientAddress = clientAddressResolver(config.trustProxy);
  provider.use((ctx, next) => {
    ctx.request.ip = clientAddress(ctx.req) ?? '';
    return next();
  });
  provider.use(tokenErrorConformance(config.issuer));
  // Synchronous when the key is cached (a digest compared, no promise on the hot path);
  // oidc-provider awaits whatever it gets.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientId: string }, actual: string) {
    // A signed request already verified for this key (oauth/hmac-token.ts).
    if (tickets?.consume(this.clientId, actual)) return true;
    const ctx = Provider.ctx;
    try {
      const verdict = secrets.check(this.clientId, actual, { address: ctx?.ip, isGone: () => ctx?.req.socket.destroyed ?? false });
      if (!(verdict instanceof Promise)) return verdict !== undefined;
      return verdict.then(
        (key) => key !== undefined,
        (err: unknown) => {
          throw providerError(err);
        },
      );
    } catch (err) {
      throw providerError(err);
    }
  } as (actual: string) => Promise<boolean>;
  reuseWarmClients(provider, clients);
  return provider;
}
