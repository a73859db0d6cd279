// The life of a signing key, computed from timestamps alone so that every instance
// reaches the same answer without coordination:
//   pending  – published, not yet signing (activates_at in the future)
//   active   – the newest key that has activated: it signs
//   retiring – superseded, still published until tokens it signed have expired
//   retired  – no longer published
import type { SigningKeyRow } from './signing-key-queries.js';

export type KeyState = 'pending' | 'active' | 'retiring' | 'retired';

export interface KeyStatus {
  row: SigningKeyRow;
  state: KeyState;
  /** When a superseded key stops being published. */
  unpublishAt?: Date;
}

/**
 * @param rows keys ordered by activates_at
 * @param retentionMs how long a superseded key stays published (token TTL + clock skew)
 */
export function keyStatuses(rows: readonly SigningKeyRow[], now: number, retentionMs: number, alg: string): KeyStatus[] {
  const sameAlg = rows.filter((r) => r.alg === alg);
  const activeRows = sameAlg.filter((r) => r.activates_at.getTime() <= now);
  const signer = activeRows[activeRows.length - 1];
  return rows.map((row) => {
    if (row.activates_at.getTime() > now) return { row, state: 'pending' };
    if (row === signer) return { row, state: 'active' };
    // Superseded when the next key (any alg) activated. A key of another alg with no
    // activated successor is the newest key: an instance configured with that alg (a
    // rolling SIGNING_ALG change) may be signing with it, so it stays published.
    const successor = rows.find((r) => r.activates_at > row.activates_at && r.activates_at.getTime() <= now);
    const supersededAt = successor ? successor.activates_at.getTime() : now;
    const unpublishAt = new Date(supersededAt + retentionMs);
    return { row, state: unpublishAt.getTime() > now ? 'retiring' : 'retired', unpublishAt };
  });
}

/** The next instant at which some key changes state, to re-evaluate then. */
export function nextTransition(statuses: readonly KeyStatus[], now: number): number | undefined {
  const times = statuses.flatMap((s) =>
    s.state === 'pending' ? [s.row.activates_at.getTime()] : s.state === 'retiring' && s.unpublishAt ? [s.unpublishAt.getTime()] : [],
  );
  const future = times.filter((t) => t > now);
  return future.length ? Math.min(...future) : undefined;
}
