// `keymint signing-keys prune-undecryptable`: removes the signing keys the master key does
// not open. It runs only after the master key check passed (the CLI's withDatabase), so a
// wrong master key can never remove the good keys.
import type { Command } from 'commander';
import type { SealedBox } from '../crypto/sealed-box.js';
import type { Db } from '../db/pool.js';
import { pruneUndecryptable } from './signing-key-prune.js';

type WithKey = (fn: (db: Db, box: SealedBox) => Promise<void>) => Promise<void>;

export function registerPruneCommand(signingKeys: Command, withKey: WithKey): void {
  signingKeys
    .command('prune-undecryptable')
    .description('remove the signing keys that KEYMINT_MASTER_KEY does not open (written with another master key)')
    .option('--json', 'print JSON: {"removed":[kid,...]}')
    .action((opts: { json?: boolean }) =>
      withKey(async (db, box) => {
        const removed = await pruneUndecryptable(db, box);
        if (opts.json) return console.log(JSON.stringify({ removed }));
        console.log(removed.length ? `Removed ${removed.length} undecryptable signing key(s): ${removed.join(', ')}` : 'Every signing key opens with this master key; nothing to remove.');
      }),
    );
}
