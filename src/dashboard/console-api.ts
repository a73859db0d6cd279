// consoleApi(deps): the router mounted at /api, for the dashboard and for scripts. In order:
// the same-origin rule, the shared JSON body reader, the session calls (open to anyone),
// then the console's authentication, then the feature routers other modules pass in.
import { Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { FailureLimiter } from '../auth/failure-limiter.js';
import type { Authenticator } from '../auth/authenticate.js';
import { jsonBody } from '../http/json-body.js';
import { checkSignedBody } from '../auth/hmac-request.js';
import { consoleAuth } from './console-auth.js';
import { buildConsoleOpenApi } from './openapi.js';
import { sameOrigin } from './request-guards.js';
import { sessionRouter } from './session-routes.js';
import { Sessions } from './sessions.js';
import { SignIn } from './sign-in.js';
import { PasswordChanges } from './password-change.js';
import type { Metrics } from '../metrics/registry.js';

export interface ConsoleApiDeps {
  config: Config;
  log: Logger;
  db: Db;
  authenticator: Authenticator;
  /** The sign-in limiter (SIGNIN_FAILURES_*), apart from the token endpoint's. */
  signInLimiter: FailureLimiter;
  /** A bcrypt hash at the users' cost that no password matches (auth/bcrypt-lane.ts unusableHash). */
  dummyHash: string;
  /** Routers that need an authenticated caller: res.locals.actor is set when they run. */
  routers: Router[];
  metrics?: Metrics;
}

export function consoleApi(deps: ConsoleApiDeps): Router {
  const { config, log, db } = deps;
  const sessions = new Sessions({ db, log, ttlHours: config.sessionTtlHours });
  const signIn = new SignIn({
    db,
    log,
    sessions,
    limiter: deps.signInLimiter,
    perEmail: config.signInFailuresPerEmail,
    dummyHash: deps.dummyHash,
    metrics: deps.metrics,
  });

  const passwords = new PasswordChanges({ db, bcryptCost: config.bcryptCost, passwords: signIn.passwords });

  const api = Router();
  api.use(sameOrigin(config));
  api.use(jsonBody(checkSignedBody));
  const openapi = JSON.stringify(buildConsoleOpenApi(config.issuer));
  api.get('/openapi.json', (_req, res) => void res.type('json').send(openapi));
  api.use(sessionRouter({ config, sessions, callers: deps.authenticator, signIn, passwords }));
  api.use(consoleAuth({ authenticator: deps.authenticator }));
  for (const router of deps.routers) api.use(router);
  return api;
}
