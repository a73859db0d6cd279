// The check of a console user's e-mail and password (POST /api/session). The e-mail is
// checked against its pattern and made canonical before any lookup; an unknown e-mail and a
// wrong password get the same answer after the same bcrypt work (a dummy hash), queued
// behind known users' sign-ins. A place in the failure budgets (SIGNIN_FAILURES_*) is
// reserved before bcrypt runs and refunded on success, so a burst of guesses cannot race
// past them; the user with the right password from a clean address gets in whatever others
// sent (failure-limiter.ts).
import type { Queryable } from '../db/pool.js';
import type { UserActor } from '../kernel/actor.js';
import { canonicalEmail } from '../kernel/identifiers.js';
import { Overloaded, RateLimited } from '../kernel/rate-limited.js';
import type { Metrics } from '../metrics/registry.js';
import { createHash } from 'node:crypto';
import { bcryptCompare } from './bcrypt-lane.js';
import type { FailureLimiter } from './failure-limiter.js';
import type { FailureCount } from './failure-queries.js';
import { findUserForSignIn } from './queries.js';

export interface PasswordsOptions {
  db: Queryable;
  /** The sign-in limiter (scope 'signin:'): its credential buckets are e-mails. */
  limiter: FailureLimiter;
  /** A bcrypt hash at the users' cost that no password matches. */
  unusableHash: string;
  metrics?: Pick<Metrics, 'bcryptCompares'>;
}

export type PasswordVerdict =
  | { ok: true; actor: UserActor; mustChangePassword: boolean; /** What verified: a change of password expects it unchanged. */ passwordHash: string }
  /** `email` canonical (undefined when it was no e-mail); `failures`: this failure's place in the shared count of the e-mail. */
  | { ok: false; email?: string; accountId?: string; failures?: number };

// The e-mail is hashed (160 bits of SHA-256 in hex) so that a long one fits the bucket, and
// the shared table holds no addresses of people.
export const emailBucketKey = (email: string) => createHash('sha256').update(email).digest('hex').slice(0, 40);

export class UserPasswords {
  constructor(private readonly opts: PasswordsOptions) {}

  /** Throws RateLimited (429) over the budgets, Overloaded (503) when bcrypt's queue is full. */
  async check(rawEmail: string, password: string, ctx: { address?: string; isGone?: () => boolean }): Promise<PasswordVerdict> {
    const { limiter } = this.opts;
    const email = canonicalEmail(rawEmail);
    if (email === undefined) {
      // No e-mail address at all: nobody's, so nothing to look up or compare.
      const wait = limiter.blockedFor(ctx.address, undefined);
      if (wait) throw new RateLimited(wait);
      await limiter.recordFailure(ctx.address, undefined);
      return { ok: false };
    }
    const key = emailBucketKey(email);
    // The address's own budget before the read; its network's holds back unknown e-mails
    // only (reserve), so a neighbour's flood never refuses a user at a clean address.
    const early = limiter.addressBlockedFor(ctx.address);
    if (early) throw new RateLimited(early);
    const user = await findUserForSignIn(this.opts.db, email);
    const reserved = limiter.reserve({ address: ctx.address, key }, user !== undefined);
    if (!('succeeded' in reserved)) throw new RateLimited(reserved.retryAfter);
    let matches: boolean;
    try {
      this.opts.metrics?.bcryptCompares.inc();
      matches = await bcryptCompare(password, user?.password_hash ?? this.opts.unusableHash, {
        priority: user ? 'known' : 'unknown',
        isGone: ctx.isGone,
      });
    } catch (err) {
      reserved.succeeded();
      throw err instanceof Overloaded ? err : new Overloaded(1);
    }
    if (user && matches) {
      reserved.succeeded();
      const actor: UserActor = { kind: 'user', userId: user.id, accountId: user.account_id, email: user.email, role: user.role };
      return { ok: true, actor, mustChangePassword: user.must_change_password, passwordHash: user.password_hash };
    }
    const counts: FailureCount[] = await reserved.failed();
    const failures = counts.find((c) => c.bucket.startsWith('key:'))?.failures;
    return { ok: false, email, accountId: user?.account_id, failures };
  }
}
