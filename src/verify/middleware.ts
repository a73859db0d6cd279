// Express guard for resource APIs: reads the Bearer token (RFC 6750 §2.1), verifies it
// and answers failures as RFC 6750 §3 prescribes, so that OAuth clients can tell
// "send a token", "get a new token" and "ask for more scope" apart. A DPoP-bound token
// comes as `Authorization: DPoP <token>` with a `DPoP: <proof>` header (RFC 9449 §7.1);
// its failures are answered with a DPoP challenge.
import type { Request, RequestHandler, Response } from 'express';
import { InsufficientScopeError, InvalidDpopProofError, InvalidTokenError, VerifierUnavailableError } from './errors.js';
import type { Presentation, VerifiedToken, Verifier } from './verifier.js';
import { DPOP_ALGORITHMS } from './dpop.js';

declare global {
  namespace Express {
    interface Locals {
      /** Set by requireAccessToken for the handlers after it. */
      accessToken?: VerifiedToken;
    }
  }
}

export interface RequireAccessTokenOptions {
  /** Every one of these must be in the token's `scope`, else 403 insufficient_scope. */
  scopes?: string[];
  /** Named in WWW-Authenticate challenges; omitted when unset. */
  realm?: string;
  /**
   * The origin clients call this API at (`https://api.example.com`), for the URL a DPoP
   * proof must name (htu). Default: the request's protocol and Host, which behind a proxy
   * is right only with express's `trust proxy` set.
   */
  publicOrigin?: string;
}

// RFC 6750 §2.1 b64token: a JWT fits, whitespace or a second token does not.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const UNAVAILABLE_RETRY_AFTER_SECONDS = '5';

export function requireAccessToken(verifier: Verifier, opts: RequireAccessTokenOptions = {}): RequestHandler {
  const { realm, scopes } = opts;
  const requestUrl = (req: Request) => `${opts.publicOrigin?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`}${req.originalUrl}`;
  return async (req, res, next) => {
    const credentials = parseAuthorization(req.headers.authorization);
    if (credentials.kind === 'absent') {
      // §3.1: a request without Bearer credentials gets a challenge but no error code.
      res.setHeader('WWW-Authenticate', bearerChallenge({ realm }));
      res.status(401).json({ error_description: 'This resource requires a Bearer access token.' });
      return;
    }
    if (credentials.kind === 'malformed') {
      const description = 'The Authorization header must be Bearer followed by a single access token.';
      return deny(res, 400, { realm, error: 'invalid_request', error_description: description });
    }
    let presentation: Presentation = { scheme: 'Bearer' };
    if (credentials.kind === 'dpop') {
      const proof = req.headers.dpop;
      if (typeof proof !== 'string' || !B64TOKEN_JWT.test(proof)) {
        return deny(res, 401, { realm, error: 'invalid_dpop_proof', error_description: 'Send exactly one DPoP proof in the DPoP header.' }, undefined, 'DPoP');
      }
      presentation = { scheme: 'DPoP', proof, method: req.method, url: requestUrl(req) };
    }
    const scheme = presentation.scheme;
    try {
      res.locals.accessToken = await verifier.verify(credentials.token, { scopes, presentation });
    } catch (err) {
      if (err instanceof InvalidDpopProofError) {
        return deny(res, 401, { realm, error: 'invalid_dpop_proof', error_description: err.message }, undefined, 'DPoP');
      }
      if (err instanceof InvalidTokenError) {
        return deny(res, 401, { realm, error: 'invalid_token', error_description: err.message }, undefined, scheme);
      }
      if (err instanceof InsufficientScopeError) {
        return deny(res, 403, { realm, error: 'insufficient_scope', scope: err.scopes.join(' ') }, err.message, scheme);
      }
      if (err instanceof VerifierUnavailableError) {
        // Not the client's fault, so no challenge; the details (issuer URLs) stay in err for logs.
        res.setHeader('Retry-After', UNAVAILABLE_RETRY_AFTER_SECONDS);
        res.status(503).json({
          error: 'temporarily_unavailable',
          error_description: 'The access token cannot be verified right now. Please retry shortly.',
        });
        return;
      }
      return next(err);
    }
    next();
  };
}

type Credentials = { kind: 'absent' } | { kind: 'malformed' } | { kind: 'bearer' | 'dpop'; token: string };

// A compact JWS: three base64url parts.
const B64TOKEN_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function parseAuthorization(header: string | undefined): Credentials {
  const match = header === undefined ? null : /^(\S+)(?: +(.*))?$/.exec(header);
  // Another scheme (Basic, ...) is, for this resource, no credentials at all.
  const scheme = match?.[1].toLowerCase();
  if (!match || (scheme !== 'bearer' && scheme !== 'dpop')) return { kind: 'absent' };
  const token = match[2];
  return token && B64TOKEN.test(token) ? { kind: scheme as 'bearer' | 'dpop', token } : { kind: 'malformed' };
}

type ChallengeParams = { realm?: string; error?: string; error_description?: string; scope?: string };

/** Answers a refusal with its RFC 6750 (or RFC 9449) challenge; scopes.ts uses it too. */
export function deny(res: Response, status: number, params: ChallengeParams & { error: string }, description?: string, scheme: 'Bearer' | 'DPoP' = 'Bearer'): void {
  res.setHeader('WWW-Authenticate', bearerChallenge(params, scheme));
  res.status(status).json({ error: params.error, error_description: description ?? params.error_description });
}

function bearerChallenge(params: ChallengeParams, scheme: 'Bearer' | 'DPoP' = 'Bearer'): string {
  // RFC 9449 §7.1: a DPoP challenge names the proof algorithms accepted.
  const all = scheme === 'DPoP' ? { ...params, algs: DPOP_ALGORITHMS.join(' ') } : params;
  const attributes = Object.entries(all)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${quoteString(value)}`);
  return attributes.length > 0 ? `${scheme} ${attributes.join(', ')}` : scheme;
}

// RFC 9110 §5.6.4 quoted-string. Characters a header cannot carry (CR, LF, non-ASCII)
// become '?' so that a realm or message can never split or break the response.
function quoteString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&')}"`;
}
