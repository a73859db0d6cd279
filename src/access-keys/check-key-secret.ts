// The one check of a Key ID and Key Secret outside the token endpoint (Basic on the API,
// the introspection caller): through the key cache and the SecretVerifier, refused with
// 429 while the address or key is over its failure budget unless the secret is warm, and
// every failure counted. Unknown, expired and wrong all come back as undefined.
import type { FailureLimiter } from '../abuse/failure-limiter.js';
import { RateLimited } from '../abuse/rate-limited.js';
import type { SecretVerifier } from '../oauth/client-secret.js';
import type { AccessKeyCache, AuthKey } from './key-cache.js';
import { isUuid } from './ids.js';


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
  const key = isUuid(keyId) ? await keys.getActive(keyId.toLowerCase()) : undefined;
  const wait = limiter.blockedFor(address, keyId);
  if (wait && !(key && verifier.isWarm(key.id, secret, key.secretHash))) throw new RateLimited(wait);
  const ok = await verifier.verify(key?.id ?? keyId, secret, key?.secretHash);
  if (ok && key) return key;
  await limiter.recordFailure(address, keyId);
  return undefined;
}
