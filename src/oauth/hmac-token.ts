// HMAC-signed POST /oauth2/token. oidc-provider authenticates clients by secret only, so a
// signed request is checked here first (signature, Date window, body MD5: hmac-auth.ts)
// and then handed to oidc-provider as client_secret_basic with a one-time ticket
// (hmac-tickets.ts, accepted by compareClientSecret in oauth/provider.ts) in place of the
// secret: the token is issued by oidc-provider itself, with every rule and claim of any
// other key. The body, read here for its MD5, is replayed for it (oauth/replay-body.ts).
// A refusal is oidc-provider's own answer to a wrong secret (401 invalid_client), whatever
// failed, with two exceptions: a Date outside the window, and a replay of a request already
// accepted (its signature was good, so saying so tells nothing), are 400 invalid_request.
// That check depends on the client's clock alone, never on the key or the secret (it is
// made the same way for unknown keys), so it tells nothing; and a client whose clock has
// drifted should learn that, not rotate a key that is fine.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { RateLimited } from '../kernel/rate-limited.js';
import { isTemporaryFault } from '../http/error-handler.js';
import type { Metrics } from '../metrics/registry.js';
import { replayBody } from './replay-body.js';
import { checkHmacRequest, MAX_SKEW_SECONDS, type HmacAuthDeps } from '../auth/hmac-auth.js';
import type { HmacTickets } from './hmac-tickets.js';
import type { UsageRecorder } from '../usage/recorder.js';
import { countSignedRefusal } from '../usage/refusals.js';
import type { ClientAddress } from '../http/client-address.js';

/** oidc-provider's own limit on a token request body (selective_body.js). */
export const TOKEN_BODY_LIMIT = 56 * 1024;

export type HmacTokenHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface HmacTokenDeps extends HmacAuthDeps {
  tickets: HmacTickets;
  /** oidc-provider's issuer: the realm of its WWW-Authenticate challenge. */
  issuer: string;
  /** The client address, as express and oidc-provider see it (http/client-address.ts). */
  clientAddress: ClientAddress;
  log: Logger;
  metrics?: Pick<Metrics, 'tokensRefused'>;
  /** Usage counting (src/usage/): a refused request of an existing key is counted for it. */
  usage?: Pick<UsageRecorder, 'count'>;
}


interface OAuthError {
  status: number;
  error: string;
  description: string;
  headers?: Record<string, string>;
}

function send(res: ServerResponse, metrics: HmacTokenDeps['metrics'], { status, error, description, headers = {} }: OAuthError): void {
  metrics?.tokensRefused.inc({ reason: error });
  const text = JSON.stringify({ error, error_description: description });
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Vary', 'Origin'); // oidc-provider's CORS layer varies every answer by Origin
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

const invalidClient = (issuer: string): OAuthError => ({
  status: 401,
  error: 'invalid_client',
  description: 'client authentication failed',
  // The scheme the client authenticated with (RFC 9110 §11.6.1), as oidc-provider names
  // Basic for a wrong Basic secret.
  headers: { 'WWW-Authenticate': `hmac realm="${issuer}", error="invalid_client", error_description="client authentication failed"` },
});
const staleDate: OAuthError = {
  status: 400,
  error: 'invalid_request',
  description: `the Date header is outside the ${MAX_SKEW_SECONDS / 60}-minute window`,
};
const replayed: OAuthError = {
  status: 400,
  error: 'invalid_request',
  description: 'this signed request was already used: sign each request when it is sent',
};
const unreadable: OAuthError = { status: 400, error: 'invalid_request', description: 'failed to parse the request body' };
const rateLimited = (err: RateLimited): OAuthError => ({
  status: 429,
  error: 'temporarily_unavailable',
  description: err.message,
  headers: { 'Retry-After': String(err.retryAfterSeconds) },
});

/** The body, or undefined when it is over the limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > TOKEN_BODY_LIMIT) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > TOKEN_BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

async function handle(deps: HmacTokenDeps, req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
  const body = await readBody(req).catch(() => undefined);
  if (!body) return send(res, deps.metrics, unreadable);
  const request = { authorization: req.headers.authorization ?? '', method: 'POST', target: req.url ?? '', headers: req.headers, body };
  const checked = await checkHmacRequest(deps, request, deps.clientAddress(req));
  if (!checked.ok && deps.usage && checked.reason !== 'stale_date' && checked.reason !== 'replayed') countSignedRefusal(deps.keys, deps.usage, request.authorization, 'wrong_secret');
  if (!checked.ok) return send(res, deps.metrics, checked.reason === 'stale_date' ? staleDate : checked.reason === 'replayed' ? replayed : invalidClient(deps.issuer));
  const { id } = checked.key;
  req.headers.authorization = `Basic ${Buffer.from(`${id}:${deps.tickets.issue(id)}`).toString('base64')}`;
  replayBody(req, body);
  next();
}

export function hmacTokenHandler(deps: HmacTokenDeps): HmacTokenHandler {
  return (req, res, next) => {
    handle(deps, req, res, next).catch((err: unknown) => {
      if (res.headersSent) return;
      if (err instanceof RateLimited) {
        if (deps.usage) countSignedRefusal(deps.keys, deps.usage, req.headers.authorization ?? '', 'rate_limited');
        return send(res, deps.metrics, rateLimited(err));
      }
      if (isTemporaryFault(err)) {
        return send(res, deps.metrics, { status: 503, error: 'temporarily_unavailable', description: 'the key store is unreachable; retry shortly' });
      }
      deps.log.error({ err }, 'hmac token request failed');
      send(res, deps.metrics, { status: 500, error: 'server_error', description: 'oops! something went wrong' });
    });
  };
}
