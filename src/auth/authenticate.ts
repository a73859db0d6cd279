// Turns the Authorization header of a management request into an actor:
// "Bearer <JWT from /oauth2/token>", "Basic base64(keyId:secret)" or an HMAC-signed
// request ("hmac username=…", hmac-request.ts). Missing or bad credentials
// are a 401 with a WWW-Authenticate challenge naming the schemes. The console's session
// cookie is checked behind the same interface (Authenticator.session).
import type { RequestHandler } from 'express';
import type { KeyActor as Actor } from '../kernel/actor.js';
import { isHmacAuthorization, type SignedRequest } from './hmac-auth.js';
import { expectSignedBody, signedRequestOf } from './hmac-request.js';
import { denied, hmacRefused } from './refusals.js';
import type { HmacFailureReason } from './hmac-signature.js';
import type { SessionContext } from './sessions.js';

/**
 * Who is calling, for every credential kind but the token endpoint's own (oidc-provider asks
 * key-secrets.ts, the same check `basic` makes): an access key by Bearer token, Key ID and
 * secret, or signature, and a signed-in user by session cookie (console sign-in itself is
 * passwords.ts).
 */
export interface Authenticator {
  bearer(token: string, address: string | undefined): Promise<Actor | undefined>;
  basic(keyId: string, secret: string, address: string | undefined, isGone?: () => boolean): Promise<Actor | undefined>;
  hmac(request: SignedRequest, address: string | undefined): Promise<HmacOutcome>;
  /** The live console session of a cookie token (with its user as they are now), or undefined. */
  session(token: string): Promise<SessionContext | undefined>;
}

export type HmacOutcome =
  | { ok: true; actor: Actor; /** Signed digests the body, read later, must match. */ bodyDigests: string[] }
  | { ok: false; reason: HmacFailureReason };

function parseBasic(credentials: string): [string, string] | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(credentials)) return undefined;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

export function authenticate(auth: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) throw denied('Authentication is required: send a Bearer token from /oauth2/token, or Basic credentials (Key ID and Key Secret), or sign the request (hmac).');
    if (isHmacAuthorization(header)) {
      const outcome = await auth.hmac(signedRequestOf(req, res), req.ip);
      if (!outcome.ok) throw hmacRefused(outcome.reason);
      expectSignedBody(res, outcome.bodyDigests);
      res.locals.actor = outcome.actor;
      return next();
    }
    const [scheme, credentials, extra] = header.trim().split(/ +/);
    if (!credentials || extra !== undefined) throw denied('The Authorization header is malformed.', 'invalid_request');
    let actor: Actor | undefined;
    switch (scheme.toLowerCase()) {
      case 'bearer':
        actor = await auth.bearer(credentials, req.ip);
        if (!actor) throw denied('The access token is invalid, expired, or its key was deleted. Get a new one from /oauth2/token.', 'invalid_token');
        break;
      case 'basic': {
        const pair = parseBasic(credentials);
        actor = pair && (await auth.basic(pair[0], pair[1], req.ip, () => req.socket.destroyed));
        if (!actor) throw denied('The Key ID or Key Secret is wrong.');
        break;
      }
      default:
        throw denied('That authorization scheme is not supported; use Bearer, Basic or hmac.');
    }
    res.locals.actor = actor;
    next();
  };
}
