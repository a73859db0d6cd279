// The management APIs' side of REST HMAC: what authenticate() hands to the check, what a
// refusal says, and the body digest check.
// The body is bound by a signed x-Content-MD5 (or Content-MD5). On the v1 API the JSON
// parser runs after authenticate(): the signature is checked first, the expected digests
// wait in res.locals, and checkSignedBody (the parser's verify hook, http/json-body.ts)
// compares them with the bytes. On the console API the parser runs first: the hook keeps
// the bytes and authenticate() checks everything at once. A body the parser leaves unread
// (another content type) is never used by a route, so it needs no check.
// The digest is of the body as parsed, i.e. after any Content-Encoding is undone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { isHmacAuthorization, MAX_SKEW_SECONDS, type SignedRequest } from './hmac-auth.js';
import { bodyMatchesDigests, type HmacFailureReason } from './hmac-signature.js';

/** The error type the verify hook throws; error-handler.ts maps it to a 401. */
export const SIGNED_BODY_MISMATCH = 'signature.body_mismatch';

const EXPECTED = 'hmacBodyDigests';
const RAW_BODY = 'hmacRawBody';

type Locals = Record<string, unknown>;
const localsOf = (res: ServerResponse): Locals => (res as Response).locals ?? {};

const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** The request as the check reads it; `authorization` must be an hmac header. */
export function signedRequestOf(req: Request, res: Response): SignedRequest {
  const raw = localsOf(res)[RAW_BODY];
  return {
    authorization: req.headers.authorization ?? '',
    method: req.method,
    target: req.originalUrl,
    headers: req.headers,
    body: Buffer.isBuffer(raw) ? raw : hasBody(req) ? 'deferred' : undefined,
  };
}

/** Leaves the signed digests for checkSignedBody when the body is read later. */
export function expectSignedBody(res: Response, digests: string[]): void {
  if (digests.length) res.locals[EXPECTED] = digests;
}

/** The JSON parser's verify hook: the body against its signed digests, or kept for a later check. */
export function checkSignedBody(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const locals = localsOf(res);
  const expected = locals[EXPECTED] as string[] | undefined;
  if (expected) {
    delete locals[EXPECTED];
    if (!bodyMatchesDigests(expected, body)) {
      throw Object.assign(new Error('the body does not match its signed MD5'), { status: 401, type: SIGNED_BODY_MISMATCH });
    }
  } else if (isHmacAuthorization(req.headers.authorization)) {
    locals[RAW_BODY] = body;
  }
}

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

export const hmacRefusalMessage = (reason: HmacFailureReason): string => MESSAGES[reason];
