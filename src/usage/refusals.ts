// Counting refused requests for the credential they name, wherever a credential is checked
// outside the token endpoint's oidc-provider hooks (oauth/usage-gate.ts): signed token
// requests (oauth/hmac-token.ts) and the management API's Basic and HMAC authentication.
// Only a credential the check just read (in the key cache) is counted: an unknown ID has no
// usage, and counting never costs a query. An expired key is counted as `expired`.
import type { Authenticator } from '../auth/authenticate.js';
import { parseHmacAuthorization } from '../auth/hmac-header.js';
import { isExpired, peekPresented, type AccessKeyCache } from '../auth/key-cache.js';
import { RateLimited } from '../kernel/rate-limited.js';
import type { UsageField } from './fields.js';
import type { UsageRecorder } from './recorder.js';

type Counter = Pick<UsageRecorder, 'count'>;
type Refusal = Extract<UsageField, 'wrong_secret' | 'rate_limited'>;

/** Counts a refusal for the credential presented as `presentedId` (a Key ID or legacy username). */
export function countRefused(keys: AccessKeyCache, usage: Counter, presentedId: string, field: Refusal): void {
  const key = peekPresented(keys, presentedId) ?? keys.peek(presentedId.toLowerCase());
  if (key) usage.count(key.id, key.projectId, isExpired(key) ? 'expired' : field);
}

/** The same for a signed (hmac) request, by the username of its Authorization header. */
export function countSignedRefusal(keys: AccessKeyCache, usage: Counter, authorization: string, field: Refusal): void {
  const parsed = parseHmacAuthorization(authorization);
  if (parsed.ok) countRefused(keys, usage, parsed.value.username, field);
}

/** The management API's authenticator, counting refused Basic and signed requests of existing keys. */
export function countingAuthenticator(auth: Authenticator, keys: AccessKeyCache, usage: Counter): Authenticator {
  return {
    bearer: (token, address) => auth.bearer(token, address),
    session: (token) => auth.session(token),
    async basic(keyId, secret, address, isGone) {
      try {
        const actor = await auth.basic(keyId, secret, address, isGone);
        if (!actor) countRefused(keys, usage, keyId, 'wrong_secret');
        return actor;
      } catch (err) {
        if (err instanceof RateLimited) countRefused(keys, usage, keyId, 'rate_limited');
        throw err;
      }
    },
    async hmac(request, address) {
      try {
        const outcome = await auth.hmac(request, address);
        // A stale Date or a replay carries no guess at the secret.
        if (!outcome.ok && outcome.reason !== 'stale_date' && outcome.reason !== 'replayed') countSignedRefusal(keys, usage, request.authorization, 'wrong_secret');
        return outcome;
      } catch (err) {
        if (err instanceof RateLimited) countSignedRefusal(keys, usage, request.authorization, 'rate_limited');
        throw err;
      }
    },
  };
}
