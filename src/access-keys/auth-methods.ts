// What the v1 API shows of a key's authentication methods (kernel/auth-methods.ts), and the
// refusal of a change that would leave a key with none.
import { ApiError } from '../kernel/api-error.js';
import { authenticationMethods, type AuthenticationMethod, type KeyAuthState } from '../kernel/auth-methods.js';

export type { AuthenticationMethod, KeyAuthState };

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
