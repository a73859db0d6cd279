// The sign-in page: email and password; the API's message (wrong credentials, too many
// attempts) is shown above the button.
import { ApiFailure } from '../api';
import { h } from '../dom';
import { signIn } from '../endpoints';
import { field } from '../field';
import type { Session } from '../types';
import { standalonePage } from './layout';

export function signInPage(onSignedIn: (session: Session) => void, notice?: string): void {
  document.title = 'Sign in · Keymint console';
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username' });
  const password = field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, 'Sign in');
  const form = h('form', { novalidate: true, class: 'stack' }, email.wrap, password.wrap, error, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!email.input.value.trim() || !password.input.value) {
      error.textContent = 'Enter your email and password.';
      (email.input.value.trim() ? password : email).input.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      onSignedIn(await signIn(email.input.value.trim(), password.input.value));
    } catch (err) {
      error.textContent = err instanceof ApiFailure ? err.message : 'Sign-in failed. Try again.';
      password.input.select();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });

  standalonePage(
    'Sign in',
    h('p', { class: 'muted' }, "Manage your account's projects and API credentials."),
    h('p', { class: 'notice-line', role: 'status' }, notice ?? ''),
    form,
  );
  email.input.focus();
}
