// oidc-provider's storage adapter. Keymint keeps no tokens, grants or sessions (JWT
// access tokens are self-contained), so only the Client model is read: from the
// access_keys table, as client metadata whose client_secret is the stored digest or hash. An expired
// key is no client at all, so it is refused exactly as an unknown one (invalid_client).
import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { peekPresented } from '../auth/key-cache.js';
import type { KeySecrets } from '../auth/key-secrets.js';
import { isTemporaryFault } from '../http/error-handler.js';
import { Overloaded, RateLimited } from '../kernel/rate-limited.js';
import { presentedClient, presentsAssertion } from './presented-client.js';
import { hasPublicKeys } from '../auth/client-keys.js';


export interface ClientSource {
  /** The client metadata for a key, or undefined when no such key exists; throws RateLimited for a blocked source. */
  find(keyId: string): Promise<AdapterPayload | undefined>;
  /** The cached key, when it is cached and active (synchronous: the warm path); secretHash null for a key without a secret. */
  peek(keyId: string): { id: string; secretHash: string | null } | undefined;
}

// What the client_secret of an hmac key, and of a REST Basic key without a secret (issue 14),
// is: nothing compares equal to it (auth/key-secrets.ts treats a key without a digest or hash
// as no key), and a signed request brings a ticket.
const NO_SECRET = 'none';

/**
 * Client metadata from the access-key cache (no database round trip when warm); expired
 * keys are absent. A client presents an API key (basic, hmac) or a legacy username; the
 * token names the credential by its API key either way. An hmac key's secret is never
 * sent: a signed request reaches the provider with a one-time ticket instead (see
 * oauth/hmac-token.ts).
 */
export function cachedClientSource(secrets: KeySecrets, scopes: readonly string[]): ClientSource {
  return {
    peek(keyId) {
      const key = peekPresented(secrets.keys, keyId);
      // The cached object itself, not a copy: this runs on every warm token request. A basic
      // key without a secret is warm too, so that a secret sent for it is refused in the time
      // of a wrong one (the built client is reused), not of a client built afresh.
      return key && (key.secretHash || key.kind === 'basic') ? key : undefined;
    },
    async find(keyId) {
      const row = await secrets.lookup(keyId, { address: Provider.ctx?.ip });
      if (!row) return undefined;
      // A key may hold a secret and public keys at once (a migration): the request says which
      // it authenticates with, and oidc-provider wants the client's one method (client-assertions.ts).
      const extra = row.clientKeys;
      const assertion = hasPublicKeys(extra) && presentsAssertion();
      return {
        // The canonical spelling, so that sub and client_id name the key as the API does.
        client_id: row.id,
        client_secret: row.secretHash ?? NO_SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: assertion ? 'private_key_jwt' : 'client_secret_basic',
        ...(assertion ? (extra.jwksUri !== null ? { jwks_uri: extra.jwksUri } : { jwks: { keys: extra.jwks } }) : {}),
        ...(extra.dpopRequired ? { dpop_bound_access_tokens: true } : {}),
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

function unavailable(message = 'the key store is unreachable; retry shortly', retryAfter?: number): Error {
  if (retryAfter !== undefined) Provider.ctx?.set('Retry-After', String(retryAfter));
  const err = new errors.TemporarilyUnavailable(message);
  Object.assign(err, { status: 503, statusCode: 503 });
  return err;
}

/** What a refusal of the credential check becomes at the token endpoint: 429, or 503 (bcrypt's queue full, the database away). */
export function providerError(err: unknown): unknown {
  if (err instanceof RateLimited) return rateLimited(err);
  if (err instanceof Overloaded) return unavailable(err.message, err.retryAfterSeconds);
  if (isTemporaryFault(err)) return unavailable();
  return err;
}

export function adapterFor(clients: ClientSource, secrets: KeySecrets) {
  return class KeymintAdapter implements Adapter {
    constructor(readonly model: string) {}

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model !== 'Client') return undefined;
      try {
        const client = await clients.find(id);
        if (client) return client; // its secret is checked, and limited, in compareClientSecret
        // oidc-provider compares a secret only when the request presents one: an unknown key
        // gets the answer, the work and the count of a wrong secret here (auth/key-secrets.ts).
        const presented = presentedClient();
        return await secrets.unknown(id, presented.secret, { address: presented.address });
      } catch (err) {
        throw providerError(err);
      }
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
