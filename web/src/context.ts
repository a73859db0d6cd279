// What every page of the signed-in console gets: the session, its <main>, and a way to set
// the document title and to keep the account's state (verification) current.
import type { Account, Session } from './types';

export interface PageContext {
  session: Session;
  main: HTMLElement;
  setTitle(title: string): void;
  setAccount(account: Account): void;
}

export const isAdministrator = (session: Session): boolean => session.user.role === 'administrator';

/** Administrators of verified accounts create credentials. */
export const canCreate = (session: Session): boolean => isAdministrator(session) && session.account.verified;
