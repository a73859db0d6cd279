// Proves that KEYMINT_MASTER_KEY is the key this database's secrets are sealed with,
// before anything sealed is written: a wrong key (a typo, another environment's key) must
// not add a signing key that no other instance can open. The proof is a check value
// sealed by the first instance or command to run on the database. A database from before
// the check existed adopts one from the first key that opens one of its signing keys.
import type { Db } from '../db/pool.js';
import { withTransaction } from '../db/pool.js';
import { ConfigError } from '../config.js';
import type { SealedBox } from './sealed-box.js';
import { findMasterKeyCheck, insertMasterKeyCheck, listSealedSigningKeys } from './master-key-check-queries.js';

const CHECK_TEXT = 'keymint master key check v1';
const CHECK_AD = 'master-key-check';

export class WrongMasterKeyError extends ConfigError {}

const opens = (box: SealedBox, sealed: string, ad: string) => {
  try {
    box.open(sealed, ad);
    return true;
  } catch {
    return false;
  }
};

const wrongKey = (what: string) =>
  new WrongMasterKeyError(
    `KEYMINT_MASTER_KEY is not the master key of this database: it does not open ${what}. Nothing was written. ` +
      'Every instance and command on one database must use the same KEYMINT_MASTER_KEY (check for a typo or another environment\'s key).',
  );

/** Throws WrongMasterKeyError unless `box` holds this database's master key; records the check value when there is none. */
export async function checkMasterKey(db: Db, box: SealedBox): Promise<void> {
  const stored = await findMasterKeyCheck(db);
  if (stored !== undefined) {
    if (!opens(box, stored, CHECK_AD)) throw wrongKey('its key-check value');
    return;
  }
  await withTransaction(db, async (tx) => {
    const keys = await listSealedSigningKeys(tx);
    if (keys.length > 0 && !keys.some((k) => opens(box, k.private_sealed, `signing-key:${k.kid}`))) throw wrongKey('any of its signing keys');
    const kept = await insertMasterKeyCheck(tx, box.seal(CHECK_TEXT, CHECK_AD));
    if (!opens(box, kept, CHECK_AD)) throw wrongKey('the key-check value another instance has just recorded');
  });
}
