// oidc-provider rebuilds a Client from adapter metadata on every request (stringify,
// SHA-256, LRU lookup). For keys in the access-key cache the built Client is kept and
// reused while the key's cached row (same secret hash, still active) says it is current;
// a changed, deleted or expired key is no longer in the cache and goes the usual way.
// A request with a client assertion (private_key_jwt) always goes the usual way.
import type Provider from 'oidc-provider';
import { LRUCache } from 'lru-cache';
import { NO_SECRET, type ClientSource } from './adapter.js';
import { presentsAssertion } from './presented-client.js';

type ProviderClient = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

export function reuseWarmClients(provider: Provider, clients: ClientSource, max = 10_000): void {
  const Client = provider.Client as unknown as { find(id: string): Promise<ProviderClient | undefined> };
  const find = Client.find.bind(Client);
  const built = new LRUCache<string, ProviderClient>({ max });
  // A warm client is returned as is, not wrapped in a promise: oidc-provider awaits the result.
  Client.find = ((id: string) => {
    // A client assertion is checked against a client built for it (adapter.ts), never kept here.
    if (presentsAssertion()) return find(id);
    const warm = typeof id === 'string' ? clients.peek(id) : undefined;
    if (warm) {
      const client = built.get(warm.id);
      if (client && client.clientSecret === (warm.secretHash ?? NO_SECRET)) return client;
    }
    return find(id).then((client) => {
      if (client && warm) built.set(warm.id, client);
      return client;
    });
  }) as typeof Client.find;
}
