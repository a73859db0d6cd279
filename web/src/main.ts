// The console's entry: find out who is signed in, then render the page of the current
// route, or the sign-in page. A 401 from any call (session ended) returns to sign-in.
import './styles.css';
import { ApiFailure, whenSignedOut } from './api';
import type { PageContext } from './context';
import { h } from './dom';
import { getSession, signOut } from './endpoints';
import { announce } from './live';
import { accessKeysPage } from './pages/access-keys';
import { apiSettingsPage } from './pages/api-settings';
import { apisPage } from './pages/apis';
import { auditLogPage } from './pages/audit-log';
import { pageHeading, shell } from './pages/layout';
import { forcedPasswordPage, passwordPage } from './pages/password';
import { signInPage } from './pages/sign-in';
import { usersPage } from './pages/users';
import { usagePage } from './pages/usage';
import { parseRoute, startRouter, type Route } from './router';
import type { Session } from './types';

let session: Session | null = null;
let rendered = false;

function showSignIn(notice?: string): void {
  session = null;
  // A dialog left open (a call answered 401 under it) must not cover the sign-in form.
  document.querySelectorAll('dialog').forEach((dialog) => dialog.remove());
  signInPage((signedIn) => {
    session = signedIn;
    rendered = true; // focus the first page's heading
    render(parseRoute(location.pathname));
  }, notice);
}

async function onSignOut(): Promise<void> {
  try {
    await signOut();
  } catch (err) {
    if (!(err instanceof ApiFailure) || err.status !== 401) {
      announce(err instanceof Error ? `Sign-out failed: ${err.message}` : 'Sign-out failed.');
      return;
    }
  }
  showSignIn('You have signed out.');
}

async function renewSession(): Promise<void> {
  try {
    session = await getSession();
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return showSignIn('Your session has ended. Sign in again to continue.');
    throw err;
  }
  render(parseRoute(location.pathname));
}

const PAGES: Partial<Record<Route['name'], (ctx: PageContext) => Promise<void>>> = {
  'access-keys': accessKeysPage,
  apis: apisPage,
  users: usersPage,
  'audit-log': auditLogPage,
  password: passwordPage,
};

function render(route: Route): void {
  if (!session) return showSignIn();
  const current = session;
  // After an Administrator's reset the API allows nothing but the change: neither does the console.
  if (current.user.mustChangePassword) {
    return forcedPasswordPage(current, (changed) => {
      session = changed;
      render(parseRoute(location.pathname));
      announce('Your new password is saved.');
    }, () => void onSignOut());
  }
  const main = shell(current, route, () => void onSignOut());
  const ctx: PageContext = {
    session: current,
    main,
    setTitle: (title) => (document.title = `${title} · Keymint console`),
    setAccount: (account) => (current.account = account),
    renewSession,
  };
  const simple = PAGES[route.name];
  const page = simple
    ? simple(ctx)
    : route.name === 'api-settings'
      ? apiSettingsPage(ctx, route.projectId)
      : route.name === 'usage'
        ? usagePage(ctx, route.projectId)
        : Promise.resolve(void main.append(pageHeading('Page not found'), h('p', null, h('a', { href: '/console/' }, 'Go to Access keys'))));
  // After a navigation, focus moves to the new page's heading so it is announced.
  if (rendered) void page.finally(() => main.querySelector<HTMLElement>('h1')?.focus());
  rendered = true;
}

whenSignedOut(() => showSignIn('Your session has ended. Sign in again to continue.'));

async function boot(): Promise<void> {
  let notice: string | undefined;
  try {
    session = await getSession();
  } catch (err) {
    if (err instanceof ApiFailure && err.status !== 401) notice = err.message;
  }
  startRouter(render);
  if (!session && notice) showSignIn(notice);
}

document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('main')?.focus();
});

void boot();
