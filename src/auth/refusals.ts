// What the management APIs answer a caller they cannot authenticate: a 401 whose
// WWW-Authenticate names every scheme (RFC 7235), and for a refused HMAC signature a
// message that says which check failed, where saying so tells nothing about keys.
import { ApiError } from '../kernel/api-error.js';
import { MAX_SKEW_SECONDS } from './hmac-auth.js';
import type { HmacFailureReason } from './hmac-signature.js';

const REALM = 'keymint';
const CHALLENGE = `Bearer realm="${REALM}", Basic realm="${REALM}", charset="UTF-8", hmac realm="${REALM}"`;

export const denied = (message: string, error?: 'invalid_token' | 'invalid_request') =>
  ApiError.unauthenticated(
    message,
    error ? `Bearer realm="${REALM}", error="${error}", Basic realm="${REALM}", charset="UTF-8", hmac realm="${REALM}"` : CHALLENGE,
  );

const NO_MATCH = 'The HMAC signature does not verify, or its API key is unknown.';

// Only the signature itself and the key stay vague; every other check is made the same
// way for any key, so saying which one failed tells nothing about keys or secrets.
const MESSAGES: Record<HmacFailureReason, string> = {
  malformed:
    'The hmac Authorization header is malformed: expected hmac username="<API key>", algorithm="hmac-sha1" or "hmac-sha256", headers="date … request-line", signature="<base64>".',
  unsupported_algorithm: 'The hmac algorithm is not supported: use hmac-sha1 or hmac-sha256.',
  missing_date: 'An HMAC-signed request must send and sign a Date header in IMF-fixdate form (e.g. Tue, 05 Mar 2024 09:07:03 GMT).',
  stale_date: `The Date header is outside the ${MAX_SKEW_SECONDS / 60}-minute window around the server's clock: check the client's clock, and sign each request when it is sent.`,
  missing_signed_header: 'The signed headers must include request-line, and every signed header must be sent.',
  missing_body_digest: 'A request with a body must send and sign its MD5 (hex) in an x-Content-MD5 or Content-MD5 header.',
  body_digest_mismatch: 'The request body does not match its signed MD5.',
  bad_signature: NO_MATCH,
  replayed: 'This signed request was already accepted: a signature is good for one request. Sign each request when it is sent (a Date at least a second later gives a new signature).',
};

/**
 * An HMAC-signed request refused; also the answer when the body does not match its signed
 * digest. The challenge names the scheme the client used, not Basic or Bearer.
 */
export const hmacRefused = (reason: HmacFailureReason) => ApiError.unauthenticated(MESSAGES[reason], `hmac realm="${REALM}"`);
