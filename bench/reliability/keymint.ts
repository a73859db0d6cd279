// A Keymint child process as an operator runs it (`node dist/src/main.js`, NODE_ENV
// production, BCRYPT_COST 10) with extra settings of the reliability run: rate limits,
// TRUST_PROXY. Every child of one run shares the master key, since the signing keys the
// first one creates in the database are sealed with it.
import { residentMemoryBytes, type Child } from '../processes.js';
import { spawnKeymint } from '../servers.js';

export interface ReliabilityServer {
  readonly url: string;
  readonly child: Child;
  /** The settings it runs with, as they are written into the report (no secrets). */
  readonly settings: Record<string, string>;
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

export async function startKeymintWith(databaseUrl: string, masterKey: string, extra: Record<string, string>): Promise<ReliabilityServer> {
  const { url, child, settings } = await spawnKeymint(databaseUrl, masterKey, extra);
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
