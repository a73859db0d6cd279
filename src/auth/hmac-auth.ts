// The one check of an HMAC-signed request (REST HMAC credentials), for the management APIs
// and the token endpoint alike: the key named by `username` (an API key: a UUID, kind
// hmac, not expired) through the key cache, its sealed secret opened, then signature,
// Date window and body digest (hmac-signature.ts), and the signature not seen before
// (hmac-replays.ts).
// An unknown key, a key of another kind and a wrong signature fail alike: the signature
// is then checked against a random secret, so every check runs the same way and only the
// last one differs. Failures count against the address and key budgets like Basic; while
// blocked, a failing request gets 429. A good signature costs no bcrypt, so (like a warm
// secret or a valid JWT) it goes through even then.
// The method in the request-line is the real one. The messagemedia SDK signs a PUT as
// POST; accepting that would let a signature made for a POST authorize a PUT on the same
// path within the window, and Keymint serves no PUT, so the SDK quirk costs nothing here.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { FailureLimiter } from './failure-limiter.js';
import { RateLimited } from '../kernel/rate-limited.js';
import { isUuid } from '../kernel/ids.js';
import type { AccessKeyCache, AuthKey } from './key-cache.js';
import type { SealedBox } from '../crypto/sealed-box.js';
import { openHmacSecret } from './hmac-secrets.js';
import type { HmacReplays } from './hmac-replays.js';
import {
  parseHmacAuthorization,
  signedBodyDigests,
  verifyHmacRequest,
  type HeaderValues,
  type HmacAuthorization,
  type HmacFailureReason,
  parseImfFixdate,
} from './hmac-signature.js';

/** How far the signed Date may be from the server's clock, either way. */
export const MAX_SKEW_SECONDS = 300;

export interface SignedRequest {
  authorization: string;
  method: string;
  /** The path and query string as sent (undecoded). */
  target: string;
  headers: IncomingHttpHeaders;
  /** The body; undefined when there is none; 'deferred' when it is read after this check. */
  body: Buffer | undefined | 'deferred';
}

export type HmacCheck =
  | { ok: true; key: AuthKey; /** Signed digests the deferred body must match. */ bodyDigests: string[] }
  | { ok: false; reason: HmacFailureReason };

export interface HmacAuthDeps {
  keys: AccessKeyCache;
  box: SealedBox;
  limiter: FailureLimiter;
  log?: Pick<Logger, 'warn'>;
  now?: () => Date;
  /** Refuses a signature seen before (hmac-replays.ts); left out, replays are not checked. */
  replays?: Pick<HmacReplays, 'firstUse'>;
}

export const isHmacAuthorization = (header: string | undefined): boolean => header !== undefined && /^[ \t]*hmac[ \t]/i.test(header);

// What an unknown key's "signature" is checked against: nobody can sign with it.
const NOBODY_SECRET = randomBytes(32);

const failed = (reason: HmacFailureReason): HmacCheck => ({ ok: false, reason });

/** Repeated headers as one comma-joined value, as HTTP reads them. */
function headerValues(headers: IncomingHttpHeaders): HeaderValues {
  const out: HeaderValues = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

// The key and the secrets it signs with: the current one and, during a rotation's overlap,
// the previous one (judged against the clock, like a key's expiry).
async function signingKey(deps: HmacAuthDeps, username: string): Promise<{ key: AuthKey; secrets: [string, string | undefined] } | undefined> {
  if (!isUuid(username)) return undefined;
  const key = await deps.keys.getActive(username.toLowerCase());
  if (key?.kind !== 'hmac' || !key.sealedSecret) return undefined;
  try {
    const previous = key.previousSealedSecret && key.previousSecretExpiresAt !== null && key.previousSecretExpiresAt > Date.now()
      ? openHmacSecret(deps.box, key.id, key.previousSealedSecret)
      : undefined;
    return { key, secrets: [openHmacSecret(deps.box, key.id, key.sealedSecret), previous] };
  } catch {
    // Another master key, or a damaged row: the key cannot sign anything.
    deps.log?.warn({ keyId: key.id }, 'could not open the sealed secret of an hmac key');
    return undefined;
  }
}

async function verify(deps: HmacAuthDeps, auth: HmacAuthorization, request: SignedRequest): Promise<HmacCheck> {
  const headers = headerValues(request.headers);
  const bodyDigests = request.body === 'deferred' ? signedBodyDigests(auth.headers, headers) : [];
  // A body read later must still be bound by the signature.
  if (request.body === 'deferred' && bodyDigests.length === 0) return failed('missing_body_digest');
  const found = await signingKey(deps, auth.username);
  const check = (secret: string | Buffer) => verifyHmacRequest({
    authorization: auth,
    method: request.method,
    path: request.target,
    headers,
    body: request.body,
    secret,
    now: deps.now?.() ?? new Date(),
    maxSkewSeconds: MAX_SKEW_SECONDS,
  });
  // Both slots are checked every time (the second against a secret nobody has when there is
  // no previous one): the time says nothing of whether the key is mid-rotation.
  const first = check(found?.secrets[0] ?? NOBODY_SECRET);
  const second = check(found?.secrets[1] ?? NOBODY_SECRET);
  const verdict = first.ok || !second.ok ? first : second;
  if (!verdict.ok) return verdict;
  if (!found) return failed('bad_signature');
  // Only a signature that verified is remembered: nobody else can fill the table.
  const signedAt = parseImfFixdate(headers.date!)!;
  if (deps.replays && !(await deps.replays.firstUse(found.key.id, auth.algorithm, auth.signature, signedAt))) return failed('replayed');
  return { ok: true, key: found.key, bodyDigests };
}

/** Checks a signed request; throws RateLimited when it fails while its address or key is blocked. */
export async function checkHmacRequest(deps: HmacAuthDeps, request: SignedRequest, address: string | undefined): Promise<HmacCheck> {
  const parsed = parseHmacAuthorization(request.authorization);
  const result = parsed.ok
    ? await verify(deps, parsed.value, request)
    : failed(parsed.error.code === 'unsupported_algorithm' ? 'unsupported_algorithm' : 'malformed');
  // A replay carries a good signature: it is refused, but it is not a guess at a secret.
  if (result.ok || result.reason === 'replayed') return result;
  // The budget of the canonical Key ID (a UUID in any case is the same key).
  const keyId = parsed.ok ? parsed.value.username.toLowerCase() : undefined;
  const wait = deps.limiter.blockedFor(address, keyId);
  if (wait) throw new RateLimited(wait);
  await deps.limiter.recordFailure(address, keyId);
  return result;
}
