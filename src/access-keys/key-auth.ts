// Authenticates management requests as an access key: a Bearer token whose key still
// exists and has not expired, or the Key ID and Key Secret themselves (same answer for
// unknown, expired and wrong). Both read the key through the cache, so warm requests make
// no database round trip; each success is noted for the key's lastUseTime (batched).
import type { Authenticator } from '../http/authenticate.js';
import type { SecretVerifier } from '../oauth/client-secret.js';
import type { VerifiedAccessToken } from '../oauth/access-token-verifier.js';
import type { AccessKeyCache } from './key-cache.js';
import type { LastUseRecorder } from './last-use.js';
import type { Actor } from './service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface KeyAuthDeps {
  keys: AccessKeyCache;
  verifier: SecretVerifier;
  verifyAccessToken(token: string): Promise<VerifiedAccessToken | undefined>;
  lastUse?: Pick<LastUseRecorder, 'record'>;
}

export function keyAuthenticator({ keys, verifier, verifyAccessToken, lastUse }: KeyAuthDeps): Authenticator {
  const actor = (accessKeyId: string, projectId: string): Actor => {
    lastUse?.record(accessKeyId);
    return { kind: 'access_key', accessKeyId, projectId };
  };

  return {
    async bearer(token) {
      const verified = await verifyAccessToken(token);
      if (!verified || !UUID.test(verified.clientId)) return undefined;
      // A deleted or expired key's tokens stop working at once, not when they expire.
      const key = await keys.getActive(verified.clientId.toLowerCase());
      if (!key || key.projectId !== verified.projectId) return undefined;
      return actor(key.id, key.projectId);
    },
    async basic(keyId, secret) {
      const key = UUID.test(keyId) ? await keys.getActive(keyId.toLowerCase()) : undefined;
      // An expired key costs the same dummy bcrypt as an unknown one (see client-secret.ts).
      const ok = await verifier.verify(key?.id ?? keyId, secret, key?.secretHash);
      return ok && key ? actor(key.id, key.projectId) : undefined;
    },
  };
}
