// The ways verifying an access token can fail, one class each, and the single
// place where jose's errors are turned into them. Messages are for humans reading a
// 401 and never contain the token; they avoid quotes so that they sit cleanly in an
// RFC 6750 error_description.
import { errors } from 'jose';

/** The token cannot be accepted: malformed, expired, wrong issuer/audience/type, bad signature. */
export class InvalidTokenError extends Error {
  readonly error = 'invalid_token';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidTokenError';
  }
}

/** The token is valid but lacks scopes the resource requires. `scopes` lists all required ones. */
export class InsufficientScopeError extends Error {
  readonly error = 'insufficient_scope';
  constructor(readonly scopes: readonly string[]) {
    super(`The access token lacks the required scope: ${scopes.join(' ')}.`);
    this.name = 'InsufficientScopeError';
  }
}

/** The issuer's discovery document or keys could not be obtained; the token was not judged. */
export class VerifierUnavailableError extends Error {
  readonly error = 'temporarily_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerifierUnavailableError';
  }
}

/**
 * The revocation feed has not been read for longer than the verifier's maxStalenessMs (or
 * not at all): with that bound set, tokens are refused rather than judged on an old copy.
 * `staleForMs`: how old the copy is; undefined when the feed was never read.
 */
export class RevocationFeedStaleError extends VerifierUnavailableError {
  constructor(message: string, readonly staleForMs: number | undefined) {
    super(message);
    this.name = 'RevocationFeedStaleError';
  }
}

const CLAIM_MESSAGES: Record<string, string> = {
  iss: 'The access token was not issued by the expected issuer.',
  aud: 'The access token is not intended for this audience.',
  typ: 'The access token is not of type at+jwt.',
  nbf: 'The access token is not valid yet.',
  iat: 'The access token has an invalid issued-at time.',
};

/**
 * Maps a jose error raised while verifying a token to an InvalidTokenError. Other errors are
 * returned unchanged: they are bugs or outages, not verdicts on the token.
 */
export function fromJoseError(err: unknown): unknown {
  if (!(err instanceof errors.JOSEError)) return err;
  return new InvalidTokenError(joseMessage(err), { cause: err });
}

function joseMessage(err: errors.JOSEError): string {
  // `code` is jose's stable identifier; messages and class names may change between versions.
  switch (err.code) {
    case 'ERR_JWT_EXPIRED':
      return 'The access token has expired.';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const { claim, reason } = err as errors.JWTClaimValidationFailed;
      if (reason === 'missing') return `The access token is missing the ${claim} claim.`;
      return CLAIM_MESSAGES[claim] ?? `The access token has an invalid ${claim} claim.`;
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'The access token signature is invalid.';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The access token is signed with an algorithm that is not accepted.';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'The access token is signed with an unknown key.';
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'The access token does not identify its signing key.';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'The access token is malformed.';
    default:
      return 'The access token is invalid.';
  }
}

/** A DPoP-bound token without a valid proof of possession of its key (RFC 9449 §7.1), or a bound token sent as a plain Bearer token. */
export class InvalidDpopProofError extends Error {
  readonly error = 'invalid_dpop_proof';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDpopProofError';
  }
}
