// A public key pasted into the console (issue 14): one JWK or a JWK Set, as JSON, turned into
// the body the console API takes; what is not JSON is refused here, the rest by the server.
import { ApiFailure } from '../api';

const NOT_JSON = 'This is not JSON: paste one public JWK ({"kty": …}) or a JWK Set ({"keys": [ … ]}).';

export const JWK_HINT = 'Paste its JWK ({"kty": …}) or a JWK Set ({"keys": [ … ]}): RSA (RS256, PS256), EC P-256 (ES256) or Ed25519 (EdDSA). Never the private key.';

/** What was pasted, as the API takes it: {jwks} for a set, else {jwk}. */
export function bodyOf(text: string): { jwk: unknown } | { jwks: unknown } {
  if (!text.trim()) throw new ApiFailure(400, 'Paste a public key (JWK) or a JWK Set first.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiFailure(400, NOT_JSON);
  }
  return parsed && typeof parsed === 'object' && 'keys' in parsed ? { jwks: parsed } : { jwk: parsed };
}
