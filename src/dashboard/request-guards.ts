// What keeps another web site from acting with a signed-in user's cookie: a request that
// says it comes from another origin is refused, and a state-changing request made with the
// cookie must echo the session's CSRF token, which only the dashboard's own pages can read.
import type { Request, RequestHandler } from 'express';
import type { Config } from '../config.js';
import { ApiError } from '../kernel/api-error.js';
import type { SessionContext } from '../auth/sessions.js';
import { sameToken } from '../auth/session-token.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Refuses a request whose Origin is neither the issuer's nor the request's own (its Host, as served). */
export function sameOrigin(config: Config): RequestHandler {
  const issuerOrigin = originOf(config.issuer);
  return (req, _res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    const host = req.headers.host;
    const own = host ? originOf(`${req.protocol}://${host}`) : undefined;
    const presented = originOf(origin);
    if (presented === undefined || (presented !== issuerOrigin && presented !== own)) {
      throw ApiError.permissionDenied('Requests from another origin are not accepted by the console API.');
    }
    next();
  };
}

/** For POST, PATCH, PUT and DELETE with a session cookie: X-CSRF-Token must be the session's token. */
export function requireCsrfToken(req: Request, session: SessionContext): void {
  if (SAFE_METHODS.has(req.method)) return;
  const presented = req.headers['x-csrf-token'];
  if (typeof presented !== 'string' || !sameToken(presented, session.csrfToken)) {
    throw ApiError.permissionDenied('missing or wrong CSRF token: send the csrfToken from GET /api/session in X-CSRF-Token');
  }
}
