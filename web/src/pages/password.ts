// Change password, for everyone: as a page of the console (/console/password), and as the
// only page a user sees after an Administrator reset their password, until they chose a
// new one (the API allows that session nothing else).
import type { PageContext } from '../context';
import { fill, h } from '../dom';
import { passwordForm } from '../sections/password-form';
import type { Session } from '../types';
import { pageHeading, standalonePage } from './layout';

const OTHERS_SIGNED_OUT = 'Your other sessions, on other browsers and devices, are signed out when the password changes; this one stays signed in.';

export async function passwordPage(ctx: PageContext): Promise<void> {
  ctx.setTitle('Change password');
  const status = h('p', { class: 'status-line', role: 'status' });
  const form = passwordForm('Change password', (session) => {
    ctx.session.csrfToken = session.csrfToken;
    status.textContent = 'Your password has been changed. Your other sessions were signed out.';
  });
  fill(
    ctx.main,
    pageHeading('Change password'),
    h('p', { class: 'lead' }, `You sign in to this console as ${ctx.session.user.email}. ${OTHERS_SIGNED_OUT}`),
    h('section', { class: 'card narrow-form', 'aria-label': 'Change password' }, status, form),
  );
}

/** The whole screen after a reset: the change, or Sign out. */
export function forcedPasswordPage(session: Session, onChanged: (session: Session) => void, onSignOut: () => void): void {
  document.title = 'Choose a new password · Keymint console';
  const signOut = h('button', { type: 'button', class: 'link' }, 'Sign out instead');
  signOut.addEventListener('click', onSignOut);
  const main = standalonePage(
    'Choose a new password',
    h(
      'div',
      { class: 'notice warning', role: 'note' },
      h('p', null, `An Administrator reset the password of ${session.user.email}. Choose a new one to continue: until then the console shows nothing else.`),
      h('p', null, 'Your current password is the temporary one you were given.'),
    ),
    passwordForm('Save new password', onChanged),
    h('p', { class: 'muted' }, signOut),
  );
  main.querySelector<HTMLInputElement>('input')?.focus();
}
