// What a token request presents as client credentials, read from oidc-provider's request
// context: the Key ID and secret (Basic header or form body) and the client address
// (X-Forwarded-For only when TRUST_PROXY is set: http/client-address.ts).
import Provider from 'oidc-provider';

export interface Presented {
  id?: string;
  secret?: string;
  address?: string;
}

function fromBasic(header: string): Pick<Presented, 'id' | 'secret'> {
  const [scheme, token] = header.trim().split(/ +/);
  if (scheme?.toLowerCase() !== 'basic' || !token) return {};
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  const decode = (v: string) => {
    try {
      return decodeURIComponent(v.replace(/\+/g, '%20'));
    } catch {
      return v;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

export function presentedClient(): Presented {
  const ctx = Provider.ctx;
  if (!ctx) return {};
  const params = (ctx.oidc?.params ?? {}) as { client_id?: unknown; client_secret?: unknown };
  const header = ctx.headers.authorization;
  const fromHeader = header === undefined ? {} : fromBasic(header);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    id: fromHeader.id ?? str(params.client_id),
    secret: fromHeader.secret ?? str(params.client_secret),
    address: ctx.ip,
  };
}

/** Whether the token request authenticates with a client assertion (private_key_jwt) rather than a secret. */
export function presentsAssertion(): boolean {
  const params = Provider.ctx?.oidc?.params as { client_assertion?: unknown } | undefined;
  return typeof params?.client_assertion === 'string';
}
