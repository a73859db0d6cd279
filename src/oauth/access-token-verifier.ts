// Verifies Keymint's own access tokens for the management API, against the in-memory
// key ring (no HTTP): signature, typ at+jwt, iss and exp. An unknown kid makes the ring
// re-read the table once, for keys another instance rotated in moments ago.
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { SigningKeyRing } from './signing-keys.js';

const ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'RS256'];

export interface VerifiedAccessToken {
  clientId: string;
  projectId: string;
  payload: JWTPayload;
}

export function accessTokenVerifier(ring: SigningKeyRing, issuer: string) {
  const attempt = (token: string) =>
    jwtVerify(token, (header, input) => ring.localKeySet(header, input), {
      issuer,
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
