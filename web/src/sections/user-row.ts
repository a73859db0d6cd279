// One user in the Users table: email, a role select with its own Save (the API's refusal,
// such as demoting the last Administrator, shown under it), when they were added, Remove.
import { ApiFailure } from '../api';
import { confirmRemoveUser } from '../dialogs/remove-user';
import { h, time } from '../dom';
import { changeUserRole } from '../endpoints';
import { ROLE_NAMES, type Role, type User } from '../types';

export interface UserRowOptions {
  selfId: string;
  onChanged(updated: User, message: string): void;
  onRemoved(user: User): void;
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
      opts.onChanged(updated, `${updated.email} is now ${ROLE_NAMES[updated.role]}.`);
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

  return h(
    'tr',
    { 'data-user-id': user.userId },
    h('th', { scope: 'row', 'data-label': 'Email' }, user.email, self ? h('span', { class: 'badge you' }, 'You') : null),
    h('td', { 'data-label': 'Role', class: 'role-cell' }, h('div', { class: 'role-row' }, select, save), error),
    h('td', { 'data-label': 'Added' }, time(user.createTime)),
    h('td', { class: 'actions-cell' }, remove),
  );
}
