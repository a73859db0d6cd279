// Authorization server metadata (RFC 8414) at /.well-known/oauth-authorization-server.
// Written here rather than taken from oidc-provider, whose document would advertise
// endpoints Keymint does not expose (authorization, userinfo, registration...). There is no
// /.well-known/openid-configuration: Keymint is no OpenID Provider (no authorization
// endpoint, no ID tokens), and a discovery document without them would not be valid.
import type { Config } from '../config.js';
import { INTROSPECTION_PATH } from './introspection.js';
import { TOKEN_PATH } from './provider.js';
import { CLIENT_AUTH_METHODS, DPOP_ALGS } from './client-assertions.js';
import { CLIENT_ASSERTION_ALGS } from '../access-keys/public-key-input.js';
import { REVOKE_PATH } from './revocation-routes.js';

export const JWKS_PATH = '/.well-known/jwks.json';

/** `signingAlgs`: the algorithms of the keys in the published key set, the only ones tokens are signed with. */
export function discoveryDocument(config: Config, signingAlgs: readonly string[]): Record<string, unknown> {
  return {
    issuer: config.issuer,
    token_endpoint: `${config.issuer}${TOKEN_PATH}`,
    jwks_uri: `${config.issuer}${JWKS_PATH}`,
    introspection_endpoint: `${config.issuer}${INTROSPECTION_PATH}`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint: `${config.issuer}${REVOKE_PATH}`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    // private_key_jwt's assertions (a key's public keys: v1 .../publicKeys) and DPoP proofs (RFC 9449 §5.1).
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    response_types_supported: [],
    scopes_supported: [...config.tokenScopes],
    access_token_signing_alg_values_supported: [...signingAlgs],
    service_documentation: `${config.issuer}/v1/openapi.json`,
  };
}
