// Finding and removing signing keys that the master key does not open: keys written by an
// instance or command that ran with another KEYMINT_MASTER_KEY (before the key check
// existed). No instance can sign with such a key; removing it is what `keymint
// signing-keys prune-undecryptable` does, after the master key has been proven right.
import type { SealedBox } from '../crypto/sealed-box.js';
import { withTransaction, type Db } from '../db/pool.js';
import { openPrivateJwk } from './signing-key-material.js';
import * as q from './signing-key-queries.js';

export function opensWith(box: SealedBox, row: Pick<q.SigningKeyRow, 'kid' | 'private_sealed'>): boolean {
  try {
    openPrivateJwk(box, row.kid, row.private_sealed);
    return true;
  } catch {
    return false;
  }
}

/** Deletes the keys `box` cannot open, in one transaction; never every key. Returns their kids. */
export async function pruneUndecryptable(db: Db, box: SealedBox): Promise<string[]> {
  return withTransaction(db, async (tx) => {
    await q.lockSigningKeys(tx);
    const rows = await q.listSigningKeys(tx);
    const doomed = rows.filter((r) => !opensWith(box, r)).map((r) => r.kid);
    if (doomed.length === 0) return [];
    if (doomed.length === rows.length) {
      throw new Error('this master key opens none of the signing keys: nothing was removed (is KEYMINT_MASTER_KEY right?)');
    }
    await q.deleteSigningKeys(tx, doomed);
    return doomed;
  });
}
