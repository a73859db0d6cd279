// oidc-provider's storage adapter. Keymint keeps no tokens, grants or sessions (JWT
// access tokens are self-contained), so only the Client model is read: from the
// access_keys table, as client metadata whose client_secret is the bcrypt hash. An expired
// key is no client at all, so it is refused exactly as an unknown one (invalid_client).
import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { findPresented, type AccessKeyCache } from '../auth/key-cache.js';
import { isTemporaryFault } from '../http/error-handler.js';
import type { SecretVerifier } from '../auth/client-secret.js';
import type { FailureLimiter } from '../auth/failure-limiter.js';
import { RateLimited } from '../kernel/rate-limited.js';
import { presentedClient } from './presented-client.js';
import { isUuid } from '../kernel/ids.js';


export interface ClientSource {
  /** The client metadata for a key, or undefined when no such key exists. */
  find(keyId: string): Promise<AdapterPayload | undefined>;
  /** The cached key, when it is cached and active (synchronous: the warm path). */
  peek(keyId: string): { id: string; secretHash: string } | undefined;
}

/**
 * Client metadata from the access-key cache (no database round trip when warm); expired
 * keys are absent. A client presents an API key (basic, hmac) or a legacy username; the
 * token names the credential by its API key either way. An hmac key's secret is never
 * sent: its client_secret is a hash nothing matches, and a signed request reaches the
 * provider with a one-time ticket instead (see oauth/hmac-token.ts).
 */
export function cachedClientSource(keys: AccessKeyCache, scopes: readonly string[], unusableHash: string): ClientSource {
  return {
    peek(keyId) {
      const key = isUuid(keyId) ? keys.peekActive(keyId.toLowerCase()) : keys.peekActive(keyId, true);
      // The cached object itself, not a copy: this runs on every warm token request.
      return key?.secretHash ? (key as { id: string; secretHash: string }) : undefined;
    },
    async find(keyId) {
      const row = await findPresented(keys, keyId);
      if (!row) return undefined;
      return {
        // The canonical spelling, so that sub and client_id name the key as the API does.
        client_id: row.id,
        client_secret: row.secretHash ?? unusableHash,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: scopes.join(' ') || undefined,
        project_id: row.projectId,
      } as AdapterPayload;
    },
  };
}

export function rateLimited(err: RateLimited): Error {
  Provider.ctx?.set('Retry-After', String(err.retryAfterSeconds));
  const out = new errors.TemporarilyUnavailable(err.message);
  Object.assign(out, { status: 429, statusCode: 429 });
  return out;
}

function unavailable(): Error {
  const err = new errors.TemporarilyUnavailable('the key store is unreachable; retry shortly');
  Object.assign(err, { status: 503, statusCode: 503 });
  return err;
}

export function adapterFor(clients: ClientSource, verifier: SecretVerifier, limiter?: FailureLimiter) {
  return class KeymintAdapter implements Adapter {
    constructor(readonly model: string) {}

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model !== 'Client') return undefined;
      let client: AdapterPayload | undefined;
      try {
        client = await clients.find(id);
      } catch (err) {
        if (isTemporaryFault(err)) throw unavailable();
        throw err;
      }
      if (client) return client; // its secret is checked, and limited, in compareClientSecret
      const presented = presentedClient();
      // Over the failure budget an unknown key gets the 429 a known one gets (provider.ts).
      const wait = limiter?.blockedFor(presented.address, id) ?? 0;
      if (wait) throw rateLimited(new RateLimited(wait));
      // oidc-provider compares a secret only when the request presents one; an unknown key
      // then costs the same bcrypt work as a wrong secret (see auth/client-secret.ts), and counts.
      if (presented.secret !== undefined) {
        await verifier.burn();
        await limiter?.recordFailure(presented.address, id);
      }
      return client;
    }

    async upsert(): Promise<void> {}
    async findByUserCode(): Promise<undefined> {
      return undefined;
    }
    async findByUid(): Promise<undefined> {
      return undefined;
    }
    async consume(): Promise<void> {}
    async destroy(): Promise<void> {}
    async revokeByGrantId(): Promise<void> {}
  };
}
