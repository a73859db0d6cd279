// Dashboard sessions: started for a user who signed in (the session row and its audit
// event commit together) and ended on sign-out; found again on each request by the caller
// check (auth/sessions.ts). Absolute lifetime only: a session ends SESSION_TTL_HOURS after
// sign-in, however busy. Expired rows are never honoured and are swept a few at a time on each sign-in.
import type { Logger } from 'pino';
import { withTransaction, type Db } from '../db/pool.js';
import type { UserActor } from '../kernel/actor.js';
import { getAccount, type Account } from '../accounts/accounts.js';
import type { Role } from '../kernel/roles.js';
import { recordAudit } from '../audit/audit-log.js';
import * as q from './session-queries.js';
import { hashToken, newToken } from '../auth/session-token.js';
import type { SessionContext } from '../auth/sessions.js';

export type { SessionContext };

/** The body of POST and GET /api/session (docs/CONSOLE-API.md). */
export interface Session {
  user: { userId: string; email: string; role: Role; mustChangePassword: boolean };
  account: Account;
  csrfToken: string;
}

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

  async end(context: SessionContext): Promise<void> {
    await q.deleteSession(this.opts.db, context.tokenHash);
  }

  async describe(context: SessionContext): Promise<Session> {
    const { userId, email, role, accountId } = context.actor;
    const user = { userId, email, role, mustChangePassword: context.mustChangePassword };
    return { user, account: await getAccount(this.opts.db, accountId), csrfToken: context.csrfToken };
  }
}
