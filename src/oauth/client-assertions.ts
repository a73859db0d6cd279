// private_key_jwt (RFC 7523, OIDC Core §9) and DPoP (RFC 9449) at the token endpoint, as
// oidc-provider configuration. oidc-provider verifies the assertion (signature against the
// key's public keys, iss = client_id, aud = issuer or token endpoint, exp, jti present)
// and the DPoP proof (signature, htm, htu, iat within its window); Keymint adds:
//  - sub must be the Key ID too, and exp at most MAX_ASSERTION_LIFETIME_SECONDS ahead (so a
//    jti need be remembered only that long, and a leaked assertion is short-lived);
//  - the jti of every assertion and DPoP proof is remembered in Postgres (auth/jti-replays.ts),
//    so the same one is refused on every instance: provider.ReplayDetection.unique is
//    replaced (pinned by test/oidc-provider-seams.test.ts), since oidc-provider's version
//    reads then writes through the adapter, which two instances could pass together.
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JtiReplays } from '../auth/jti-replays.js';
import { CLIENT_ASSERTION_ALGS, MAX_JWKS_BYTES } from '../access-keys/public-key-input.js';
import { providerError } from './adapter.js';

export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** oidc-provider's clockTolerance default, kept: seconds of clock skew allowed on exp, iat and nbf. */
const CLOCK_TOLERANCE_SECONDS = 15;
/** The DPoP proof algorithms accepted (and advertised): asymmetric only, as RFC 9449 requires. */
export const DPOP_ALGS = ['ES256', 'EdDSA', 'PS256', 'RS256'];

/** What oidc-provider fetches a jwks_uri with (its `fetch` option); tests pass one that reaches a local server. */
export type JwksFetch = (url: string, init: RequestInit) => Promise<Response>;

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/** Called with each client whose assertion passed these checks (usage-gate.ts applies the key's token quota). */
export type AssertionAccepted = (client: { clientId: string; project_id?: string }) => void;

async function assertClientAssertion(claims: Record<string, unknown>, client: { clientId: string }) {
  if (claims.sub !== client.clientId) throw new errors.InvalidClientAuth('sub (JWT subject) must be the Key ID, as iss is');
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp > now + MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) {
    throw new errors.InvalidClientAuth(`exp of the client_assertion must be at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead`);
  }
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > now + CLOCK_TOLERANCE_SECONDS)) {
    throw new errors.InvalidClientAuth('iat of the client_assertion must not be in the future');
  }
}

/** The configuration entries of client assertions and DPoP. */
export function clientAssertionConfiguration(accepted?: AssertionAccepted, fetchJwks?: JwksFetch): Partial<Configuration> {
  const check = async (_ctx: KoaContextWithOIDC, claims: Record<string, unknown>, _header: unknown, client: { clientId: string; project_id?: string }) => {
    await assertClientAssertion(claims, client);
    accepted?.(client);
  };
  return {
    clientAuthMethods: [...CLIENT_AUTH_METHODS],
    enabledJWA: {
      clientAuthSigningAlgValues: [...CLIENT_ASSERTION_ALGS],
      dPoPSigningAlgValues: [...DPOP_ALGS] as Array<'ES256' | 'EdDSA' | 'PS256' | 'RS256'>,
    },
    assertJwtClientAuthClaimsAndHeader: check as unknown as Configuration['assertJwtClientAuthClaimsAndHeader'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    // A key's jwks_uri (access_key_token_settings): oidc-provider fetches it with a 2.5 s
    // timeout and refuses special-use addresses (loopback, private, link-local…) at connect
    // time; Keymint bounds the body as it bounds an uploaded set.
    ...({ fetchResponseBodyLimits: { jwks_uri: MAX_JWKS_BYTES } } as Partial<Configuration>),
    ...(fetchJwks ? ({ fetch: fetchJwks } as Partial<Configuration>) : {}),
  };
}

/**
 * The URLs oidc-provider checks an assertion's aud and a DPoP proof's htu against: the
 * issuer's (as discovery advertises the token endpoint), not the request's Host. Behind a
 * load balancer or a TLS-terminating proxy the request URL is the instance's, which no
 * client knows; and a Host header chosen by the client must not choose what aud is
 * accepted. OIDCContext.prototype.urlFor is replaced (pinned by test/oidc-provider-seams.test.ts).
 */
export function urlsFromIssuer(provider: Provider, issuer: string): void {
  const context = (provider as unknown as { OIDCContext: { prototype: { urlFor(name: string, opt?: object): string } } }).OIDCContext;
  context.prototype.urlFor = (name, opt) => `${issuer}${provider.pathFor(name, { ...opt, mountPath: '' } as Parameters<Provider['pathFor']>[1])}`;
}

/** Assertion and DPoP proof jtis, remembered across instances (see the header). */
export function sharedReplayDetection(provider: Provider, replays: Pick<JtiReplays, 'firstUse'>): void {
  const model = provider.ReplayDetection as unknown as { unique(iss: string, jti: string, exp: number): Promise<boolean> };
  model.unique = async (iss, jti, exp) => {
    try {
      return await replays.firstUse(iss, jti, exp);
    } catch (err) {
      throw providerError(err);
    }
  };
}

/**
 * oidc-provider refuses a missing or replayed DPoP proof as invalid_grant "grant request is
 * invalid", with the reason only in its logs. Said plainly instead: a key that requires
 * DPoP is told so (invalid_request), and a replayed proof is invalid_dpop_proof (RFC 9449 §5).
 */
export function plainDpopRefusal(out: { error: string; error_description?: string }, err: unknown): void {
  const detail = (err as { error_detail?: unknown }).error_detail;
  if (out.error !== 'invalid_grant' || typeof detail !== 'string') return;
  if (detail === 'DPoP proof JWT not provided') {
    out.error = 'invalid_request';
    out.error_description = 'this key requires DPoP-bound tokens: send a DPoP proof (RFC 9449) in the DPoP header';
  } else if (detail === 'DPoP proof JWT Replay detected') {
    out.error = 'invalid_dpop_proof';
    out.error_description = 'this DPoP proof (its jti) was used before: sign a new proof for each request';
  }
}
