// Who is calling an API: an access key (any kind of credential, acting for its own
// project) or a signed-in user of an account (acting with their role).
import type { Role } from './roles.js';

export interface KeyActor {
  kind: 'access_key';
  accessKeyId: string;
  projectId: string;
  /** The management API scopes this request holds (kernel/grants.ts): the key's grants, and for a token also its scope. */
  scopes: ReadonlySet<string>;
}

export interface UserActor {
  kind: 'user';
  userId: string;
  accountId: string;
  email: string;
  role: Role;
}

export type Actor = KeyActor | UserActor;

/** An actor with the address the request came from (for the audit log). */
export interface Caller {
  actor: Actor;
  address?: string;
}
