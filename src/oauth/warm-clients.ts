// oidc-provider rebuilds a Client from adapter metadata on every request (stringify,
// SHA-256, LRU lookup). For keys in the access-key cache the built Client is kept and
// reused while the key's cached row is the very one it was built from: any change of the
// key (secret, token settings such as DPoP, public keys, expiry, deletion) drops that row on
// every instance (the change feed), so the next request builds the client afresh.
// A request with a client assertion (private_key_jwt) always goes the usual way.
import type Provider from 'oidc-provider';
import { LRUCache } from 'lru-cache';
import type { ClientSource } from './adapter.js';
import { presentsAssertion } from './presented-client.js';

type ProviderClient = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;
type CachedRow = NonNullable<ReturnType<ClientSource['peek']>>;

export function reuseWarmClients(provider: Provider, clients: ClientSource, max = 10_000): void {
  const Client = provider.Client as unknown as { find(id: string): Promise<ProviderClient | undefined> };
  const find = Client.find.bind(Client);
  const built = new LRUCache<string, { row: CachedRow; client: ProviderClient }>({ max });
  // A warm client is returned as is, not wrapped in a promise: oidc-provider awaits the result.
  Client.find = ((id: string) => {
    // A client assertion is checked against a client built for it (adapter.ts), never kept here.
    if (presentsAssertion()) return find(id);
    const warm = typeof id === 'string' ? clients.peek(id) : undefined;
    if (warm) {
      const kept = built.get(warm.id);
      if (kept?.row === warm) return kept.client;
    }
    return find(id).then((client) => {
      // Built from `warm` (the adapter reads the cached row) unless it was dropped meanwhile.
      if (client && warm && clients.peek(id) === warm) built.set(warm.id, { row: warm, client });
      return client;
    });
  }) as typeof Client.find;
}
