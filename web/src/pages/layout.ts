// The signed-in frame: brand, main navigation (Users and Audit log for Administrators only),
// who is signed in, Change password, Sign out; pages render into its <main>.
import { isAdministrator } from '../context';
import { h, type Child } from '../dom';
import type { Route } from '../router';
import { ROLE_NAMES, type Session } from '../types';

export function shell(session: Session, route: Route, onSignOut: () => void): HTMLElement {
  const current = (name: Route['name']) => (route.name === name ? 'page' : null);
  const signOut = h('button', { type: 'button', class: 'secondary small' }, 'Sign out');
  signOut.addEventListener('click', onSignOut);
  const main = h('main', { id: 'main', tabindex: '-1' });
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '/console/' }, 'Keymint'),
    h(
      'nav',
      { 'aria-label': 'Main' },
      h(
        'ul',
        null,
        h('li', null, h('a', { href: '/console/', 'aria-current': current('access-keys') }, 'Access keys')),
        h('li', null, h('a', { href: '/console/api-settings', 'aria-current': current('api-settings') }, 'API Settings')),
        h('li', null, h('a', { href: '/console/apis', 'aria-current': current('apis') }, 'APIs')),
        isAdministrator(session) && [
          h('li', null, h('a', { href: '/console/users', 'aria-current': current('users') }, 'Users')),
          h('li', null, h('a', { href: '/console/audit-log', 'aria-current': current('audit-log') }, 'Audit log')),
        ],
      ),
    ),
    h(
      'div',
      { class: 'who' },
      h('span', { class: 'account' }, session.account.name),
      h('span', { class: 'user' }, session.user.email, ' ', h('span', { class: 'badge' }, ROLE_NAMES[session.user.role])),
      h('a', { href: '/console/password', class: 'account-link', 'aria-current': current('password') }, 'Change password'),
      signOut,
    ),
  );
  document.getElementById('app')!.replaceChildren(header, main);
  return main;
}

/** A page heading that takes focus after a navigation, so screen readers announce the page. */
export const pageHeading = (text: string): HTMLHeadingElement => h('h1', { tabindex: '-1', class: 'page-title' }, text);

export const loadingNote = (what: string): HTMLElement => h('p', { class: 'loading', role: 'status' }, `Loading ${what}…`);

export const errorNote = (message: string): HTMLElement => h('p', { class: 'error-note', role: 'alert' }, message);

/** Settings › <page>, above a settings page's heading. */
export const settingsBreadcrumb = (page: string): HTMLElement =>
  h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('ol', null, h('li', null, 'Settings'), h('li', { 'aria-current': 'page' }, page)));

/** A page outside the signed-in frame (sign-in, the forced password change): one narrow card. */
export function standalonePage(title: string, ...children: Child[]): HTMLElement {
  const main = h('main', { id: 'main', class: 'sign-in', tabindex: '-1' }, h('div', { class: 'card narrow' }, h('p', { class: 'brand' }, 'Keymint'), h('h1', { tabindex: '-1' }, title), children));
  document.getElementById('app')!.replaceChildren(main);
  return main;
}
