// Which token endpoint authentication methods a REST Basic key can use (issue 14), as the v1
// API and the console show them: the values of RFC 8414's token_endpoint_auth_methods_supported.
// A key with a secret sends it (client_secret_basic, client_secret_post); a key with public
// keys or a jwks_uri signs client assertions (private_key_jwt). A key may have both while it
// moves from one to the other, and always at least one (access-keys/key-credentials.ts).

export type AuthenticationMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

export const SECRET_METHODS: readonly AuthenticationMethod[] = ['client_secret_basic', 'client_secret_post'];

export interface KeyAuthState {
  hasSecret: boolean;
  /** Public keys held here, or a jwks_uri. */
  hasPublicKeys: boolean;
}

export function authenticationMethods(state: KeyAuthState): AuthenticationMethod[] {
  return [...(state.hasSecret ? SECRET_METHODS : []), ...(state.hasPublicKeys ? ['private_key_jwt' as const] : [])];
}

/** What a row's has_secret / has_public_keys / has_jwks_uri columns say (null: no settings row). */
export const authStateOf = (row: { has_secret: boolean; has_public_keys: boolean; has_jwks_uri: boolean | null }): KeyAuthState =>
  ({ hasSecret: row.has_secret, hasPublicKeys: row.has_public_keys || row.has_jwks_uri === true });
