// Verifies Keymint's own access tokens against the in-memory key ring (no HTTP):
// signature, typ at+jwt, iss and exp, and for the management API its audience: a token
// minted for another API is no credential here (RFC 8707 §1: an audience-restricted token
// must be refused by every other resource). Introspection leaves the audience out: it
// reports on tokens for any API. An unknown kid makes the ring re-read the table once, for
// keys another instance rotated in moments ago.
// A token accepted once is remembered (by its SHA-256, never the token itself) until its
// exp, so a client calling the management API with one Bearer token pays one signature
// check for it, not one per request; any change of the key ring forgets them all, and what
// the token's key may do is judged on every request by the caller (key still active, grants).
import { hash } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { SigningKeyRing } from './signing-keys.js';

const ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'RS256'];

export interface VerifiedAccessToken {
  clientId: string;
  projectId: string;
  /** The token's scope claim (space-separated), or undefined. */
  scope?: string;
  payload: JWTPayload;
}

/** `audience`: the `aud` a token must name (the management API's); left out, any audience. */
export function accessTokenVerifier(ring: SigningKeyRing, issuer: string, audience?: string, maxRemembered = 10_000) {
  const accepted = new LRUCache<string, { token: VerifiedAccessToken; expiresAtMs: number }>({ max: maxRemembered });
  ring.onChange(() => accepted.clear());
  const attempt = (token: string) =>
    jwtVerify(token, (header, input) => ring.localKeySet(header, input), {
      issuer,
      audience,
      typ: 'at+jwt',
      algorithms: ALGORITHMS,
      requiredClaims: ['exp', 'iat', 'client_id'],
    });

  return async function verifyAccessToken(token: string): Promise<VerifiedAccessToken | undefined> {
    const digest = hash('sha256', token, 'base64');
    const known = accepted.get(digest);
    if (known) {
      if (Date.now() < known.expiresAtMs) return known.token;
      accepted.delete(digest);
    }
    try {
      let result;
      try {
        result = await attempt(token);
      } catch (err) {
        if (!(err instanceof joseErrors.JWKSNoMatchingKey) || !(await ring.refreshForUnknownKid())) throw err;
        result = await attempt(token);
      }
      const { client_id: clientId, project_id: projectId } = result.payload;
      if (typeof clientId !== 'string' || typeof projectId !== 'string') return undefined;
      const scope = typeof result.payload.scope === 'string' ? result.payload.scope : undefined;
      const verified = Object.freeze({ clientId, projectId, scope, payload: Object.freeze(result.payload) });
      accepted.set(digest, { token: verified, expiresAtMs: (result.payload.exp as number) * 1000 });
      return verified;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return undefined;
      throw err;
    }
  };
}

/**
 * `verify` for the management APIs, which take Bearer tokens only: a DPoP-bound token
 * (cnf.jkt, RFC 9449) is no credential there, since nothing would prove the caller holds
 * its key (§7.1: a bound token must not be accepted as a bearer token). Introspection and
 * revocation judge tokens rather than callers, and keep them.
 */
export function refusingBound<T extends { payload: JWTPayload }>(verify: (token: string) => Promise<T | undefined>) {
  return async (token: string): Promise<T | undefined> => {
    const verified = await verify(token);
    return verified && verified.payload.cnf !== undefined ? undefined : verified;
  };
}
