// What a key brings to the token endpoint besides its secret: its public keys or jwks_uri
// (client assertions, private_key_jwt) and whether it requires DPoP. Read in the same
// statement as the key (queries.ts) and cached with it (key-cache.ts), so a change of them
// reaches every instance as a change of the key (the tables' triggers, migrations/0090).
import type { AccessKeyAuthRow } from './queries.js';

export interface ClientKeys {
  /** Public JWKs (public members only, each with alg and kid); empty when the key has none. */
  readonly jwks: ReadonlyArray<Readonly<Record<string, string>>>;
  /** Where the client publishes its public keys instead (https), or null. */
  readonly jwksUri: string | null;
  readonly dpopRequired: boolean;
}

export const NO_CLIENT_KEYS: ClientKeys = Object.freeze({ jwks: Object.freeze([]), jwksUri: null, dpopRequired: false });

/** The row's client keys; the shared NO_CLIENT_KEYS for the many keys that have none. */
export function clientKeysOf(row: Pick<AccessKeyAuthRow, 'jwks' | 'jwks_uri' | 'dpop_required'>): ClientKeys {
  const jwks = row.jwks ?? [];
  if (!jwks.length && !row.dpop_required && !row.jwks_uri) return NO_CLIENT_KEYS;
  return Object.freeze({ jwks: Object.freeze(jwks.map((k) => Object.freeze(k))), jwksUri: row.jwks_uri, dpopRequired: row.dpop_required === true });
}

/** Whether the key can authenticate with a client assertion. */
export const hasPublicKeys = (keys: ClientKeys): boolean => keys.jwks.length > 0 || keys.jwksUri !== null;
