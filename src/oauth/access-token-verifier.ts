// Verifies Keymint's own access tokens against the in-memory key ring (no HTTP):
// signature, typ at+jwt, iss and exp, and for the management API its audience: a token
// minted for another API is no credential here (RFC 8707 §1: an audience-restricted token
// must be refused by every other resource). Introspection leaves the audience out: it
// reports on tokens for any API. An unknown kid makes the ring re-read the table once, for
// keys another instance rotated in moments ago.
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { SigningKeyRing } from './signing-keys.js';

const ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'RS256'];

export interface VerifiedAccessToken {
  clientId: string;
  projectId: string;
  payload: JWTPayload;
}

/** `audience`: the `aud` a token must name (the management API's); left out, any audience. */
export function accessTokenVerifier(ring: SigningKeyRing, issuer: string, audience?: string) {
  const attempt = (token: string) =>
    jwtVerify(token, (header, input) => ring.localKeySet(header, input), {
      issuer,
      audience,
      typ: 'at+jwt',
      algorithms: ALGORITHMS,
      requiredClaims: ['exp', 'iat', 'client_id'],
    });

  return async function verifyAccessToken(token: string): Promise<VerifiedAccessToken | undefined> {
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
      return { clientId, projectId, payload: result.payload };
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return undefined;
      throw err;
    }
  };
}
