// Errors of the introspection endpoint, in the style of RFC 6749 §5.2 (which RFC 7662 §2.3
// refers to): {"error": code, "error_description": text}. One class, one factory per code,
// and one handler that turns them (and body-parser and database failures) into responses.
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { isTemporaryFault } from '../http/error-handler.js';
import { Overloaded, RateLimited } from '../kernel/rate-limited.js';

export const REALM = 'keymint';

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: 'invalid_request' | 'invalid_client' | 'temporarily_unavailable' | 'server_error',
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  static invalidRequest(description: string, status = 400) {
    return new OAuthError(status, 'invalid_request', description);
  }
  /** One body for every failed client authentication: unknown, expired and wrong look alike. */
  static invalidClient(description = 'client authentication failed') {
    return new OAuthError(401, 'invalid_client', description, { 'WWW-Authenticate': `Basic realm="${REALM}", charset="UTF-8"` });
  }
  static temporarilyUnavailable() {
    return new OAuthError(503, 'temporarily_unavailable', 'the key store is unreachable; retry shortly', { 'Retry-After': '5' });
  }
  static rateLimited(err: RateLimited) {
    return new OAuthError(429, 'temporarily_unavailable', err.message, { 'Retry-After': String(err.retryAfterSeconds) });
  }
  static serverError() {
    return new OAuthError(500, 'server_error', 'an internal error occurred');
  }
}

// body-parser's failures are the client's: a body too large, badly encoded or cut short.
function fromBodyParser(err: { type?: string; status?: number }): OAuthError | undefined {
  if (err.type === 'entity.too.large') return OAuthError.invalidRequest('the request body is larger than 64 KiB', 413);
  if (err.type === 'charset.unsupported' || err.type === 'encoding.unsupported') {
    return OAuthError.invalidRequest('the request body must be UTF-8 form data', 415);
  }
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) return OAuthError.invalidRequest('the request body could not be read');
  return undefined;
}

export function oauthErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    let out: OAuthError | undefined = err instanceof OAuthError ? err : fromBodyParser(err as { type?: string; status?: number });
    if (err instanceof RateLimited) out = OAuthError.rateLimited(err);
    if (err instanceof Overloaded) out = new OAuthError(503, 'temporarily_unavailable', err.message, { 'Retry-After': String(err.retryAfterSeconds) });
    if (!out && isTemporaryFault(err)) out = OAuthError.temporarilyUnavailable();
    if (!out) {
      log.error({ err }, 'introspection error');
      out = OAuthError.serverError();
    }
    for (const [name, value] of Object.entries(out.headers)) res.setHeader(name, value);
    res.status(out.status).json({ error: out.error, error_description: out.description });
  };
}
