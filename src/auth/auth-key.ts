// A credential as authentication reads it (key-cache.ts caches it, resident-keys.ts builds it
// from memory): what checks its secret, and what a token for it needs.
import type { CredentialKind } from '../kernel/credential-kind.js';
import type { KeyPolicy } from '../kernel/grants.js';
import type { ClientKeys } from './client-keys.js';

export interface AuthKey {
  id: string;
  projectId: string;
  kind: CredentialKind;
  /** Digest or bcrypt hash of the secret (basic) or password (legacy); null for hmac and for a basic key with public keys only (issue 14). */
  secretHash: string | null;
  /** The sealed signing secret of an hmac key, else null. */
  sealedSecret: string | null;
  username: string | null;
  /** When the key expires (ms since the epoch), or null when it never does. */
  expiresAt: number | null;
  accountId: string;
  /** Explicit grants (kernel/grants.ts); null: the Sinch model. Changes arrive as the key's change. */
  policy: KeyPolicy | null;
  /** A rotated key's previous secret (same schemes as secretHash), and when it stops working (ms). */
  previousSecretHash: string | null;
  /** A rotated hmac key's previous sealed secret. */
  previousSealedSecret: string | null;
  previousSecretExpiresAt: number | null;
  /** Its public keys or jwks_uri and DPoP setting (private_key_jwt, RFC 9449). */
  clientKeys: ClientKeys;
}
