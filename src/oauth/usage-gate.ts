// Usage counting and token quotas at the token endpoint (src/usage/), hooked around what
// provider.ts and adapter.ts already do, without a database statement: a wrong secret and
// a refusal by the failure budget are counted where the client's secret is compared, an
// expired key where the client is looked up, and a key past its quota is refused right
// after its secret is accepted, or its client assertion verified (private_key_jwt),
// (429, OAuth error body, Retry-After) and counted as `quota`.
// Only known keys are counted: an unknown Key ID has no usage to show.
import Provider, { errors } from 'oidc-provider';
import type { ClientSource } from './adapter.js';
import { isExpired, type AccessKeyCache } from '../auth/key-cache.js';
import { isUuid } from '../kernel/ids.js';
import type { UsageRecorder } from '../usage/recorder.js';

type Compare = (this: ProviderClient, actual: string) => boolean | Promise<boolean>;
interface ProviderClient {
  clientId: string;
  project_id?: string;
}

function quotaExceeded(retryAfterSeconds: number): Error {
  Provider.ctx?.set('Retry-After', String(retryAfterSeconds));
  const err = new errors.InvalidRequest(`this key's token quota is used up; retry after ${retryAfterSeconds} s`);
  Object.assign(err, { status: 429, statusCode: 429, error_description: `this key's token quota is used up; retry after ${retryAfterSeconds} s` });
  return err;
}

const isRateLimited = (err: unknown) => (err as { status?: number }).status === 429;

/** Wraps the provider's secret check: counts its failures, then applies the key's quota. */
export function gateClientSecrets(provider: Provider, usage: UsageRecorder): void {
  const proto = provider.Client.prototype as unknown as { compareClientSecret: Compare };
  const compare = proto.compareClientSecret;
  function accepted(client: ProviderClient, ok: boolean): boolean {
    const projectId = client.project_id;
    if (projectId === undefined) return ok;
    if (!ok) {
      usage.count(client.clientId, projectId, 'wrong_secret');
      return false;
    }
    const wait = usage.admit(client.clientId, projectId);
    if (wait) throw quotaExceeded(wait);
    return true;
  }
  function refused(client: ProviderClient, err: unknown): never {
    if (isRateLimited(err) && client.project_id !== undefined) usage.count(client.clientId, client.project_id, 'rate_limited');
    throw err;
  }
  // A refused client assertion (private_key_jwt) is the assertion's wrong secret. Only an
  // existing key gets this far (ctx.oidc.client is set once the key is found).
  provider.on('grant.error', (ctx, err) => {
    const client = ctx.oidc?.client as ProviderClient | undefined;
    if (client?.project_id === undefined || (err as { error?: string }).error !== 'invalid_client') return;
    if (typeof (ctx.oidc.params as { client_assertion?: unknown } | undefined)?.client_assertion === 'string') usage.count(client.clientId, client.project_id, 'wrong_secret');
  });
  // Synchronous when the check is (the warm path).
  proto.compareClientSecret = function compareClientSecret(this: ProviderClient, actual: string) {
    let out: boolean | Promise<boolean>;
    try {
      out = compare.call(this, actual);
    } catch (err) {
      refused(this, err);
    }
    if (typeof out === 'boolean') return accepted(this, out);
    return out.then((ok) => accepted(this, ok), (err: unknown) => refused(this, err));
  };
}

/** The quota of a key that authenticates with a client assertion (private_key_jwt): applied once the assertion verified, as for a secret. */
export function admitClientAssertions(usage: UsageRecorder): (client: ProviderClient) => void {
  return (client) => {
    if (client.project_id === undefined) return;
    const wait = usage.admit(client.clientId, client.project_id);
    if (wait) throw quotaExceeded(wait);
  };
}

/** The client source, counting each request for an existing but expired key as `expired`. */
export function countingExpiredKeys(source: ClientSource, keys: AccessKeyCache, usage: UsageRecorder): ClientSource {
  return {
    peek: source.peek,
    async find(keyId) {
      const client = await source.find(keyId);
      if (client || !isUuid(keyId)) return client;
      // The row was just read and cached by the lookup (an unknown key is not: no query here).
      const key = keys.peek(keyId.toLowerCase());
      if (key && isExpired(key)) usage.count(key.id, key.projectId, 'expired');
      return client;
    },
  };
}
