// Which token endpoint authentication methods a key can use (issue 14), as the v1 API and
// the console show them: the values of RFC 8414's token_endpoint_auth_methods_supported.
// A key with a secret sends it (client_secret_basic, client_secret_post); a key with public
// keys or a jwks_uri signs client assertions (private_key_jwt). A key may have both while
// it moves from one to the other, and at least one always (key-credentials.ts).
import { ApiError } from '../kernel/api-error.js';

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

/**
 * The v1 extension field: absent for a key that authenticates with its secret only (every
 * Sinch key, so their JSON stays the seed's), else the methods. `state` undefined: unknown
 * here (a row just inserted), nothing shown.
 */
export function authenticationMethodsView(state: KeyAuthState | undefined): { authenticationMethods?: AuthenticationMethod[] } {
  if (!state || (state.hasSecret && !state.hasPublicKeys)) return {};
  return { authenticationMethods: authenticationMethods(state) };
}

/** The refusal of a change that would leave a key without a secret with no way to authenticate (412). */
export const wouldLeaveNoWay = (what: string) =>
  ApiError.failedPrecondition(
    `${what} would leave the key with no way to authenticate: it has no secret. Add another public key (or a jwksUri) first, ` +
      'or give the key a secret again (:rotateSecret).',
  );
