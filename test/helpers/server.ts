// Starts a real Keymint (real HTTP server, real Postgres database of its own) for a test
// file, with helpers to bootstrap accounts and fetch tokens. Each server logs at debug
// to a file of its own, and the secrets and tokens it issues are recorded, so that the
// global setup can prove none of them was logged (see helpers/log-capture.ts).
import { createServer } from 'node:net';
import pg from 'pg';
import { expect } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js';
import { AccessKeysService } from '../../src/access-keys/service.js';
import { PageTokenCodec } from '../../src/kernel/page-token.js';
import { bootstrapAccount } from '../../src/access-keys/bootstrap.js';
import { createLocalChangeFeed } from '../../src/db/change-feed.js';
import { generateMasterKey } from '../../src/crypto/master-key.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { newLogFile, observeIssued, recordSecret, recordToken } from './log-capture.js';

export { recordSecret, recordToken };

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
  /** The file this server logs to (JSON lines, at LOG_LEVEL: debug unless the test says otherwise). */
  readonly logFile: string;
  bootstrap(names?: { account?: string; project?: string; key?: string }): Promise<Bootstrapped>;
  token(keyId: string, secret: string, extra?: Record<string, string>): Promise<string>;
  basic(keyId: string, secret: string): string;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestServer(
  env: Record<string, string> = {},
  shared?: { database: TestDatabase; masterKey: string },
  options?: ServerOptions,
): Promise<TestServer> {
  const database = shared?.database ?? (await createTestDatabase());
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: `http://127.0.0.1:${port}`,
    DATABASE_URL: database.url,
    KEYMINT_MASTER_KEY: shared?.masterKey ?? generateMasterKey(),
    BCRYPT_COST: '4',
    // Tests make many failed logins from 127.0.0.1 on purpose; test/rate-limit.test.ts sets its own budget.
    AUTH_FAILURES_PER_ADDRESS: '100000',
    AUTH_FAILURES_PER_KEY: '100000',
    SIGNIN_FAILURES_PER_ADDRESS: '100000',
    SIGNIN_FAILURES_PER_EMAIL: '100000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'debug',
    ...env,
  });
  const logFile = newLogFile(expect.getState().testPath);
  const running = await startServer(config, createLogger(config.logLevel, { file: logFile }), options);
  observeIssued(running.server);
  const sql = new pg.Pool({ connectionString: database.url, max: 2 });
  sql.on('error', () => {}); // a dropped test database kills idle clients: not a test failure
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
    logFile,
    basic,
    async bootstrap(names = {}) {
      const n = ++counter;
      const created = await bootstrapAccount(sql, accessKeys, {
        account: names.account ?? `Account ${n}`,
        project: names.project ?? `Project ${n}`,
        key: names.key ?? `Key ${n}`,
      });
      recordSecret(created.secret, created.accessKey.accessKeyId);
      return created;
    },
    async token(keyId, secret, extra = {}) {
      const res = await fetch(`${running.url}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: basic(keyId, secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...extra }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (res.status !== 200 || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
      recordToken(body.access_token);
      return body.access_token;
    },
    async close() {
      await running.close();
      await sql.end();
      if (!shared) await database.drop();
    },
  };
}
