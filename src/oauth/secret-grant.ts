// Keymint's own client_credentials grant for a Key Secret (issue 12): the usual token
// request, served without oidc-provider. Reading the form, judging the Key ID and secret
// (auth/key-secrets.ts, the one check), the key's quota, the API and scopes
// (token-targets.ts, shared with oidc-provider's hooks) and signing (jws.ts) are each one
// step here, with no Koa context, no client model built per key and no promise when the
// key is cached: the cold path is one cached lookup (or one batched read), one digest and
// one signature. oidc-provider did all this at about twice the cost, most of it per request
// and, for a key it had not seen, again per key (docs/PERFORMANCE.md).
// What this grant does not read (secret-grant-request.ts: a DPoP proof, a client assertion,
// any parameter or encoding outside the plain case), and a key that requires DPoP, goes to
// oidc-provider unchanged (`other`), before any secret is judged: it answers those by its
// own rules. test/secret-grant-parity.test.ts holds the two to the same answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import type { KeySecrets, SecretContext } from '../auth/key-secrets.js';
import { isExpired, type AuthKey } from '../auth/key-cache.js';
import type { ClientAddress } from '../http/client-address.js';
import { isTemporaryFault } from '../http/error-handler.js';
import { isUuid } from '../kernel/ids.js';
import { Overloaded, RateLimited } from '../kernel/rate-limited.js';
import type { Metrics } from '../metrics/registry.js';
import type { UsageRecorder } from '../usage/recorder.js';
import { TOKEN_BODY_LIMIT } from './hmac-token.js';
import { compactSigner, type CompactSigner } from './jws.js';
import { replayBody } from './replay-body.js';
import { isResourceIndicator, mayReadSecretGrant, readSecretGrant, type SecretGrantRequest } from './secret-grant-request.js';
import type { SigningKeyRing } from './signing-keys.js';
import { keyClaims, type TokenTargets } from './token-targets.js';

export interface SecretGrantDeps {
  issuer: string;
  secrets: KeySecrets;
  targets: TokenTargets;
  ring: SigningKeyRing;
  clientAddress: ClientAddress;
  log: Logger;
  metrics?: Pick<Metrics, 'tokensIssued' | 'tokensRefused'>;
  /** Usage counting and token quotas (src/usage/): what oauth/usage-gate.ts does for oidc-provider. */
  usage?: Pick<UsageRecorder, 'count' | 'admit'>;
  /** Called with the Key ID and project of each issued token; must not block. */
  onTokenIssued?: (keyId: string, projectId: string) => void;
}

/** Serves the request, or hands it, body intact, to `other` (oidc-provider). */
export type SecretGrantHandler = (req: IncomingMessage, res: ServerResponse, other: () => void) => void;

interface Refusal {
  status: number;
  error: string;
  description: string;
  scope?: string;
  headers?: Record<string, string>;
}

/** oidc-provider's own error objects (token-targets.ts throws them): exposed ones keep their words. */
interface ProviderError {
  expose?: boolean;
  statusCode?: number;
  message: string;
  error_description?: string;
  scope?: string;
}

const SERVER_ERROR: Refusal = { status: 500, error: 'server_error', description: 'oops! something went wrong' };
const UNREACHABLE: Refusal = { status: 503, error: 'temporarily_unavailable', description: 'the key store is unreachable; retry shortly', headers: { 'Retry-After': '5' } };

/** The token's signer: one per signing key, made when the ring's active key changes. */
function signers(ring: SigningKeyRing): () => CompactSigner {
  let kid: string | undefined;
  let signer: CompactSigner | undefined;
  ring.onChange(() => (kid = undefined));
  return () => {
    const now = ring.signingKid();
    if (now !== kid || !signer) {
      const jwk = ring.privateJwks().find((k) => k.kid === now);
      if (!jwk) throw new Error(`signing key ${now} is not open`);
      signer = compactSigner(ring.alg, jwk);
      kid = now;
    }
    return signer;
  };
}

/** The body; undefined when over the limit; null when the client went away before its end. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= TOKEN_BODY_LIMIT) chunks.push(chunk);
    });
    req.once('end', () => resolve(size > TOKEN_BODY_LIMIT ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    // After 'end', these settle nothing; before it, the client is gone and nothing is answered.
    req.once('error', () => resolve(null));
    req.once('close', () => resolve(null));
  });
}

export function secretGrant(deps: SecretGrantDeps): SecretGrantHandler {
  const { secrets, targets, metrics, usage, log } = deps;
  const signer = signers(deps.ring);
  const invalidClient: Refusal = {
    status: 401,
    error: 'invalid_client',
    description: 'client authentication failed',
    // As oidc-provider names it, for Basic and for the form alike (token-errors.ts).
    headers: { 'WWW-Authenticate': `Basic realm="${deps.issuer}", error="invalid_client", error_description="client authentication failed"` },
  };

  function send(res: ServerResponse, status: number, body: object, headers?: Record<string, string>): void {
    const text = JSON.stringify(body);
    res.statusCode = status;
    if (headers) for (const name in headers) res.setHeader(name, headers[name]);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Vary', 'Origin'); // as oidc-provider's CORS layer varies every answer
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  }

  function refuse(res: ServerResponse, r: Refusal): void {
    metrics?.tokensRefused.inc({ reason: r.error });
    send(res, r.status, { error: r.error, error_description: r.description, ...(r.scope !== undefined ? { scope: r.scope } : {}) }, r.headers);
  }

  function refusalOf(err: unknown): Refusal {
    if (err instanceof RateLimited) return { status: 429, error: 'temporarily_unavailable', description: err.message, headers: { 'Retry-After': String(err.retryAfterSeconds) } };
    if (err instanceof Overloaded) return { status: 503, error: 'temporarily_unavailable', description: err.message, headers: { 'Retry-After': String(err.retryAfterSeconds) } };
    if (isTemporaryFault(err)) return UNREACHABLE;
    const e = err as ProviderError;
    if (e?.expose && e.statusCode !== undefined && e.statusCode < 500) return { status: e.statusCode, error: e.message, description: e.error_description ?? e.message, scope: e.scope };
    log.error({ err }, 'token endpoint error');
    return SERVER_ERROR;
  }

  function issue(res: ServerResponse, key: AuthKey, request: SecretGrantRequest): void | Promise<void> {
    const resource = request.resource;
    const done = (audience: string) =>
      targets.target(key, audience, request.audience, request.scope).then((target) => {
        const iat = Math.floor(Date.now() / 1000);
        const token = signer()({
          jti: randomBytes(32).toString('base64url'),
          sub: key.id,
          iat,
          exp: iat + target.ttl,
          scope: target.scope,
          client_id: key.id,
          iss: deps.issuer,
          aud: target.audience,
          ...keyClaims(key),
        });
        metrics?.tokensIssued.inc();
        deps.onTokenIssued?.(key.id, key.projectId);
        send(res, 200, { access_token: token, expires_in: target.ttl, ...(target.scope !== undefined ? { scope: target.scope } : {}), token_type: 'Bearer' });
      });
    return resource !== undefined ? done(resource) : targets.defaultResource(key, request.audience).then(done);
  }

  function judged(res: ServerResponse, found: AuthKey | undefined, request: SecretGrantRequest, verdict: AuthKey | undefined): void | Promise<void> {
    if (!verdict) {
      if (usage) countFailure(found, request.id);
      return refuse(res, invalidClient);
    }
    const wait = usage?.admit(verdict.id, verdict.projectId);
    if (wait) {
      const description = `this key's token quota is used up; retry after ${wait} s`;
      return refuse(res, { status: 429, error: 'invalid_request', description, headers: { 'Retry-After': String(wait) } });
    }
    return issue(res, verdict, request);
  }

  // As usage-gate.ts counts for oidc-provider: a wrong secret of an existing key, an expired key.
  function countFailure(found: AuthKey | undefined, presentedId: string): void {
    if (found) return usage!.count(found.id, found.projectId, 'wrong_secret');
    if (!isUuid(presentedId)) return;
    const key = secrets.keys.peek(presentedId.toLowerCase());
    if (key && isExpired(key)) usage!.count(key.id, key.projectId, 'expired');
  }

  function looked(req: IncomingMessage, res: ServerResponse, other: () => void, body: Buffer, request: SecretGrantRequest, ctx: SecretContext, found: AuthKey | undefined) {
    if (found?.clientKeys.dpopRequired) {
      replayBody(req, body);
      return other();
    }
    let verdict: ReturnType<KeySecrets['judge']>;
    try {
      verdict = secrets.judge(request.id, found, request.secret, ctx);
    } catch (err) {
      return judgeFailed(res, found, err);
    }
    if (!(verdict instanceof Promise)) return judged(res, found, request, verdict);
    return verdict.then(
      (key) => judged(res, found, request, key),
      (err: unknown) => judgeFailed(res, found, err),
    );
  }

  function judgeFailed(res: ServerResponse, found: AuthKey | undefined, err: unknown): void {
    if (found && usage && err instanceof RateLimited) usage.count(found.id, found.projectId, 'rate_limited');
    refuse(res, refusalOf(err));
  }

  function serve(req: IncomingMessage, res: ServerResponse, other: () => void, body: Buffer): void | Promise<void> {
    const request = readSecretGrant(req.headers, body);
    const resource = request && (request.resource ?? request.audience);
    if (!request || (resource !== undefined && !isResourceIndicator(resource))) {
      replayBody(req, body);
      return other();
    }
    const ctx: SecretContext = { address: deps.clientAddress(req), isGone: () => req.socket.destroyed };
    const found = secrets.lookup(request.id, ctx);
    if (!(found instanceof Promise)) return looked(req, res, other, body, request, ctx, found);
    return found.then((key) => looked(req, res, other, body, request, ctx, key));
  }

  return (req, res, other) => {
    if (!mayReadSecretGrant(req.headers) || Number(req.headers['content-length']) > TOKEN_BODY_LIMIT) return other();
    readBody(req)
      .then((body) => {
        if (body === null) return;
        // Over the limit despite its Content-Length: oidc-provider's answer to a body too large.
        if (!body) return refuse(res, { status: 400, error: 'invalid_request', description: 'failed to parse the request body' });
        return serve(req, res, other, body);
      })
      .catch((err: unknown) => {
        if (!res.headersSent) refuse(res, refusalOf(err));
      });
  };
}
