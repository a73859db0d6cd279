// JWS Compact Serialization (RFC 7515 §7.1) of a JWT access token, signed with node:crypto.
// jose signs through WebCrypto, asynchronously: 2.7x the cost of a synchronous
// crypto.sign here, on the path that signs every token (secret-grant.ts). The output is an
// ordinary JWS that jose, and every other library, verifies (test/secret-grant.test.ts).
// Algorithms: those of SIGNING_ALG (config.ts): ES256, EdDSA (Ed25519), PS256, RS256.
import { constants, createPrivateKey, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningAlg } from '../config.js';

export type CompactSigner = (payload: object) => string;

function signOptions(alg: SigningAlg, key: KeyObject): { digest: string | null; input: SignKeyObjectInput } {
  switch (alg) {
    case 'ES256':
      // JWS wants r || s (RFC 7518 §3.4), not DER.
      return { digest: 'sha256', input: { key, dsaEncoding: 'ieee-p1363' } };
    case 'PS256':
      return { digest: 'sha256', input: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } };
    case 'RS256':
      return { digest: 'sha256', input: { key, padding: constants.RSA_PKCS1_PADDING } };
    case 'EdDSA':
      return { digest: null, input: { key } };
  }
}

/** Signs payloads with `jwk` (a private JWK of the ring), under the header { alg, typ, kid }. */
export function compactSigner(alg: SigningAlg, jwk: JWK, typ = 'at+jwt'): CompactSigner {
  if (!jwk.kid) throw new Error('a signing key needs a kid');
  const key = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const { digest, input } = signOptions(alg, key);
  const header = Buffer.from(JSON.stringify({ alg, typ, kid: jwk.kid })).toString('base64url');
  return (payload) => {
    const signingInput = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${signingInput}.${sign(digest, Buffer.from(signingInput), input).toString('base64url')}`;
  };
}
