// Operator actions on accounts: `keymint bootstrap` creates a verified account, its
// first project and that project's first access key, atomically.
import { randomUUID } from 'node:crypto';
import { withTransaction, type Db } from '../db/pool.js';
import type { AccessKeysService } from './service.js';
import { insertAccount, insertProject } from '../accounts/queries.js';

export async function bootstrapAccount(
  db: Db,
  accessKeys: AccessKeysService,
  input: { account: string; project: string; key: string },
) {
  return withTransaction(db, async (tx) => {
    const account = await insertAccount(tx, { id: randomUUID(), name: input.account, verified: true });
    const project = await insertProject(tx, { id: randomUUID(), accountId: account.id, name: input.project });
    const created = await accessKeys.createInProject(project.id, input.key, tx);
    return { accountId: account.id, projectId: project.id, accessKey: created.accessKey, secret: created.secret };
  });
}
