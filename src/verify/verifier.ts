// Verifies Keymint's RFC 9068 JWT access tokens inside a resource API. The issuer's
// discovery document is read once, lazily, to find its JWKS; jose then caches the keys
// and refetches them when a token names an unknown kid (a key rotation), at most once
// per cooldown so forged kids cannot turn every request into a JWKS fetch. A token accepted
// once is then accepted from a bounded cache until its exp (token-cache.ts); the scopes a
// route requires are checked on every call. A DPoP-bound token (cnf.jkt, RFC 9449) is
// accepted only with a valid proof of its key for the request (dpop.ts), on every call,
// and never as a plain Bearer token.
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { InsufficientScopeError, InvalidTokenError, VerifierUnavailableError, fromJoseError } from './errors.js';
import { TokenCache } from './token-cache.js';
import { dpopChecker, type DpopPresentation } from './dpop.js';
import { followerFor, type RevocationFeedOptions } from './revocation-feed.js';

export const DEFAULT_ALGORITHMS: readonly string[] = ['ES256', 'EdDSA', 'PS256', 'RS256'];

export interface VerifierOptions {
  /** Compared exactly with the discovery document's `issuer` and each token's `iss`. */
  issuer: string;
  /** What this API calls itself; a token's `aud` must contain one of these. */
  audience: string | string[];
  /** Accepted signing algorithms. Default: ES256, EdDSA, PS256, RS256. */
  algorithms?: string[];
  /** Leeway for `exp`/`nbf`, for clock skew between issuer and API. Default 5. */
  clockToleranceSeconds?: number;
  /** Minimum time between JWKS refetches caused by unknown kids. Default 30000 (jose's). */
  jwksCooldownMs?: number;
  /** Used for the discovery document and the JWKS. Default: the global fetch. */
  fetch?: typeof fetch;
  /**
   * How many accepted tokens to remember (by SHA-256 digest, each until its exp) so that a
   * token seen before costs no signature check. Default 10000; 0 turns the cache off.
   */
  cacheMaxEntries?: number;
  /** The clock, in ms since the epoch, for exp/nbf and the cache. Default: Date.now. */
  now?: () => number;
  /** DPoP proofs (RFC 9449): how far iat may be from now (default 60 s), how many jtis to remember (default 100000), the algorithms (default ES256, EdDSA, PS256, RS256). */
  dpop?: { windowSeconds?: number; maxRememberedProofs?: number; algorithms?: string[] };
  /**
   * Opt-in: follow Keymint's revocation feed (revocation-feed.ts), and refuse a token whose
   * key was deleted, expired or had its tokens revoked after the token's iat, or whose jti
   * was revoked (RFC 7009). One background request per feed in the process; none per token.
   * With `maxStalenessMs`, a feed that cannot be read for that long refuses every token
   * (RevocationFeedStaleError, 503) instead of trusting its last copy.
   */
  revocations?: boolean | RevocationFeedOptions;
}

export interface VerifiedToken {
  clientId: string;
  subject: string;
  projectId: string;
  /** The account of the key (Keymint tokens carry it since issue 13; absent in older tokens). */
  accountId?: string;
  scopes: string[];
  expiresAt: Date;
  /** The RFC 7638 thumbprint of the key a DPoP-bound token is bound to (cnf.jkt); absent for a Bearer token. */
  jkt?: string;
  claims: JWTPayload;
}

/** How a token came: the Authorization scheme and, with DPoP, the proof and the request it was sent with. */
export type Presentation = { scheme: 'Bearer' } | ({ scheme: 'DPoP' } & DpopPresentation);

export interface VerifyOptions {
  /** Every one of these must be in the token's `scope`. */
  scopes?: string[];
  /** How the token was presented. Default: as a Bearer token, which a DPoP-bound token may not be. */
  presentation?: Presentation;
}

export interface Verifier {
  verify(token: string, opts?: VerifyOptions): Promise<VerifiedToken>;
  /** Stops following the revocation feed (when this was its last verifier). */
  close(): void;
}

// RFC 9068 §2.2 makes these mandatory; a token without them is not an access token of ours.
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'];
const DISCOVERY_TIMEOUT_MS = 5_000;
const DEFAULT_CACHE_ENTRIES = 10_000;
// jose's own verdicts on the token's header; any other resolver failure is an outage.
const KEY_SELECTION_CODES = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JOSE_NOT_SUPPORTED']);

export function createVerifier(options: VerifierOptions): Verifier {
  // Without it jose would accept a token for any API: the audience is what makes a token for
  // another API (another resource of the same issuer) useless here (RFC 8707, RFC 9068 §4).
  const audiences = [options.audience].flat();
  if (!audiences.length || audiences.some((a) => typeof a !== 'string' || a === '')) {
    throw new TypeError('createVerifier needs audience: the identifier of this API (the aud of its tokens), as its Keymint API defines it');
  }
  let keys: Promise<JWTVerifyGetKey> | undefined;
  // Concurrent first requests share one discovery; a failure is forgotten so the next call retries.
  const getKeys = () =>
    (keys ??= discoverKeys(options).catch((err: unknown) => {
      keys = undefined;
      throw err;
    }));

  const now = options.now ?? Date.now;
  const maxEntries = options.cacheMaxEntries ?? DEFAULT_CACHE_ENTRIES;
  if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new TypeError('cacheMaxEntries must be a whole number of at least 0');
  const cache = maxEntries > 0 ? new TokenCache<VerifiedToken>(maxEntries, now) : undefined;
  const checkProof = dpopChecker({ ...options.dpop, now });
  const feedOptions = options.revocations === true ? {} : options.revocations || undefined;
  const feed = feedOptions ? followerFor(options.issuer, feedOptions, options.fetch ?? fetch) : undefined;
  const maxStalenessMs = feedOptions?.maxStalenessMs;
  feed?.acquire();
  let closed = false;

  const check = async (token: string): Promise<JWTPayload> => {
    const getKey = await getKeys();
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: options.algorithms ?? [...DEFAULT_ALGORITHMS],
        typ: 'at+jwt',
        requiredClaims: REQUIRED_CLAIMS,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        currentDate: new Date(now()),
      });
      return payload;
    } catch (err) {
      throw fromJoseError(err);
    }
  };

  return {
    async verify(token, opts) {
      const key = cache ? TokenCache.keyOf(token) : undefined;
      let entry = key === undefined ? undefined : cache!.get(key);
      if (!entry) {
        entry = toVerifiedToken(await check(token)); // throws for a token of the wrong shape: never cached
        if (key !== undefined) cache!.set(key, entry, entry.expiresAt.getTime());
      }
      // Judged on every call, cached or not: a revocation reaches tokens already accepted.
      if (feed) {
        await feed.ready();
        if (maxStalenessMs !== undefined) feed.assertFresh(maxStalenessMs);
        feed.check(entry.clientId, entry.claims.iat, entry.claims.jti);
      }
      // A cached entry is frozen and shared; its Date (mutable even when frozen) is handed out as a copy.
      const verified = cache ? { ...entry, expiresAt: new Date(entry.expiresAt.getTime()) } : entry;
      const presentation = opts?.presentation ?? { scheme: 'Bearer' };
      if (verified.jkt !== undefined) {
        if (presentation.scheme !== 'DPoP') {
          throw new InvalidTokenError('This access token is DPoP-bound: present it with the DPoP authorization scheme and a DPoP proof.');
        }
        await checkProof(token, verified.jkt, presentation);
      } else if (presentation.scheme === 'DPoP') {
        throw new InvalidTokenError('This access token is not DPoP-bound: present it as a Bearer token.');
      }
      const missing = opts?.scopes?.filter((scope) => !verified.scopes.includes(scope)) ?? [];
      if (missing.length > 0) throw new InsufficientScopeError(opts!.scopes!);
      return verified;
    },
    close() {
      if (closed) return;
      closed = true;
      feed?.release();
    },
  };
}

async function discoverKeys(options: VerifierOptions): Promise<JWTVerifyGetKey> {
  const jwksUri = await discoverJwksUri(options.issuer, options.fetch ?? fetch);
  const jwks = createRemoteJWKSet(jwksUri, {
    cooldownDuration: options.jwksCooldownMs,
    ...(options.fetch && { [customFetch]: options.fetch }),
  });
  return async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (err) {
      if (KEY_SELECTION_CODES.has((err as { code?: string }).code ?? '')) throw err;
      throw new VerifierUnavailableError(`Could not get the issuer's signing keys from ${jwksUri.href}.`, { cause: err });
    }
  };
}

async function discoverJwksUri(issuer: string, fetchImpl: typeof fetch): Promise<URL> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/oauth-authorization-server`;
  const unavailable = (why: string, cause?: unknown) =>
    new VerifierUnavailableError(`The discovery document at ${url} ${why}.`, { cause });
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
  } catch (cause) {
    throw unavailable('could not be fetched', cause);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {}); // free the connection
    throw unavailable(`answered HTTP ${response.status}`);
  }
  const doc = (await response.json().catch(() => undefined)) as { issuer?: unknown; jwks_uri?: unknown } | undefined;
  if (typeof doc !== 'object' || doc === null) throw unavailable('is not a JSON object');
  // RFC 8414 §3.3: a document naming another issuer must not be used (mix-up and misconfiguration).
  if (doc.issuer !== issuer) throw unavailable(`names the issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(issuer)}`);
  const jwksUri = typeof doc.jwks_uri === 'string' && URL.canParse(doc.jwks_uri) ? new URL(doc.jwks_uri) : undefined;
  if (!jwksUri || !['http:', 'https:'].includes(jwksUri.protocol)) throw unavailable('has no valid jwks_uri');
  return jwksUri;
}

function toVerifiedToken(claims: JWTPayload): VerifiedToken {
  const { client_id: clientId, sub: subject, project_id: projectId, scope = '', exp } = claims;
  const invalid = (claim: string) => new InvalidTokenError(`The access token has an invalid ${claim} claim.`);
  if (typeof clientId !== 'string') throw invalid('client_id');
  if (typeof subject !== 'string') throw invalid('sub');
  if (projectId === undefined) throw new InvalidTokenError('The access token is missing the project_id claim.');
  if (typeof projectId !== 'string') throw invalid('project_id');
  if (typeof scope !== 'string') throw invalid('scope');
  const { cnf } = claims as { cnf?: { jkt?: unknown } };
  if (cnf !== undefined && (typeof cnf !== 'object' || cnf === null || typeof cnf.jkt !== 'string' || !cnf.jkt)) throw invalid('cnf');
  const jkt = cnf?.jkt as string | undefined;
  const { account_id: accountId } = claims;
  if (accountId !== undefined && typeof accountId !== 'string') throw invalid('account_id');
  return { clientId, subject, projectId, ...(accountId ? { accountId } : {}), scopes: scope.split(' ').filter(Boolean), expiresAt: new Date(exp! * 1000), ...(jkt ? { jkt } : {}), claims };
}
