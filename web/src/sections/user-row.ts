// One user in the Users table: email, a role select with its own Save (the API's refusal,
// such as demoting the last Administrator, shown under it), when they were added, Reset
// password (for others; you change your own under Change password) and Remove.
import { ApiFailure } from '../api';
import { confirmRemoveUser } from '../dialogs/remove-user';
import { confirmResetPassword } from '../dialogs/reset-password';
import { h, time } from '../dom';
import { changeUserRole } from '../endpoints';
import { ROLE_NAMES, type PasswordReset, type Role, type User } from '../types';

export interface UserRowOptions {
  selfId: string;
  onChanged(updated: User, message: string): void;
  onRemoved(user: User): void;
  onReset(reset: PasswordReset): void;
  /** Where focus goes after a removal: the row is gone. */
  afterRemoval(): HTMLElement | null;
}

export const userRowSelector = (userId: string) => `tr[data-user-id="${CSS.escape(userId)}"]`;

export function userRow(user: User, opts: UserRowOptions): HTMLTableRowElement {
  const self = user.userId === opts.selfId;
  const select = h(
    'select',
    { 'aria-label': `Role of ${user.email}` },
    Object.entries(ROLE_NAMES).map(([value, text]) => h('option', { value, selected: value === user.role }, text)),
  );
  const save = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Save role of ${user.email}` }, 'Save');
  const error = h('p', { class: 'field-error', role: 'alert' });
  const remove = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove ${user.email}` }, 'Remove');

  const showError = (message: string) => {
    error.textContent = message;
    select.setAttribute('aria-invalid', 'true');
    select.setAttribute('aria-errormessage', error.id);
  };
  error.id = `user-error-${user.userId}`;
  select.addEventListener('change', () => {
    error.textContent = '';
    select.removeAttribute('aria-invalid');
  });
  save.addEventListener('click', async () => {
    const role = select.value as Role;
    error.textContent = '';
    save.disabled = true;
    try {
      const updated = await changeUserRole(user.userId, role);
      const next = updated.role === 'administrator' && updated.mustChangePassword ? ' An Administrator\'s password must be at least 12 characters: they choose a new one before anything else.' : '';
      opts.onChanged(updated, `${updated.email} is now ${ROLE_NAMES[updated.role]}.${next}`);
    } catch (err) {
      showError(err instanceof ApiFailure ? err.message : 'The role could not be changed. Try again.');
      select.value = user.role;
    } finally {
      save.disabled = false;
    }
  });
  remove.addEventListener('click', () =>
    confirmRemoveUser(user, self, () => opts.onRemoved(user), opts.afterRemoval),
  );
  const reset = self ? null : h('button', { type: 'button', class: 'secondary small', 'aria-label': `Reset password of ${user.email}` }, 'Reset password');
  // The row is drawn anew after the reset: focus returns to the new row's button.
  const resetAgain = () => document.querySelector<HTMLElement>(`${userRowSelector(user.userId)} .actions-cell button`);
  reset?.addEventListener('click', () => confirmResetPassword(user, opts.onReset, resetAgain));

  return h(
    'tr',
    { 'data-user-id': user.userId },
    h(
      'th',
      { scope: 'row', 'data-label': 'Email' },
      user.email,
      self ? h('span', { class: 'badge you' }, 'You') : null,
      user.mustChangePassword ? h('span', { class: 'badge pending' }, 'Must change password') : null,
    ),
    h('td', { 'data-label': 'Role', class: 'role-cell' }, h('div', { class: 'role-row' }, select, save), error),
    h('td', { 'data-label': 'Added' }, time(user.createTime)),
    h('td', { class: 'actions-cell' }, h('div', { class: 'row-actions' }, reset, remove)),
  );
}
