// POST /oauth2/introspect (RFC 7662): tells a caller authenticated by an access key
// whether a Keymint access token is active, and what it says. An express route rather
// than oidc-provider's introspection, which looks tokens up in its adapter and so cannot
// see Keymint's stateless JWTs. The token is checked like the management API checks a
// Bearer token (signature against the ring, typ, iss, exp), and its key must still exist,
// be unexpired and belong to the token's project.
//
// Tokens of other projects are reported inactive: a key sees only its own project's
// tokens. RFC 7662 §2.2 and §4 leave the choice to the server and allow active:false for a
// token the caller may not see; answering for any project would let any key holder confirm
// other tenants' leaked tokens and read their key IDs and claims.
import express, { Router, type Request, type Response } from 'express';
import type { JWTPayload } from 'jose';
import type { Logger } from 'pino';
import type { AuthKey } from '../auth/key-cache.js';
import type { LastUseRecorder } from '../access-keys/last-use.js';
import type { VerifiedAccessToken } from './access-token-verifier.js';
import { authenticateCaller, formParam, type CallerAuthDeps } from './introspection-auth.js';
import { OAuthError, oauthErrorHandler } from './introspection-errors.js';
import { isUuid } from '../kernel/ids.js';

export const INTROSPECTION_PATH = '/oauth2/introspect';

// Far above any token Keymint issues; longer input is not worth a signature check.
const MAX_TOKEN_LENGTH = 8192;
const INACTIVE = Object.freeze({ active: false });

export interface IntrospectionDeps extends CallerAuthDeps {
  verifyAccessToken(token: string): Promise<VerifiedAccessToken | undefined>;
  lastUse?: Pick<LastUseRecorder, 'record'>;
  log: Logger;
}

function noStore(_req: Request, res: Response, next: () => void): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  next();
}

function requireForm(req: Request): void {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw OAuthError.invalidRequest('the request body must be application/x-www-form-urlencoded (RFC 7662 §2.1)');
  }
}

/** The key a DPoP-bound token is bound to (RFC 9449 §6.1: cnf.jkt), or undefined for a plain bearer token. */
function boundJkt(payload: JWTPayload): string | undefined {
  const cnf = payload.cnf as { jkt?: unknown } | undefined;
  return typeof cnf === 'object' && cnf !== null && typeof cnf.jkt === 'string' ? cnf.jkt : undefined;
}

/**
 * The RFC 7662 response members of an active token, from its verified claims. A DPoP-bound
 * token says so as RFC 9449 §6.2 does: token_type DPoP and its cnf.jkt, so that a resource
 * server that introspects can require a proof of that key.
 */
function activeResponse(payload: JWTPayload, key: AuthKey): Record<string, unknown> {
  const { sub, scope, exp, iat, iss, aud, jti } = payload;
  const jkt = boundJkt(payload);
  return {
    active: true,
    client_id: key.id,
    sub,
    ...(typeof scope === 'string' && scope !== '' ? { scope } : {}),
    exp,
    iat,
    iss,
    aud,
    jti,
    token_type: jkt === undefined ? 'Bearer' : 'DPoP',
    ...(jkt === undefined ? {} : { cnf: { jkt } }),
    project_id: key.projectId,
  };
}

export function introspectionRouter(deps: IntrospectionDeps): Router {
  const router = Router();

  async function introspect(token: string, caller: AuthKey): Promise<Record<string, unknown>> {
    if (token.length > MAX_TOKEN_LENGTH) return INACTIVE;
    const verified = await deps.verifyAccessToken(token);
    if (!verified || !isUuid(verified.clientId)) return INACTIVE;
    // Before the key lookup, so another project's tokens cost no database read either.
    if (verified.projectId !== caller.projectId) return INACTIVE;
    const key = await deps.secrets.keys.getActive(verified.clientId.toLowerCase());
    if (!key || key.projectId !== verified.projectId) return INACTIVE;
    return activeResponse(verified.payload, key);
  }

  router.use(INTROSPECTION_PATH, noStore);
  router.post(
    INTROSPECTION_PATH,
    express.urlencoded({ limit: '64kb', extended: false, parameterLimit: 100 }),
    async (req, res) => {
      requireForm(req);
      const caller = await authenticateCaller(req, deps);
      deps.lastUse?.record(caller.id);
      // token_type_hint is accepted and ignored: Keymint has access tokens only (§2.1).
      formParam(req.body, 'token_type_hint');
      const token = formParam(req.body, 'token');
      if (token === undefined) throw OAuthError.invalidRequest("missing required parameter 'token'");
      res.json(await introspect(token, caller));
    },
  );
  router.all(INTROSPECTION_PATH, (_req, res) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({ error: 'invalid_request', error_description: 'the introspection endpoint accepts POST only' });
  });
  router.use(INTROSPECTION_PATH, oauthErrorHandler(deps.log));
  return router;
}
