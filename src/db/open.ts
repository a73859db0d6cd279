// Opens the database the configuration names: Postgres at DATABASE_URL, or the embedded
// PGlite in DATA_DIR. Either way: migrated, with a pool and a change feed.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createLocalChangeFeed, createPostgresChangeFeed, type ChangeFeed } from './change-feed.js';
import { migrate } from './migrate.js';
import { createPool, type Db } from './pool.js';

export interface Database {
  readonly db: Db;
  readonly feed: ChangeFeed;
  readonly url: string;
  readonly embedded: boolean;
  /** The migrations this open applied (none when the schema was up to date). */
  readonly migrations: readonly string[];
  close(): Promise<void>;
}

export async function openDatabase(config: Config, log: Logger, options: { listen?: boolean; onQuery?: () => void } = {}): Promise<Database> {
  // PGlite is loaded only for the embedded default: a Postgres deployment never pays for it.
  const embedded = config.databaseUrl ? undefined : await (await import('./embedded.js')).startEmbeddedPostgres(config.dataDir);
  const url = config.databaseUrl ?? embedded!.url;
  try {
    const migrations = await migrate(url, log);
    const db = createPool(url, { max: embedded ? 1 : config.dbPoolSize, timeouts: config.dbTimeouts, onQuery: options.onQuery });
    const feed =
      embedded || options.listen === false
        ? createLocalChangeFeed(embedded ? db : undefined)
        : await createPostgresChangeFeed({ url, pool: db, log, timeouts: config.dbTimeouts });
    return {
      db,
      feed,
      url,
      embedded: Boolean(embedded),
      migrations,
      async close() {
        await feed.close();
        await db.end();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}
