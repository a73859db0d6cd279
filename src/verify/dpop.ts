// DPoP (RFC 9449 §4.3, §7.1) at a resource API: a token bound to a key (`cnf.jkt`) is
// accepted only with a proof signed by that key for this very request. The proof is a
// JWT (typ dpop+jwt) carrying its public key in the header; it must name the request's
// method (htm) and URL without query or fragment (htu), be fresh (iat within the window),
// hash the token it accompanies (ath), and never be used twice (jti, remembered in this
// process until its window has passed: a bounded LRU, so a flood of proofs cannot grow
// the memory; across processes a replay within the window of another instance is not
// seen, which the short window bounds).
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { InvalidDpopProofError } from './errors.js';

export const DPOP_ALGORITHMS: readonly string[] = ['ES256', 'EdDSA', 'PS256', 'RS256'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The request a proof is presented with. `url` is the absolute URL the client called. */
export interface DpopPresentation {
  /** The DPoP header's value: one proof JWT. */
  proof: string | undefined;
  method: string;
  url: string;
}

export interface DpopCheckOptions {
  /** How far iat may lie from now, in seconds, either way. Default 60. */
  windowSeconds?: number;
  /** How many proof jtis to remember. Default 100000. */
  maxRememberedProofs?: number;
  algorithms?: string[];
  now: () => number;
}

/** The URL as htu compares it: no query, no fragment, normalized by the URL parser. */
function htuOf(url: string): string | undefined {
  const parsed = URL.parse(url);
  if (!parsed) return undefined;
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

export function dpopChecker(options: DpopCheckOptions) {
  const windowSeconds = options.windowSeconds ?? 60;
  const algorithms = options.algorithms ?? [...DPOP_ALGORITHMS];
  const seen = new LRUCache<string, true>({ max: options.maxRememberedProofs ?? 100_000, ttl: windowSeconds * 2 * 1000, ttlAutopurge: false });

  /** Throws InvalidDpopProofError unless `presented` proves possession of the key `jkt` for `token`. */
  return async function checkProof(token: string, jkt: string, presented: DpopPresentation): Promise<void> {
    const { proof } = presented;
    if (!proof) throw new InvalidDpopProofError('This access token is DPoP-bound: send it with the DPoP scheme and a DPoP proof.');
    let header;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw new InvalidDpopProofError('The DPoP proof is malformed.');
    }
    const jwk = header.jwk as JWK | undefined;
    if (!jwk || typeof jwk !== 'object' || PRIVATE_MEMBERS.some((m) => m in jwk)) throw new InvalidDpopProofError('The DPoP proof must carry a public jwk in its header.');
    let payload;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms }));
    } catch {
      throw new InvalidDpopProofError('The DPoP proof signature, type or algorithm is invalid.');
    }
    if ((await calculateJwkThumbprint(jwk, 'sha256')) !== jkt) throw new InvalidDpopProofError('The DPoP proof is not signed by the key the access token is bound to.');
    if (payload.htm !== presented.method.toUpperCase()) throw new InvalidDpopProofError('The DPoP proof is for another HTTP method (htm).');
    const expected = htuOf(presented.url);
    if (typeof payload.htu !== 'string' || !expected || htuOf(payload.htu) !== expected) throw new InvalidDpopProofError('The DPoP proof is for another URL (htu).');
    const now = options.now() / 1000;
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > windowSeconds) throw new InvalidDpopProofError('The DPoP proof is not recent enough (iat).');
    const ath = createHash('sha256').update(token).digest('base64url');
    if (payload.ath !== ath) throw new InvalidDpopProofError('The DPoP proof is for another access token (ath).');
    if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 256) throw new InvalidDpopProofError('The DPoP proof must have a jti.');
    const id = `${jkt}\n${payload.jti}`;
    if (seen.has(id)) throw new InvalidDpopProofError('The DPoP proof was used before (jti).');
    seen.set(id, true);
  };
}
