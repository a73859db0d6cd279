// Rotating the secret of a REST Basic or HMAC key without downtime (issue 14): the key keeps its
// Key ID, gets a new secret (shown once, stored as a digest) and its previous secret keeps
// working until a time the caller chooses (default 24 h, "now" allowed, at most 30 days)
// or until it is revoked. At most two secrets at a time: a rotation while the previous one
// still works is refused, so no secret a client may still use disappears unannounced.
// Each change commits with its audit event; the row's trigger announces it to every
// instance (migrations/0080), and publish() applies it here at once.
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { findProjectWithAccount } from '../accounts/queries.js';
import { recordAudit, type AuditEntry } from '../audit/audit-log.js';
import { hashSecret } from '../auth/secret-hash.js';
import { generateSecret } from '../kernel/secrets.js';
import { ApiError } from '../kernel/api-error.js';
import type { Actor } from '../kernel/actor.js';
import type { SealedBox } from '../crypto/sealed-box.js';
import { sealHmacSecret } from '../auth/hmac-secrets.js';
import { clearPreviousSecret, findKeySecrets, revokeKeyTokens, rotateHmacSecret, rotateKeySecret, type KeyRef, type SecretsRow } from './rotation-queries.js';

export const DEFAULT_OVERLAP_MS = 24 * 3600_000;
export const MAX_OVERLAP_MS = 30 * 24 * 3600_000;

/** When the previous secret stops: an overlap from now (0: at once) or a time. */
export type Overlap = { overlapMs: number } | { previousSecretExpireTime: Date };

export interface KeySecret {
  state: 'CURRENT' | 'PREVIOUS';
  createTime: string;
  /** The previous secret's end; absent for the current one (it lasts as long as the key). */
  expireTime?: string;
  /** Absent until first used. Recorded in batches, so a few seconds behind. */
  lastUseTime?: string;
}

export interface RotationWho {
  actor?: Actor;
  /** For the operator at the CLI. */
  actorName?: string;
  address?: string;
}

/** The key holds a previous secret (a digest, or sealed for hmac) that still works. */
const previousWorks = (row: SecretsRow) =>
  (row.previous_secret_hash !== null || row.previous_secret_sealed !== null) && row.previous_secret_expire_time! > row.now;

const later = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));

// The key's last_use_time counts uses of either secret; it is the current one's only after
// the previous one stopped (or before any rotation).
function currentLastUse(row: SecretsRow): Date | null {
  const since = row.previous_secret_expire_time ?? row.secret_create_time ?? row.create_time;
  const keyUse = !previousWorks(row) && row.last_use_time && row.last_use_time >= since ? row.last_use_time : null;
  return later(row.secret_last_use_time, keyUse);
}

export function toKeySecrets(row: SecretsRow): KeySecret[] {
  // A REST Basic key without a secret (issue 14: it authenticates with its public keys) lists none.
  if (row.kind === 'basic' && row.secret_hash === null) return [];
  const iso = (d: Date | null) => (d ? d.toISOString() : undefined);
  const current: KeySecret = { state: 'CURRENT', createTime: (row.secret_create_time ?? row.create_time).toISOString() };
  const used = iso(currentLastUse(row));
  if (used) current.lastUseTime = used;
  const out = [current];
  if (previousWorks(row)) {
    out.push({
      state: 'PREVIOUS',
      createTime: row.previous_secret_create_time!.toISOString(),
      expireTime: row.previous_secret_expire_time!.toISOString(),
      ...(row.previous_secret_last_use_time ? { lastUseTime: row.previous_secret_last_use_time.toISOString() } : {}),
    });
  }
  return out;
}

function previousEnd(overlap: Overlap, now: Date): Date | null {
  if ('previousSecretExpireTime' in overlap) {
    const at = overlap.previousSecretExpireTime;
    if (at.getTime() > now.getTime() + MAX_OVERLAP_MS) throw tooLong();
    // A time already past means "now", but a stale clock on the caller's side should not
    // silently end an overlap meant to last: more than a minute ago is refused.
    if (at.getTime() < now.getTime() - 60_000) {
      throw ApiError.invalidArgument(`previousSecretExpireTime ${at.toISOString()} has passed; for no overlap send previousSecretTtl "0s".`);
    }
    return at > now ? at : null;
  }
  if (overlap.overlapMs > MAX_OVERLAP_MS) throw tooLong();
  return overlap.overlapMs > 0 ? new Date(now.getTime() + overlap.overlapMs) : null;
}

const tooLong = () => ApiError.invalidArgument('The previous secret can keep working for at most 30 days (previousSecretTtl at most "2592000s").');

export class SecretRotation {
  /** `box` seals an hmac key's new secret; without it only REST Basic keys rotate (the CLI). */
  constructor(private readonly deps: { db: Db; feed: ChangeFeed; box?: SealedBox }) {}

  async list(projectId: string, ref: KeyRef): Promise<KeySecret[]> {
    const row = await findKeySecrets(this.deps.db, projectId, ref, false);
    if (!row || !rotatable(row.kind)) throw notRotatable(row);
    return toKeySecrets(row);
  }

  async rotate(projectId: string, ref: KeyRef, overlap: Overlap, who: RotationWho): Promise<{ row: SecretsRow; secret: string; secrets: KeySecret[] }> {
    const secret = generateSecret();
    const row = await withTransaction(this.deps.db, async (tx) => {
      const before = await this.#lock(tx, projectId, ref);
      if (previousWorks(before)) {
        throw ApiError.failedPrecondition(
          `The key already has two secrets: its previous secret works until ${before.previous_secret_expire_time!.toISOString()}. ` +
            'Revoke it (:revokePreviousSecret) or wait until then before rotating again.',
        );
      }
      // A key without a secret (access-keys/key-credentials.ts) simply gets one: there is no previous secret to keep.
      const until = before.kind === 'basic' && before.secret_hash === null ? null : previousEnd(overlap, before.now);
      const after = before.kind === 'hmac'
        ? await rotateHmacSecret(tx, before.id, sealHmacSecret(this.#box(), before.id, secret), until)
        : await rotateKeySecret(tx, before.id, hashSecret(secret), until, currentLastUse(before));
      await this.#audit(tx, who, 'credential.secret_rotate', after, { previousSecretExpireTime: until?.toISOString() ?? after.now.toISOString() });
      return after;
    });
    await this.deps.feed.publish({ kind: 'access_key', id: row.id });
    return { row, secret, secrets: toKeySecrets(row) };
  }

  /** `revokeTokens`: every token of the key issued until now is revoked too (the revocation feed). */
  async revokePrevious(projectId: string, ref: KeyRef, who: RotationWho, revokeTokens = false): Promise<{ row: SecretsRow; secrets: KeySecret[] }> {
    const row = await withTransaction(this.deps.db, async (tx) => {
      const before = await this.#lock(tx, projectId, ref);
      if (!previousWorks(before)) {
        throw ApiError.failedPrecondition('The key has no previous secret that still works: there is nothing to revoke.');
      }
      const after = await clearPreviousSecret(tx, before.id);
      if (revokeTokens) await revokeKeyTokens(tx, before.id);
      await this.#audit(tx, who, 'credential.secret_revoke_previous', after, { previousSecretCreateTime: before.previous_secret_create_time!.toISOString(), revokeTokens });
      return after;
    });
    await this.deps.feed.publish({ kind: 'access_key', id: row.id });
    return { row, secrets: toKeySecrets(row) };
  }

  async #lock(tx: Queryable, projectId: string, ref: KeyRef): Promise<SecretsRow> {
    const row = await findKeySecrets(tx, projectId, ref, true);
    if (!row || !rotatable(row.kind)) throw notRotatable(row);
    return row;
  }

  #box(): SealedBox {
    if (!this.deps.box) throw ApiError.failedPrecondition('An HMAC credential is rotated in the console, which holds the master key.');
    return this.deps.box;
  }

  async #audit(tx: Queryable, who: RotationWho, action: AuditEntry['action'], row: SecretsRow, details: AuditEntry['details']) {
    const project = await findProjectWithAccount(tx, row.project_id);
    if (!project) throw ApiError.notFound(`Project ${row.project_id} no longer exists.`);
    await recordAudit(tx, {
      accountId: project.account_id,
      ...(who.actor ? { actor: who.actor } : { actorName: who.actorName }),
      action,
      projectId: row.project_id,
      credential: { credentialId: row.credential_id, kind: row.kind, label: row.display_name },
      details,
      address: who.address,
    });
  }
}

const rotatable = (kind: string) => kind === 'basic' || kind === 'hmac';

function notRotatable(row: SecretsRow | undefined): ApiError {
  if (row) return ApiError.failedPrecondition(`Only a REST Basic or HMAC credential's secret can be rotated; this credential is ${row.kind} (a legacy password is changed instead).`);
  return ApiError.notFound('There is no such key in this project.');
}
