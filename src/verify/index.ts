// keymint/verify: what a resource API imports to accept Keymint access tokens.
// createVerifier checks a token; requireAccessToken guards express routes with it.
export { createVerifier, DEFAULT_ALGORITHMS } from './verifier.js';
export type { Presentation, Verifier, VerifierOptions, VerifiedToken, VerifyOptions } from './verifier.js';
export { DPOP_ALGORITHMS } from './dpop.js';
export type { DpopPresentation } from './dpop.js';
export { requireAccessToken } from './middleware.js';
export { assertScopes, hasScopes, requireScopes } from './scopes.js';
export type { RevocationFeedOptions } from './revocation-feed.js';
export type { RequireAccessTokenOptions } from './middleware.js';
export { InvalidDpopProofError, InvalidTokenError, InsufficientScopeError, RevocationFeedStaleError, VerifierUnavailableError } from './errors.js';
