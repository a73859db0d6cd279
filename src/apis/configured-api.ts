// On upgrade, the deployment's one API (TOKEN_AUDIENCE, TOKEN_SCOPES) becomes a first API
// of every account that existed before APIs did, so it is listed, edited and granted like
// any other; keys created before keep the Sinch model and so their tokens. Runs at start,
// once per such account (the pending list is written by migrations/0070).
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Queryable } from '../db/pool.js';
import { clearPendingImport, importConfiguredApi } from './queries.js';

export async function importConfiguredApiOnce(db: Queryable, config: Config, log?: Pick<Logger, 'info'>): Promise<void> {
  if (config.tokenAudience === config.managementAudience) return clearPendingImport(db);
  const n = await importConfiguredApi(db, {
    identifier: config.tokenAudience,
    displayName: 'Default API (TOKEN_AUDIENCE)',
    scopes: config.tokenScopes.map((name) => ({ name, description: '' })),
    tokenTtlSeconds: null,
  });
  if (n) log?.info({ accounts: n, identifier: config.tokenAudience }, 'TOKEN_AUDIENCE imported as the first API of existing accounts');
}
