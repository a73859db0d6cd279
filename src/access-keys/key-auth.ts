// Authenticates management requests as an access key: a Bearer token whose key still
// exists, or the Key ID and Key Secret themselves (same answer for unknown and wrong).
import type { Db } from '../db/pool.js';
import type { Authenticator } from '../http/authenticate.js';
import type { SecretVerifier } from '../oauth/client-secret.js';
import type { VerifiedAccessToken } from '../oauth/access-token-verifier.js';
import { findAccessKeyForAuth } from './queries.js';
import type { Actor } from './service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface KeyAuthDeps {
  db: Db;
  verifier: SecretVerifier;
  verifyAccessToken(token: string): Promise<VerifiedAccessToken | undefined>;
}

export function keyAuthenticator({ db, verifier, verifyAccessToken }: KeyAuthDeps): Authenticator {
  const actor = (accessKeyId: string, projectId: string): Actor => ({ kind: 'access_key', accessKeyId, projectId });

  return {
    async bearer(token) {
      const verified = await verifyAccessToken(token);
      if (!verified || !UUID.test(verified.clientId)) return undefined;
      // A deleted key's tokens stop working at once, not when they expire.
      const row = await findAccessKeyForAuth(db, verified.clientId.toLowerCase());
      if (!row || row.project_id !== verified.projectId) return undefined;
      return actor(row.id, row.project_id);
    },
    async basic(keyId, secret) {
      const row = UUID.test(keyId) ? await findAccessKeyForAuth(db, keyId.toLowerCase()) : undefined;
      const ok = await verifier.verify(secret, row?.secret_hash);
      return ok && row ? actor(row.id, row.project_id) : undefined;
    },
  };
}
