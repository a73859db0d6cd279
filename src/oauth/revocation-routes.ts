// The revocation feed and RFC 7009 token revocation (issue 14).
// GET /oauth2/revocations: public (Key IDs, jtis and times only), with a strong ETag;
//   If-None-Match answers 304 when unchanged, and with ?wait=N (at most 20 s) the request
//   is held until the feed changes (long-poll), so verifiers hear of a revocation at once;
//   with Accept: text/event-stream it is a stream of Server-Sent Events (revocation-stream.ts).
// POST /oauth2/revoke: the token's own client (client_secret_basic / _post) revokes it by
//   its jti. oidc-provider's revocation cannot do this: it refuses structured (JWT) tokens
//   with unsupported_token_type (lib/shared/reject_structured_tokens.js). As RFC 7009 §2.2
//   asks, a token that is invalid, expired or already revoked answers 200 too; a token of
//   another client is refused with invalid_request, as oidc-provider's default policy does.
import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { VerifiedAccessToken } from './access-token-verifier.js';
import { authenticateCaller, formParam, type CallerAuthDeps } from './introspection-auth.js';
import { OAuthError, oauthErrorHandler } from './introspection-errors.js';
import type { RevocationStore } from './revocation-store.js';
import { streamRevocations, wantsEventStream, type RevocationStreamOptions } from './revocation-stream.js';

export const REVOCATIONS_PATH = '/oauth2/revocations';
export const REVOKE_PATH = '/oauth2/revoke';
export const MAX_WAIT_SECONDS = 20;
const MAX_TOKEN_LENGTH = 8192;

export interface RevocationRoutesDeps extends CallerAuthDeps {
  store: RevocationStore;
  verifyAccessToken(token: string): Promise<VerifiedAccessToken | undefined>;
  log: Logger;
  /** The event stream's heartbeat and lifetime (defaults: 15 s, 10 min). */
  events?: RevocationStreamOptions;
}

function waitSeconds(raw: unknown): number {
  if (raw === undefined) return 0;
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw)) {
    throw OAuthError.invalidRequest(`wait must be a whole number of seconds, 0 to ${MAX_WAIT_SECONDS}`);
  }
  return Math.min(Number(raw), MAX_WAIT_SECONDS);
}

const matches = (header: string | undefined, etag: string) =>
  header !== undefined && header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');

export function revocationRouter(deps: RevocationRoutesDeps): Router {
  const router = Router();
  const { store } = deps;

  function send(res: Response, notModified: boolean): void {
    // Caches may keep it but must ask again each time (the ETag makes that cheap).
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', store.etag);
    if (notModified) res.status(304).end();
    else res.type('json').send(store.body);
  }

  router.get(REVOCATIONS_PATH, async (req: Request, res: Response) => {
    if (wantsEventStream(req)) return streamRevocations(req, res, store, deps.events);
    const wait = waitSeconds(req.query.wait);
    const since = req.headers['if-none-match'];
    if (!matches(since, store.etag)) return send(res, false);
    if (wait > 0) {
      const seen = store.etag;
      await store.waitForChange(seen, wait * 1000);
      if (res.destroyed) return;
      return send(res, store.etag === seen);
    }
    send(res, true);
  });

  router.use(REVOKE_PATH, (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    next();
  });
  router.post(REVOKE_PATH, express.urlencoded({ limit: '64kb', extended: false, parameterLimit: 100 }), async (req, res) => {
    if (!req.is('application/x-www-form-urlencoded')) {
      throw OAuthError.invalidRequest('the request body must be application/x-www-form-urlencoded (RFC 7009 §2.1)');
    }
    const caller = await authenticateCaller(req, deps);
    formParam(req.body, 'token_type_hint'); // access tokens only: the hint changes nothing (§2.1)
    const token = formParam(req.body, 'token');
    if (token === undefined) throw OAuthError.invalidRequest("missing required parameter 'token'");
    const verified = token.length <= MAX_TOKEN_LENGTH ? await deps.verifyAccessToken(token) : undefined;
    const { jti, exp } = verified?.payload ?? {};
    if (verified && typeof jti === 'string' && typeof exp === 'number') {
      if (verified.clientId.toLowerCase() !== caller.id) throw OAuthError.invalidRequest('client is not authorized to revoke the presented token');
      await store.revokeToken(jti, exp);
    }
    res.status(200).end();
  });
  router.all([REVOKE_PATH], (_req, res) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({ error: 'invalid_request', error_description: 'the revocation endpoint accepts POST only' });
  });
  router.use([REVOKE_PATH, REVOCATIONS_PATH], oauthErrorHandler(deps.log));
  return router;
}
