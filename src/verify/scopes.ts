// What a route of a resource API needs beyond a valid token: its scopes (issue 13). The
// middleware form goes after requireAccessToken and answers a missing scope as RFC 6750
// §3.1 says (403 insufficient_scope, the required scopes in the challenge); the function
// forms judge a VerifiedToken anywhere in a handler.
import type { RequestHandler } from 'express';
import { InsufficientScopeError } from './errors.js';
import { deny } from './middleware.js';
import type { VerifiedToken } from './verifier.js';

/** True when the token holds every one of `scopes`. */
export function hasScopes(token: Pick<VerifiedToken, 'scopes'>, ...scopes: string[]): boolean {
  return scopes.every((s) => token.scopes.includes(s));
}

/** Throws InsufficientScopeError (naming every required scope) unless the token holds them all. */
export function assertScopes(token: Pick<VerifiedToken, 'scopes'>, ...scopes: string[]): void {
  if (!hasScopes(token, ...scopes)) throw new InsufficientScopeError(scopes);
}

/**
 * Express middleware: the token requireAccessToken accepted must hold every one of `scopes`,
 * else 403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`.
 * `requireScopes('orders:read')`, or `requireScopes(['orders:read'], { realm })`.
 */
export function requireScopes(...args: string[] | [string[], { realm?: string }?]): RequestHandler {
  const [scopes, realm] = Array.isArray(args[0]) ? [args[0], (args[1] as { realm?: string } | undefined)?.realm] : [args as string[], undefined];
  if (!scopes.length || scopes.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
    throw new TypeError('requireScopes needs one or more scope names (RFC 6749 scope tokens)');
  }
  return (_req, res, next) => {
    const token = res.locals.accessToken;
    if (!token) return next(new Error('requireScopes must come after requireAccessToken, which sets res.locals.accessToken'));
    if (hasScopes(token, ...scopes)) return next();
    const err = new InsufficientScopeError(scopes);
    deny(res, 403, { realm, error: 'insufficient_scope', scope: scopes.join(' ') }, err.message, token.jkt !== undefined ? 'DPoP' : 'Bearer');
  };
}
