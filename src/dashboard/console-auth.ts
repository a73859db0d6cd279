// Who is calling the console API: an access key in Authorization (checked by the v1
// authenticator, which sets a key actor), or else a signed-in user by session cookie (a
// user actor, with the CSRF rule for state-changing calls). Neither is a 401 that says
// how to sign in. A session whose password an Administrator reset reaches none of these
// routes until the password is changed (session-routes.ts serves that change).
import type { Request, RequestHandler, Response } from 'express';
import { authenticate, type Authenticator } from '../auth/authenticate.js';
import { ApiError } from '../kernel/api-error.js';
import { requireCsrfToken } from './request-guards.js';
import { readSessionToken } from './session-cookie.js';
import type { SessionContext } from '../auth/sessions.js';
import { SESSION_CHALLENGE } from './sign-in.js';

export const notSignedIn = () =>
  ApiError.unauthenticated(
    'You are not signed in, or your session has ended: sign in with POST /api/session, or send an access key in Authorization.',
    SESSION_CHALLENGE,
  );

/** The request's live session (CSRF-checked for state-changing methods), or undefined without one. */
export async function cookieSession(req: Request, res: Response, callers: Pick<Authenticator, 'session'>): Promise<SessionContext | undefined> {
  const token = readSessionToken(req);
  const session = token === undefined ? undefined : await callers.session(token);
  if (!session) return undefined;
  requireCsrfToken(req, session);
  res.locals.session = session;
  res.locals.actor = session.actor;
  return session;
}

export const passwordChangeFirst = () =>
  ApiError.permissionDenied(
    'Your password was reset by an Administrator: choose a new one first (POST /api/session/password with ' +
      '{"currentPassword", "newPassword"}). Until then this session may only do that, read GET /api/session, or sign out.',
  );

export function consoleAuth(deps: { authenticator: Authenticator }): RequestHandler {
  const byKey = authenticate(deps.authenticator);
  return async (req, res, next) => {
    if (req.headers.authorization !== undefined) return byKey(req, res, next);
    const session = await cookieSession(req, res, deps.authenticator);
    if (!session) throw notSignedIn();
    if (session.mustChangePassword) throw passwordChangeFirst();
    next();
  };
}
