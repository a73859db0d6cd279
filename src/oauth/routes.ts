// Mounts the OAuth surface: the token endpoint (oidc-provider), discovery and JWKS.
// Nothing else of oidc-provider is reachable; unknown paths fall through to the 404.
import { Router } from 'express';
import type { Config } from '../config.js';
import { discoveryDocument, JWKS_PATH } from './discovery.js';
import type { ProviderHost } from './provider-host.js';
import { TOKEN_PATH } from './provider.js';
import type { SigningKeyRing } from './signing-keys.js';
import { withoutCors } from './token-fast-path.js';

// Resource servers may cache the key set this long; rotation publishes keys ahead by more.
export const JWKS_MAX_AGE_SECONDS = 300;

export function oauthRouter(config: Config, host: ProviderHost, ring: SigningKeyRing): Router {
  const router = Router();
  const metadata = () => JSON.stringify(discoveryDocument(config, [...new Set(ring.publicJwks().keys.map((k) => k.alg!))]));

  // The usual way in is tokenFastPath (token-fast-path.ts), before express; this route
  // serves the same requests when the app is used without it.
  router.post(TOKEN_PATH, (req, res) => {
    withoutCors(res);
    res.setHeader('Pragma', 'no-cache');
    host.handle(req, res);
  });
  router.all(TOKEN_PATH, (_req, res) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({ error: 'invalid_request', error_description: 'the token endpoint accepts POST only' });
  });

  router.get('/.well-known/oauth-authorization-server', (_req, res) => {
    res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    res.type('json').send(metadata());
  });

  router.get(JWKS_PATH, (_req, res) => {
    res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}, stale-while-revalidate=60`);
    res.type('application/jwk-set+json').send(JSON.stringify(ring.publicJwks()));
  });

  return router;
}
