// The Change password form: current password, new password (the rules shown), the new one
// again. A wrong current password or a refused new one is shown under its field, and the
// form stays filled in except for what was wrong.
import { ApiFailure } from '../api';
import { h } from '../dom';
import { changePassword } from '../endpoints';
import { field } from '../field';
import { announce } from '../live';
import type { Session } from '../types';
import { PASSWORD_RULES } from './password-rules';

export function passwordForm(submitLabel: string, onChanged: (session: Session) => void): HTMLFormElement {
  const current = field({ label: 'Current password', name: 'current-password', type: 'password', autocomplete: 'current-password', topics: ['current password'] });
  const next = field({ label: 'New password', name: 'new-password', type: 'password', autocomplete: 'new-password', hint: PASSWORD_RULES, topics: ['new password', 'password must', 'password'] });
  const again = field({ label: 'New password again', name: 'new-password-again', type: 'password', autocomplete: 'new-password', topics: [] });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const form = h('form', { novalidate: true, class: 'stack password-form' }, current.wrap, next.wrap, again.wrap, error, h('div', { class: 'actions' }, submit));
  const fields = [current, next, again];

  const refuse = (target: (typeof fields)[number], message: string) => {
    target.setError(message);
    target.input.focus();
    announce(message);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    fields.forEach((f) => f.setError(null));
    error.textContent = '';
    if (!current.input.value) return refuse(current, 'Enter your current password.');
    if (!next.input.value) return refuse(next, 'Enter a new password.');
    if (next.input.value !== again.input.value) return refuse(again, 'The two new passwords are not the same.');
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const session = await changePassword(current.input.value, next.input.value);
      form.reset();
      onChanged(session);
    } catch (err) {
      const message = err instanceof ApiFailure ? err.message : 'The password could not be changed. Try again.';
      const target = /current password/i.test(message) ? current : err instanceof ApiFailure && err.status === 400 ? next : null;
      if (target) {
        target.input.value = '';
        if (target === next) again.input.value = '';
        refuse(target, message);
      } else {
        error.textContent = message;
      }
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}
