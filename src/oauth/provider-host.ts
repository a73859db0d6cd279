// Holds the live oidc-provider instance. Its keystore is fixed at construction, so when
// the ring's published key set changes (rotation, retirement) a new provider is built
// and swapped in; requests in flight finish on the old one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/registry.js';
import { buildProvider, type ProviderDeps } from './provider.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export class ProviderHost {
  #provider!: Provider;
  #handler!: Handler;

  constructor(
    private readonly deps: ProviderDeps & {
      log: Logger;
      metrics?: Metrics;
      /** Called with the (canonical, lower-case) Key ID and the project of each issued token; must not block. */
      onTokenIssued?: (keyId: string, projectId: string | undefined) => void;
      /** Called on each provider built, before use (usage counting and quotas: oauth/usage-gate.ts). */
      decorate?: (provider: Provider) => void;
    },
  ) {
    this.#build();
    deps.ring.onChange(() => {
      try {
        this.#build();
        deps.log.info({ keys: deps.ring.publicJwks().keys.map((k) => k.kid) }, 'signing keys changed; token endpoint rebuilt');
      } catch (err) {
        deps.log.error({ err }, 'could not rebuild the token endpoint; keeping the previous keys');
      }
    });
  }

  #build() {
    const provider = buildProvider(this.deps);
    this.deps.decorate?.(provider);
    provider.on('server_error', (_ctx, err) => this.deps.log.error({ err }, 'token endpoint error'));
    const { metrics, onTokenIssued } = this.deps;
    // One listener per issued token: it runs on every warm request.
    provider.on('grant.success', (ctx) => {
      metrics?.tokensIssued.inc();
      const client = ctx.oidc.client as { clientId?: string; project_id?: string } | undefined;
      if (client?.clientId && onTokenIssued) onTokenIssued(client.clientId, client.project_id);
    });
    if (metrics) {
      provider.on('grant.error', (_ctx, err) => metrics.tokensRefused.inc({ reason: (err as { error?: string }).error ?? 'server_error' }));
    }
    this.#provider = provider;
    this.#handler = provider.callback() as Handler;
  }

  get provider(): Provider {
    return this.#provider;
  }

  readonly handle: Handler = (req, res) => this.#handler(req, res);
}
