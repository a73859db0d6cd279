// The one way JSON request bodies are read: at most BODY_LIMIT, UTF-8 only, parsed by
// express.json. Shared by the v1 API and the console API so both refuse the same bodies
// with the same errors (error-handler.ts maps body-parser's failures to 400/413/415).
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type RequestHandler } from 'express';

export const BODY_LIMIT = '64kb';

// JSON is UTF-8 (RFC 8259 §8.1). Another declared charset is refused rather than decoded,
// and bytes that are not UTF-8 are refused rather than stored as U+FFFD without a word (as
// routes.ts refuses lone surrogates). Runs on the body after any Content-Encoding.
export function utf8Only(req: IncomingMessage, _res: unknown, body: Buffer): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '')?.[1].toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw Object.assign(new Error('unsupported charset'), { status: 415, type: 'charset.unsupported' });
  }
  if (!isUtf8(body)) throw Object.assign(new Error('the request body is not valid UTF-8'), { status: 400, type: 'encoding.invalid' });
}

type VerifyHook = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/**
 * express.json with the shared limit and checks; other content types are left unparsed for
 * the route to refuse. `check` sees the raw bytes first (the HMAC body digest,
 * auth/hmac-request.ts, passed in by the caller: this base layer knows no credential).
 */
export const jsonBody = (check?: VerifyHook): RequestHandler =>
  express.json({
    limit: BODY_LIMIT,
    strict: false,
    type: 'application/json',
    verify: (req, res, body) => {
      check?.(req, res, body);
      utf8Only(req, res, body);
    },
  });
