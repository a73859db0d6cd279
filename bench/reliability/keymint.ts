// A Keymint child process as an operator runs it (`node dist/src/main.js`, NODE_ENV
// production, BCRYPT_COST 10) with extra settings of the reliability run: rate limits,
// TRUST_PROXY. Every child of one run shares the master key, since the signing keys the
// first one creates in the database are sealed with it.
import { fileURLToPath } from 'node:url';
import { freePort, residentMemoryBytes, spawnNode, waitUntilReady, type Child } from '../processes.js';
import { SETTINGS } from '../servers.js';

const KEYMINT_MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

export interface ReliabilityServer {
  readonly url: string;
  readonly child: Child;
  /** The settings it runs with, as they are written into the report (no secrets). */
  readonly settings: Record<string, string>;
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

export async function startKeymintWith(databaseUrl: string, masterKey: string, extra: Record<string, string>): Promise<ReliabilityServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const settings = {
    NODE_ENV: 'production',
    BCRYPT_COST: String(SETTINGS.bcryptCost),
    SIGNING_ALG: SETTINGS.signingAlg,
    LOG_LEVEL: 'warn',
    ...extra,
  };
  const child = spawnNode('keymint', KEYMINT_MAIN, {
    ...settings,
    DATABASE_URL: databaseUrl,
    KEYMINT_MASTER_KEY: masterKey,
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: url,
  });
  try {
    await waitUntilReady(child, `${url}/readyz`);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, child, settings, rssBytes: () => residentMemoryBytes(child.pid), stop: () => child.stop() };
}

/** One token for these Basic credentials; throws unless it is a 200. */
export async function getToken(url: string, authorization: string): Promise<string> {
  const res = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`token request answered ${res.status}: ${text.slice(0, 200)}`);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

/** Deletes a key through the management API; throws unless it is a 200. */
export async function deleteKey(url: string, projectId: string, keyId: string, authorization: string): Promise<void> {
  const res = await fetch(`${url}/v1/projects/${projectId}/accessKeys/${keyId}`, { method: 'DELETE', headers: { authorization } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`DELETE of key ${keyId} answered ${res.status}: ${text.slice(0, 200)}`);
}
