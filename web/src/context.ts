// What every page of the signed-in console gets: the session, its <main>, and a way to set
// the document title, to keep the account's state (verification) current, and to reload
// the session when the signed-in user's own role changed (or they removed themselves).
import type { Account, Session } from './types';

export interface PageContext {
  session: Session;
  main: HTMLElement;
  setTitle(title: string): void;
  setAccount(account: Account): void;
  renewSession(): Promise<void>;
}

export const isAdministrator = (session: Session): boolean => session.user.role === 'administrator';

/** Administrators of verified accounts create credentials. */
export const canCreate = (session: Session): boolean => isAdministrator(session) && session.account.verified;
