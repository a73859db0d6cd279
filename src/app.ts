// buildApp(deps): the express application: helmet on every response, the OAuth surface,
// the v1 management API, health probes, one 404 and one error handler. No listen here.
import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Db } from './db/pool.js';
import { accessKeysRouter } from './access-keys/routes.js';
import { withPublicKeysV1 } from './access-keys/openapi-public-keys.js';
import { withGrantsV1 } from './access-keys/openapi-grants.js';
import { withUsageV1 } from './usage/openapi.js';
import type { AccessKeysService } from './access-keys/service.js';
import { buildOpenApi } from './access-keys/openapi.js';
import { withRotationV1 } from './access-keys/openapi-rotation.js';
import { withSecretlessV1 } from './access-keys/openapi-secretless.js';
import { authenticate, type Authenticator } from './auth/authenticate.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { jsonBody } from './http/json-body.js';
import { noStore } from './http/no-store.js';
import { METRICS_PATH, metricsRoute } from './http/metrics-endpoint.js';
import { trustFunction } from './http/client-address.js';
import { checkSignedBody } from './auth/hmac-request.js';
import { readiness } from './http/readiness.js';
import { apiHelmet } from './http/security-headers.js';
import { consoleRouter } from './dashboard/static.js';
import { oauthRouter } from './oauth/routes.js';
import type { ProviderHost } from './oauth/provider-host.js';
import type { SigningKeyRing } from './oauth/signing-keys.js';
import type { Metrics } from './metrics/registry.js';
import { httpMetrics } from './metrics/http.js';

export interface AppDeps {
  config: Config;
  log: Logger;
  db: Db;
  host: ProviderHost;
  ring: SigningKeyRing;
  accessKeys: AccessKeysService;
  authenticator: Authenticator;
  metrics: Metrics;
  /** POST /oauth2/introspect (src/oauth/introspection.ts), built by the server wiring. */
  introspection?: Router;
  /** GET /oauth2/revocations and POST /oauth2/revoke (src/oauth/revocation-routes.ts). */
  revocations?: Router;
  /** More v1 routers (Keymint extensions: src/usage/routes.ts), after the Access Keys API's. */
  v1Routers?: Router[];
  /** The console API under /api (src/dashboard/console-api.ts), built by the server wiring. */
  consoleApi?: Router;
  /** True once SIGTERM arrived: /readyz answers 503 so a load balancer stops sending. */
  isStopping?: () => boolean;
}

export { BODY_LIMIT, utf8Only } from './http/json-body.js';

export function buildApp(deps: AppDeps): Express {
  const { config, log } = deps;
  const app = express();
  // The same rules as clientAddress() (http/client-address.ts): req.ip is proxy-addr's answer.
  app.set('trust proxy', trustFunction(config.trustProxy));
  app.set('etag', false);
  app.use(apiHelmet());
  app.use(httpMetrics(deps.metrics, () => app));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness(deps.db, deps.isStopping));

  app.get(METRICS_PATH, metricsRoute(config, deps.metrics.registry));

  app.use(oauthRouter(config, deps.host, deps.ring));
  if (deps.introspection) app.use(deps.introspection);
  if (deps.revocations) app.use(deps.revocations);

  const openapi = JSON.stringify(withSecretlessV1(withRotationV1(withGrantsV1(withPublicKeysV1(withUsageV1(buildOpenApi(config.issuer)))))));
  app.get('/v1/openapi.json', (_req, res) => {
    res.type('json').send(openapi);
  });

  const v1 = express.Router();
  v1.use(authenticate(deps.authenticator));
  v1.use(jsonBody(checkSignedBody));
  v1.use(accessKeysRouter(deps.accessKeys));
  for (const router of deps.v1Routers ?? []) v1.use(router);
  app.use('/v1', noStore, v1);
  if (deps.consoleApi) app.use('/api', noStore, deps.consoleApi);

  app.use(consoleRouter());
  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
