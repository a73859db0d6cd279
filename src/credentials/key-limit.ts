// Sinch limits the keys of a project; so can Keymint (MAX_KEYS_PER_PROJECT, off by default).
// One rule for every way a credential is made (v1 access keys, the console's REST Basic, HMAC
// and legacy credentials): counted under a per-project lock in the creating transaction, so
// concurrent creations cannot pass the limit together.
import type { Queryable } from '../db/pool.js';
import { ApiError } from '../kernel/api-error.js';
import { lockAndCountProjectCredentials } from './queries.js';

export async function withinKeyLimit(tx: Queryable, projectId: string, max: number | undefined): Promise<void> {
  if (!max) return;
  const count = await lockAndCountProjectCredentials(tx, projectId);
  if (count >= max) {
    throw new ApiError(
      400,
      'FAILED_PRECONDITION',
      `The project already has ${count} access keys, its limit (MAX_KEYS_PER_PROJECT=${max}). Delete a key before creating another.`,
    );
  }
}
