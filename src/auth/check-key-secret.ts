// The one check of a Key ID (or legacy username) and secret outside the token endpoint (Basic on the API,
// the introspection caller): through the key cache and the SecretVerifier, refused with
// 429 while the address or key is over its failure budget unless the secret is warm, and
// every failure counted. Unknown, expired and wrong all come back as undefined.
import type { FailureLimiter } from './failure-limiter.js';
import { RateLimited } from '../kernel/rate-limited.js';
import type { SecretVerifier } from './client-secret.js';
import { findPresented, secretHashOf, type AccessKeyCache, type AuthKey } from './key-cache.js';


export interface KeySecretDeps {
  keys: AccessKeyCache;
  verifier: SecretVerifier;
  limiter: FailureLimiter;
}

export async function checkKeySecret(
  { keys, verifier, limiter }: KeySecretDeps,
  keyId: string,
  secret: string,
  address: string | undefined,
): Promise<AuthKey | undefined> {
  // An hmac key has no secret to present (it signs instead): checked like an unknown key.
  const key = await findPresented(keys, keyId);
  const hash = secretHashOf(key);
  const wait = limiter.blockedFor(address, keyId);
  if (wait && !(key && hash && verifier.isWarm(key.id, secret, hash))) throw new RateLimited(wait);
  const ok = await verifier.verify(key?.id ?? keyId, secret, hash);
  if (ok && key) return key;
  await limiter.recordFailure(address, keyId);
  return undefined;
}
