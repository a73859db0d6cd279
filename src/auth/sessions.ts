// The console's credential, checked like every other kind (authenticate.ts): a session
// cookie's token, found with its user as they are now. Only the token's SHA-256 is stored;
// a value not shaped like a token is not looked up at all. Starting and ending sessions is
// the console's (dashboard/sessions.ts).
import type { Queryable } from '../db/pool.js';
import type { UserActor } from '../kernel/actor.js';
import { findLiveSession, touchSession } from './session-queries.js';
import { hashToken, isTokenShaped } from './session-token.js';

/** What a request learns from its cookie: who is signed in, and the CSRF token they must echo. */
export interface SessionContext {
  tokenHash: Buffer;
  csrfToken: string;
  actor: UserActor;
  /** After an Administrator's reset: the session may only change the password (dashboard/console-auth.ts). */
  mustChangePassword: boolean;
}

// last_seen_at is informative only; writing it at most once a minute keeps reads cheap.
const TOUCH_AFTER_MS = 60_000;

/** The live session of a cookie token, with its user as they are now; undefined when there is none. */
export async function findSession(db: Queryable, token: string): Promise<SessionContext | undefined> {
  if (!isTokenShaped(token)) return undefined;
  const tokenHash = hashToken(token);
  const row = await findLiveSession(db, tokenHash);
  if (!row) return undefined;
  if (Date.now() - row.last_seen_at.getTime() > TOUCH_AFTER_MS) await touchSession(db, tokenHash);
  return {
    tokenHash,
    csrfToken: row.csrf_token,
    actor: { kind: 'user', userId: row.user_id, accountId: row.account_id, email: row.email, role: row.role },
    mustChangePassword: row.must_change_password,
  };
}
