// Dashboard sessions: started for a user who signed in (the session row and its audit
// event commit together), found again from the cookie token on each request, ended on
// sign-out. Absolute lifetime only: a session ends SESSION_TTL_HOURS after sign-in, however
// busy. Expired rows are never honoured and are swept a few at a time on each sign-in.
import type { Logger } from 'pino';
import { withTransaction, type Db } from '../db/pool.js';
import type { UserActor } from '../kernel/actor.js';
import { getAccount, type Account } from '../accounts/accounts.js';
import type { Role } from '../kernel/roles.js';
import { recordAudit } from '../audit/audit-log.js';
import * as q from './session-queries.js';
import { hashToken, isTokenShaped, newToken } from './session-token.js';

/** What a request learns from its cookie: who is signed in, and the CSRF token they must echo. */
export interface SessionContext {
  tokenHash: Buffer;
  csrfToken: string;
  actor: UserActor;
  /** After an Administrator's reset: the session may only change the password (console-auth.ts). */
  mustChangePassword: boolean;
}

/** The body of POST and GET /api/session (docs/CONSOLE-API.md). */
export interface Session {
  user: { userId: string; email: string; role: Role; mustChangePassword: boolean };
  account: Account;
  csrfToken: string;
}

// last_seen_at is informative only; writing it at most once a minute keeps reads cheap.
const TOUCH_AFTER_MS = 60_000;
const SWEEP_BATCH = 100;

export class Sessions {
  constructor(private readonly opts: { db: Db; log: Logger; ttlHours: number }) {}

  get ttlSeconds(): number {
    return this.opts.ttlHours * 3600;
  }

  /** Starts a session for a user whose password was just verified; returns the cookie token. */
  async start(actor: UserActor, address: string | undefined, mustChangePassword = false): Promise<{ token: string; context: SessionContext }> {
    const token = newToken();
    const context: SessionContext = { tokenHash: hashToken(token), csrfToken: newToken(), actor, mustChangePassword };
    await withTransaction(this.opts.db, async (tx) => {
      await q.insertSession(tx, { tokenHash: context.tokenHash, userId: actor.userId, csrfToken: context.csrfToken, ttlHours: this.opts.ttlHours });
      await recordAudit(tx, { accountId: actor.accountId, actor, action: 'session.sign_in', address });
    });
    q.deleteExpiredSessions(this.opts.db, SWEEP_BATCH).catch((err: Error) => {
      this.opts.log.warn({ err: err.message }, 'could not sweep expired sessions');
    });
    return { token, context };
  }

  /** The live session of a cookie token, with its user as they are now; undefined when there is none. */
  async find(token: string): Promise<SessionContext | undefined> {
    if (!isTokenShaped(token)) return undefined;
    const tokenHash = hashToken(token);
    const row = await q.findLiveSession(this.opts.db, tokenHash);
    if (!row) return undefined;
    if (Date.now() - row.last_seen_at.getTime() > TOUCH_AFTER_MS) await q.touchSession(this.opts.db, tokenHash);
    return {
      tokenHash,
      csrfToken: row.csrf_token,
      actor: { kind: 'user', userId: row.user_id, accountId: row.account_id, email: row.email, role: row.role },
      mustChangePassword: row.must_change_password,
    };
  }

  async end(context: SessionContext): Promise<void> {
    await q.deleteSession(this.opts.db, context.tokenHash);
  }

  async describe(context: SessionContext): Promise<Session> {
    const { userId, email, role, accountId } = context.actor;
    const user = { userId, email, role, mustChangePassword: context.mustChangePassword };
    return { user, account: await getAccount(this.opts.db, accountId), csrfToken: context.csrfToken };
  }
}
