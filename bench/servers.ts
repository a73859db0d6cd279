// The servers under test, each in a child process of its own: Keymint as an operator runs it
// (`node dist/src/main.js`, production settings), optionally a second Keymint built from
// another checkout (--baseline-dir: the code before a change, on a database of its own),
// and the bare oidc-provider baseline (baseline-provider.ts). All in production mode, on
// loopback. Keymint can be restarted on the same port (so its caches start empty after the
// table has grown); BENCH_PROFILE_DIR starts it under `node --cpu-prof`.
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
  readonly label: string;
  readonly url: string;
  readonly issuer: string;
  readonly masterKey: string;
  readonly pid: number;
  /** The server's Prometheus samples; empty when it exports none where we look. */
  metrics(): Promise<Sample[]>;
  rssBytes(): Promise<number>;
  /** How long its last start took to load its resident keys (undefined: it keeps none). */
  readonly residentLoadMs: number | undefined;
  /** Stops the process and starts a fresh one on the same port and database. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface KeymintOptions {
  label: string;
  /** dist/src/main.js of the checkout to run; default: this one's. */
  main?: string;
  /** Write CPU profiles of the server process here (node --cpu-prof). */
  profileDir?: string;
  /** Settings beyond the benchmark's (USAGE_COUNTING=off, say). */
  env?: Record<string, string>;
  /** The master key of the database (a second server on another's database needs it). */
  masterKey?: string;
}

/** Keymint on loopback as an operator runs it; `extra` settings win over the defaults. */
export async function spawnKeymint(
  databaseUrl: string,
  masterKey: string,
  extra: Record<string, string> = {},
  o: { port?: number; main?: string; label?: string; nodeFlags?: string[] } = {},
) {
  const port = o.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const settings = { NODE_ENV: 'production', BCRYPT_COST: String(SETTINGS.bcryptCost), SIGNING_ALG: SETTINGS.signingAlg, LOG_LEVEL: 'warn', ...extra };
  const env = { ...settings, DATABASE_URL: databaseUrl, KEYMINT_MASTER_KEY: masterKey, PORT: String(port), HOST: '127.0.0.1', ISSUER: url };
  const child = spawnNode(o.label ?? 'keymint', o.main ?? KEYMINT_MAIN, env, { nodeFlags: o.nodeFlags });
  try {
    await waitUntilReady(child, `${url}/readyz`);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, child, settings };
}

export async function startKeymint(databaseUrl: string, o: KeymintOptions): Promise<Keymint> {
  const masterKey = o.masterKey ?? generateMasterKey();
  const [port, metricsPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  // METRICS_PORT: where a server that serves metrics apart from the API listens (older ones ignore it).
  const extra = { ...o.env, METRICS_PORT: String(metricsPort) };
  const nodeFlags = o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [];
  const spawn = async () => (await spawnKeymint(databaseUrl, masterKey, extra, { port, main: o.main, label: o.label, nodeFlags })).child;
  const scrape = async (at: string) => {
    const res = await fetch(at).catch(() => undefined);
    if (!res?.ok) return undefined;
    const samples = parseMetrics(await res.text());
    return samples.length ? samples : undefined;
  };
  const metrics = async () => (await scrape(`http://127.0.0.1:${metricsPort}/metrics`)) ?? (await scrape(`${url}/metrics`)) ?? [];
  // A server that keeps its keys resident loads them after it is ready: the runs measure it
  // loaded, as it serves from then on (a server without resident keys does not wait).
  let residentLoadMs: number | undefined;
  const started = async () => {
    const from = Date.now();
    for (;;) {
      const loaded = (await metrics()).find((m) => m.name === 'keymint_resident_keys_loaded');
      if (!loaded || loaded.value === 1) break;
      if (Date.now() - from > 10 * 60_000) throw new Error('the resident keys did not load within 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    residentLoadMs = Date.now() - from;
  };
  let child: Child = await spawn();
  await started();
  return {
    label: o.label,
    url,
    issuer: url,
    masterKey,
    get pid() {
      return child.pid;
    },
    metrics,
    get residentLoadMs() {
      return residentLoadMs;
    },
    rssBytes: () => residentMemoryBytes(child.pid),
    async restart() {
      await child.stop();
      child = await spawn();
      await started();
    },
    stop: () => child.stop(),
  };
}

export interface Baseline {
  readonly url: string;
  readonly pid: number;
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
    await waitUntilReady(child, `${url}/.well-known/oauth-authorization-server`);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, pid: child.pid, clientId, secret, stop: () => child.stop() };
}
