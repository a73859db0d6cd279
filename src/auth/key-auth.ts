// Authenticates management requests as an access key: a Bearer token whose key still
// exists and has not expired, or the Key ID and Key Secret themselves (same answer for
// unknown, expired and wrong). Both read the key through the cache, so warm requests make
// no database round trip; each success is noted for the key's lastUseTime (batched).
// Failures count against the address's budget; a blocked address gets 429 for anything
// that does not verify cheaply (see auth/failure-limiter.ts). HMAC-signed requests are
// checked by hmac-auth.ts.
import type { FailureLimiter } from './failure-limiter.js';
import { RateLimited } from '../kernel/rate-limited.js';
import type { Authenticator } from './authenticate.js';
import type { Logger } from 'pino';
import type { SealedBox } from '../crypto/sealed-box.js';
import { checkHmacRequest, type HmacAuthDeps } from './hmac-auth.js';
import type { KeySecrets } from './key-secrets.js';
import { isUuid } from '../kernel/ids.js';
import type { AccessKeyCache, AuthKey } from './key-cache.js';
import { managementScopesOf } from '../kernel/grants.js';
import type { KeyActor as Actor } from '../kernel/actor.js';
import type { Queryable } from '../db/pool.js';
import { findSession } from './sessions.js';

/** What a verified access token says (oauth/access-token-verifier.ts makes it; injected). */
export interface VerifiedToken {
  clientId: string;
  projectId: string;
  scope?: string;
}

export interface KeyAuthDeps {
  keys: AccessKeyCache;
  /** The check of a Key ID (or legacy username) and secret. */
  secrets: KeySecrets;
  limiter: FailureLimiter;
  verifyAccessToken(token: string): Promise<VerifiedToken | undefined>;
  /** Notes each success for the key's lastUseTime (access-keys/last-use.ts). */
  lastUse?: { record(keyId: string): void };
  /** Opens the sealed secrets of hmac keys. */
  box: SealedBox;
  log?: Pick<Logger, 'warn'>;
  /** Remembers accepted HMAC signatures, so that a replay is refused. */
  replays?: HmacAuthDeps['replays'];
  /** Where console sessions are found (auth/sessions.ts). */
  db: Queryable;
}

export function keyAuthenticator(deps: KeyAuthDeps): Authenticator {
  const { keys, limiter, verifyAccessToken, lastUse } = deps;
  // What the key may do on the management API is judged by its grants, whatever the
  // credential; a token further holds only the scopes it was issued with, except under the
  // Sinch model, whose tokens never named scopes (kernel/grants.ts).
  const actor = (key: AuthKey, tokenScope?: string): Actor => {
    lastUse?.record(key.id);
    let scopes = managementScopesOf(key.policy);
    if (tokenScope !== undefined && key.policy) {
      const held = new Set(tokenScope.split(' '));
      scopes = new Set([...scopes].filter((s) => held.has(s)));
    }
    return { kind: 'access_key', accessKeyId: key.id, projectId: key.projectId, scopes };
  };

  const activeKeyOf = async (token: string) => {
    const verified = await verifyAccessToken(token);
    if (!verified || !isUuid(verified.clientId)) return undefined;
    // A deleted or expired key's tokens stop working at once, not when they expire.
    const key = await keys.getActive(verified.clientId.toLowerCase());
    return key && key.projectId === verified.projectId ? { key, scope: verified.scope ?? '' } : undefined;
  };

  return {
    async bearer(token, address) {
      const active = await activeKeyOf(token);
      if (active) return actor(active.key, active.scope);
      const wait = limiter.blockedFor(address, undefined);
      if (wait) throw new RateLimited(wait);
      await limiter.recordFailure(address, undefined);
      return undefined;
    },
    async basic(keyId, secret, address, isGone) {
      const key = await deps.secrets.check(keyId, secret, { address, isGone });
      return key ? actor(key) : undefined;
    },
    async hmac(request, address) {
      const checked = await checkHmacRequest({ keys, limiter, box: deps.box, log: deps.log, replays: deps.replays }, request, address);
      if (!checked.ok) return checked;
      return { ok: true, actor: actor(checked.key), bodyDigests: checked.bodyDigests };
    },
    session: (token) => findSession(deps.db, token),
  };
}
