// Starts a real Keymint (real HTTP server, real Postgres database of its own) for a test
// file, with helpers to bootstrap accounts and fetch tokens.
import { createServer } from 'node:net';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { AccessKeysService } from '../../src/access-keys/service.js';
import { PageTokenCodec } from '../../src/access-keys/page-token.js';
import { bootstrapAccount } from '../../src/accounts/service.js';
import { createLocalChangeFeed } from '../../src/db/change-feed.js';
import { generateMasterKey } from '../../src/crypto/master-key.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Bootstrapped {
  accountId: string;
  projectId: string;
  accessKey: { accessKeyId: string; displayName: string; projectId: string; createTime: string; updateTime: string };
  secret: string;
}

export interface TestServer {
  readonly url: string;
  readonly config: Config;
  readonly database: TestDatabase;
  /** A pool on the server's database, for assertions on rows. */
  readonly sql: pg.Pool;
  readonly running: RunningServer;
  bootstrap(names?: { account?: string; project?: string; key?: string }): Promise<Bootstrapped>;
  token(keyId: string, secret: string, extra?: Record<string, string>): Promise<string>;
  basic(keyId: string, secret: string): string;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestServer(env: Record<string, string> = {}, shared?: { database: TestDatabase; masterKey: string }): Promise<TestServer> {
  const database = shared?.database ?? (await createTestDatabase());
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: `http://127.0.0.1:${port}`,
    DATABASE_URL: database.url,
    KEYMINT_MASTER_KEY: shared?.masterKey ?? generateMasterKey(),
    BCRYPT_COST: '4',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const running = await startServer(config, createLogger(config.logLevel));
  const sql = new pg.Pool({ connectionString: database.url, max: 2 });
  const accessKeys = new AccessKeysService({
    db: sql,
    feed: createLocalChangeFeed(),
    pageTokens: new PageTokenCodec(Buffer.alloc(32)),
    bcryptCost: config.bcryptCost,
  });
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  return {
    url: running.url,
    config,
    database,
    sql,
    running,
    basic,
    async bootstrap(names = {}) {
      const n = ++counter;
      return bootstrapAccount(sql, accessKeys, {
        account: names.account ?? `Account ${n}`,
        project: names.project ?? `Project ${n}`,
        key: names.key ?? `Key ${n}`,
      });
    },
    async token(keyId, secret, extra = {}) {
      const res = await fetch(`${running.url}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: basic(keyId, secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...extra }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (res.status !== 200 || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async close() {
      await running.close();
      await sql.end();
      if (!shared) await database.drop();
    },
  };
}
