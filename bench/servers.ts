// The two servers under test, each in a child process of its own: Keymint as an operator
// runs it (`node dist/src/main.js`, production settings), and the bare oidc-provider
// baseline (baseline-provider.ts). Both in production mode, on loopback.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { generateMasterKey } from '../src/crypto/master-key.js';
import { generateSecret } from '../src/kernel/secrets.js';
import { parseMetrics, type Sample } from './metrics.js';
import { freePort, residentMemoryBytes, spawnNode, waitUntilReady, type Child } from './processes.js';

const KEYMINT_MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const BASELINE_MAIN = fileURLToPath(new URL('./baseline-provider.js', import.meta.url));

export const SETTINGS = { bcryptCost: 10, signingAlg: 'ES256' } as const;

export interface Keymint {
  readonly url: string;
  readonly issuer: string;
  readonly masterKey: string;
  readonly child: Child;
  metrics(): Promise<Sample[]>;
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

/** Keymint on loopback as an operator runs it; `extra` settings win over the defaults. */
export async function spawnKeymint(databaseUrl: string, masterKey: string, extra: Record<string, string> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const settings = { NODE_ENV: 'production', BCRYPT_COST: String(SETTINGS.bcryptCost), SIGNING_ALG: SETTINGS.signingAlg, LOG_LEVEL: 'warn', ...extra };
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
  return { url, child, settings };
}

export async function startKeymint(databaseUrl: string): Promise<Keymint> {
  const masterKey = generateMasterKey();
  const { url, child } = await spawnKeymint(databaseUrl, masterKey);
  return {
    url,
    issuer: url,
    masterKey,
    child,
    async metrics() {
      const res = await fetch(`${url}/metrics`);
      if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
      return parseMetrics(await res.text());
    },
    rssBytes: () => residentMemoryBytes(child.pid),
    stop: () => child.stop(),
  };
}

export interface Baseline {
  readonly url: string;
  readonly child: Child;
  readonly clientId: string;
  readonly secret: string;
  stop(): Promise<void>;
}

export async function startBaseline(): Promise<Baseline> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const clientId = randomUUID();
  const secret = generateSecret();
  const child = spawnNode('baseline oidc-provider', BASELINE_MAIN, {
    NODE_ENV: 'production',
    PORT: String(port),
    CLIENT_ID: clientId,
    CLIENT_SECRET: secret,
  });
  try {
    await waitUntilReady(child, `${url}/.well-known/openid-configuration`);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, child, clientId, secret, stop: () => child.stop() };
}
