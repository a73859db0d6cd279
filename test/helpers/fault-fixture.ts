// One Keymint child process on a private Postgres cluster (test/helpers/pg-cluster.ts),
// reached through a TCP proxy that the test can cut or black-hole, with a bootstrapped key
// whose secret is already warm. close() stops everything by PID, even after a failure.
import { expect } from 'vitest';
import { generateMasterKey } from '../../src/crypto/master-key.js';
import type { TestDatabase } from './database.js';
import type { Boot } from './fault-load.js';
import { startPgCluster, type PgCluster } from './pg-cluster.js';
import { startPgProxy, type PgProxy } from './pg-proxy.js';
import { CLI, run, startMain } from './processes.js';
import { freePort } from './server.js';
import { postToken } from './token-requests.js';

export interface FaultFixture {
  pgc: PgCluster;
  database: TestDatabase;
  proxy: PgProxy;
  server: Awaited<ReturnType<typeof startMain>>;
  base: string;
  boot: Boot;
  /** A real key no request has used, made after the server loaded its resident keys: its check needs the database. */
  cold: Boot;
  /**
   * A real key no request has used, made before the server started, in the warm key's project:
   * resident (auth/resident-keys.ts), so its first token needs no database.
   */
  resident: Boot;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Until every worker reports its resident keys loaded (/metrics on the main port, to loopback;
 * each scrape on a fresh connection, which node:cluster hands to the next worker).
 */
async function residentKeysLoaded(base: string): Promise<void> {
  let inARow = 0;
  for (let i = 0; i < 600 && inARow < 6; i++) {
    const text = await fetch(`${base}/metrics`, { headers: { connection: 'close' } }).then((r) => r.text(), () => '');
    inARow = /^keymint_resident_keys_loaded 1$/m.test(text) ? inARow + 1 : 0;
    if (inARow < 6) await new Promise((r) => setTimeout(r, 50));
  }
  expect(inARow, 'the resident keys were loaded').toBe(6);
}

export async function faultFixture(extraEnv: Record<string, string> = {}): Promise<FaultFixture> {
  const pgc = await startPgCluster();
  const parts: Partial<FaultFixture> = { pgc };
  const close = async () => {
    if (parts.server && parts.server.child.exitCode === null) {
      const stopped = parts.server.stop();
      const timer = setTimeout(() => parts.server?.child.kill('SIGKILL'), 15_000);
      await stopped;
      clearTimeout(timer);
    }
    await parts.proxy?.close();
    await pgc.close();
  };
  try {
    const database = await pgc.createDatabase();
    const proxy = await startPgProxy(database.url);
    Object.assign(parts, { database, proxy });
    const port = await freePort();
    const env = {
      DATABASE_URL: proxy.url,
      KEYMINT_MASTER_KEY: generateMasterKey(),
      BCRYPT_COST: '4',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      AUTH_FAILURES_PER_ADDRESS: '1000000',
      AUTH_FAILURES_PER_KEY: '1000000',
      ...extraEnv,
    };
    const boot = JSON.parse((await run(CLI, ['bootstrap', '--account', 'A', '--project', 'P', '--key', 'K', '--json'], { ...env, DATABASE_URL: database.url })).stdout) as Boot;
    // In the warm key's project: its account's APIs are cached once that key is warm.
    const made = JSON.parse((await run(CLI, ['keys', 'create', '--project', boot.projectId, '--name', 'R', '--json'], { ...env, DATABASE_URL: database.url })).stdout) as Omit<Boot, 'projectId'>;
    const resident: Boot = { ...made, projectId: boot.projectId };
    const server = await startMain(env);
    parts.server = server;
    const base = `http://127.0.0.1:${port}`;
    await residentKeysLoaded(base);
    const cold = JSON.parse((await run(CLI, ['bootstrap', '--account', 'C', '--project', 'C', '--key', 'C', '--json'], { ...env, DATABASE_URL: database.url })).stdout) as Boot;
    expect((await postToken(base, { basic: [boot.accessKey.accessKeyId, boot.secret] })).status).toBe(200);
    return { pgc, database, proxy, server, base, boot, cold, resident, env, close };
  } catch (err) {
    await close();
    throw err;
  }
}
