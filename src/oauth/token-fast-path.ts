// The token endpoint's hot path. POST /oauth2/token goes straight from node:http to
// oidc-provider, past express: its router, per-request middleware chain and request
// prototype swap cost about as much as signing the token. What the express stack would
// add is added here directly: helmet's headers (computed once) and no CORS headers (both
// applied by KeymintResponse, token-response.ts) and the latency histogram (the access log
// wraps the whole server: http/request-log.ts). Every other request goes to express.
// A request with a Key Secret is served by Keymint's own grant (secret-grant.ts); an
// HMAC-signed request is checked first and reaches oidc-provider with a one-time ticket
// (hmac-token.ts); DPoP, client assertions and anything unusual go to oidc-provider.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeymintResponse } from './token-response.js';
import { apiHelmet } from '../http/security-headers.js';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/registry.js';
import type { ProviderHost } from './provider-host.js';
import { TOKEN_PATH } from './provider.js';
import { isHmacAuthorization } from '../auth/hmac-auth.js';
import type { HmacTokenHandler } from './hmac-token.js';
import type { SecretGrantHandler } from './secret-grant.js';

type Handler = (req: IncomingMessage, res: KeymintResponse) => void;

/** The headers apiHelmet() sets, captured once from a dry run. */
function helmetHeaders(): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const res = { setHeader: (name: string, value: string) => headers.push([name, String(value)]), removeHeader() {} };
  apiHelmet()({} as IncomingMessage, res as unknown as ServerResponse, () => {});
  // RFC 6749 §5.1: token responses carry Pragma: no-cache beside oidc-provider's no-store.
  headers.push(['Pragma', 'no-cache']);
  return headers;
}

// oidc-provider answers every token request with Access-Control-Allow-Origin (its own
// CORS layer, not configurable per route). Keymint keeps CORS closed: services call the
// token endpoint from servers, never from a browser page.
export function withoutCors(res: ServerResponse): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) =>
    name.toLowerCase().startsWith('access-control-') ? res : setHeader(name, value);
}

export interface TokenPaths {
  /** Keymint's own grant for a Key Secret; without it, oidc-provider serves every token request. */
  secretGrant?: SecretGrantHandler;
  hmac?: HmacTokenHandler;
}

export function tokenFastPath(host: ProviderHost, metrics: Metrics, log: Logger, rest: Handler, { secretGrant, hmac }: TokenPaths = {}): Handler {
  const security = helmetHeaders();
  // Histogram children bound once per status: label hashing on every request is measurable here.
  const byStatus = new Map<number, { observe(seconds: number): void }>();
  const latency = (status: number) => {
    let child = byStatus.get(status);
    if (!child) byStatus.set(status, (child = metrics.httpDuration.labels('POST', TOKEN_PATH, String(status))));
    return child;
  };
  // One listener for every token response (no closure per request); `this` is the response.
  function finished(this: KeymintResponse) {
    const seconds = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    latency(this.statusCode).observe(seconds);
  }
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== TOKEN_PATH) return rest(req, res);
    res.startedAt = process.hrtime.bigint();
    res.finalHeaders = security;
    res.on('finish', finished);
    const provider = () => host.handle(req, res);
    if (hmac && isHmacAuthorization(req.headers.authorization)) return hmac(req, res, provider);
    if (secretGrant) return secretGrant(req, res, provider);
    provider();
  };
}
