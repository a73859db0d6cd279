// Mounts the OAuth surface: the token endpoint (oidc-provider), discovery and JWKS.
// Nothing else of oidc-provider is reachable; unknown paths fall through to the 404.
import type { ServerResponse } from 'node:http';
import { Router } from 'express';
import type { Config } from '../config.js';
import { discoveryDocument, JWKS_PATH } from './discovery.js';
import type { ProviderHost } from './provider-host.js';
import { TOKEN_PATH } from './provider.js';
import type { SigningKeyRing } from './signing-keys.js';

// Resource servers may cache the key set this long; rotation publishes keys ahead by more.
export const JWKS_MAX_AGE_SECONDS = 300;

// oidc-provider answers every token request with Access-Control-Allow-Origin (its own
// CORS layer, not configurable per route). Keymint keeps CORS closed: services call the
// token endpoint from servers, never from a browser page.
function withoutCors(res: ServerResponse): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) =>
    name.toLowerCase().startsWith('access-control-') ? res : setHeader(name, value);
}

export function oauthRouter(config: Config, host: ProviderHost, ring: SigningKeyRing): Router {
  const router = Router();
  const metadata = JSON.stringify(discoveryDocument(config));

  router.post(TOKEN_PATH, (req, res) => {
    withoutCors(res);
    host.handle(req, res);
  });
  router.all(TOKEN_PATH, (_req, res) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({ error: 'invalid_request', error_description: 'the token endpoint accepts POST only' });
  });

  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    router.get(path, (_req, res) => {
      res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
      res.type('json').send(metadata);
    });
  }

  router.get(JWKS_PATH, (_req, res) => {
    res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}, stale-while-revalidate=60`);
    res.type('application/jwk-set+json').send(JSON.stringify(ring.publicJwks()));
  });

  return router;
}
