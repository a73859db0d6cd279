// The keymint_session cookie: HttpOnly (no script reads it), SameSite=Strict (no other
// site's page sends it), Path=/, and Secure whenever the dashboard is served over HTTPS,
// either directly (or behind a trusted proxy, req.secure) or by its configured issuer.
import type { Request, Response } from 'express';
import type { Config } from '../config.js';

export const SESSION_COOKIE = 'keymint_session';

const attributes = (req: Request, config: Config) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  path: '/',
  secure: req.secure || config.issuer.startsWith('https:'),
});

export function setSessionCookie(req: Request, res: Response, config: Config, token: string, ttlSeconds: number): void {
  res.cookie(SESSION_COOKIE, token, { ...attributes(req, config), maxAge: ttlSeconds * 1000 });
}

export function clearSessionCookie(req: Request, res: Response, config: Config): void {
  res.clearCookie(SESSION_COOKIE, attributes(req, config));
}

/** The session token of the request's Cookie header, if it carries one. */
export function readSessionToken(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
