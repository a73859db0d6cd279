// The ways of presenting a Key ID that is not yours, set up on a running Keymint: an
// unknown key (a random UUID), a deleted key (it got tokens, then was deleted through the
// API, and its old secret is presented), a wrong secret for a cold key (a row no request
// has named before: each try takes a fresh one, so the server reads it from the database,
// which it usually need not for an unknown Key ID: known-ids.ts), a wrong secret for a
// warm key (its real secret got a token, so its row is cached in the server), and the same
// two questions for legacy credentials: an unknown username, and a wrong password for an
// existing one (bcrypt at the server's cost).
import { randomUUID } from 'node:crypto';
import { generateSecret } from '../../src/kernel/secrets.js';
import { basic } from '../load.js';
import type { Seeder } from './seeder.js';
import { deleteKey, getToken } from './keymint.js';
import { query, shuffle } from './stats.js';

export interface Case {
  readonly name: string;
  /** The Authorization header of the next try. */
  next(): string;
}

export interface Cases {
  projectId: string;
  cases: Case[];
  /** The case the others are compared with. */
  reference: string;
}

const DELETED_KEYS = 5;

/** `coldKeys`: how many never-named keys to make, one per try of the cold case. */
export async function prepareCases(url: string, databaseUrl: string, seeder: Seeder, coldKeys: number): Promise<Cases> {
  const owner = await seeder.bootstrap('Timing');
  const ownerAuth = basic(owner.accessKeyId, owner.secret);
  const [warm, ...deleted] = await seeder.createKeys(owner.projectId, 1 + DELETED_KEYS, 2);
  await getToken(url, basic(warm.accessKeyId, warm.secret));
  for (const k of deleted) {
    await getToken(url, basic(k.accessKeyId, k.secret));
    await deleteKey(url, owner.projectId, k.accessKeyId, ownerAuth);
  }

  // Rows by SQL sharing one real digest: a wrong secret costs exactly what it costs against
  // any key, and nobody knows the right one.
  await seeder.insertRows(owner.projectId, coldKeys);
  const cold = shuffle(
    (
      await query<{ id: string }>(databaseUrl, "SELECT id FROM access_keys WHERE project_id = $1 AND display_name LIKE 'bulk key %'", [
        owner.projectId,
      ])
    ).map((r) => r.id),
  );
  if (cold.length !== coldKeys) throw new Error(`expected ${coldKeys} cold keys, found ${cold.length}`);

  // A legacy credential by SQL with a bcrypt hash at the server's cost (as a legacy password
  // is stored) of a password nobody keeps.
  const username = `timing.legacy.${randomUUID().slice(0, 8)}`;
  await seeder.insertLegacy(owner.projectId, username, generateSecret());

  const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];
  const cases: Case[] = [
    { name: 'unknown key', next: () => basic(randomUUID(), generateSecret()) },
    {
      name: 'deleted key',
      next: () => {
        const k = pick(deleted);
        return basic(k.accessKeyId, k.secret);
      },
    },
    {
      name: 'wrong secret, cold key',
      next: () => {
        const id = cold.pop();
        if (!id) throw new Error('ran out of cold keys');
        return basic(id, generateSecret());
      },
    },
    { name: 'wrong secret, warm key', next: () => basic(warm.accessKeyId, generateSecret()) },
    { name: 'unknown legacy username', next: () => basic(`nobody.${randomUUID().slice(0, 8)}`, 'Passw0rd') },
    { name: 'wrong legacy password', next: () => basic(username, `Wr0ng${randomUUID().slice(0, 8)}`) },
  ];
  return { projectId: owner.projectId, cases, reference: 'wrong secret, cold key' };
}
