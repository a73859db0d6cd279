// The management APIs' side of REST HMAC: what authenticate() hands to the check, and the
// body digest check.
// The body is bound by a signed x-Content-MD5 (or Content-MD5). On the v1 API the JSON
// parser runs after authenticate(): the signature is checked first, the expected digests
// wait in res.locals, and checkSignedBody (the parser's verify hook, http/json-body.ts)
// compares them with the bytes. On the console API the parser runs first: the hook keeps
// the bytes and authenticate() checks everything at once. A body the parser leaves unread
// (another content type) is never used by a route, so it needs no check.
// The digest is of the body as parsed, i.e. after any Content-Encoding is undone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { isHmacAuthorization, type SignedRequest } from './hmac-auth.js';
import { bodyMatchesDigests } from './hmac-signature.js';
import { hmacRefused } from './refusals.js';

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
      // Carried, not thrown as is: body-parser turns what the hook throws into an http-error,
      // whose status field would overwrite the ApiError's (error-handler.ts unwraps it).
      throw Object.assign(new Error('the body does not match its signed MD5'), { status: 401, answer: hmacRefused('body_digest_mismatch') });
    }
  } else if (isHmacAuthorization(req.headers.authorization)) {
    locals[RAW_BODY] = body;
  }
}
