// Settings > Users (Administrators): the account's users and their roles; Add user, a role
// change per row, Remove with a confirmation. Others see why they cannot use the page.
import { ApiFailure } from '../api';
import { isAdministrator, type PageContext } from '../context';
import { openAddUser } from '../dialogs/add-user';
import { fill, h } from '../dom';
import { listUsers } from '../endpoints';
import { announce } from '../live';
import { administratorsOnlyNotice } from '../sections/notices';
import { rolesExplained } from '../sections/roles';
import { userRow, userRowSelector } from '../sections/user-row';
import { ROLE_NAMES, type User } from '../types';
import { errorNote, loadingNote, pageHeading, settingsBreadcrumb } from './layout';

export async function usersPage(ctx: PageContext): Promise<void> {
  ctx.setTitle('Users');
  const top = [settingsBreadcrumb('Users'), pageHeading('Users')];
  if (!isAdministrator(ctx.session)) {
    fill(ctx.main, top, administratorsOnlyNotice(ctx.session, 'You cannot manage users', 'add users, change their roles or remove them'), rolesExplained());
    return;
  }
  const users: User[] = [];
  const status = h('p', { class: 'status-line', role: 'status' });
  const list = h('div', { class: 'list' }, loadingNote('users'));
  const add = h('button', { type: 'button', class: 'primary' }, 'Add user');
  const titleId = 'users-title';
  const heading = h('h2', { id: titleId, tabindex: '-1' }, 'People in this account');

  const say = (message: string) => {
    status.textContent = message;
    announce(message);
  };
  const rowOptions = {
    selfId: ctx.session.user.userId,
    onChanged(updated: User, message: string) {
      users.splice(users.findIndex((u) => u.userId === updated.userId), 1, updated);
      render();
      say(message);
      document.querySelector<HTMLElement>(`${userRowSelector(updated.userId)} .role-row button`)?.focus();
      // Your own role changed: the whole console follows it.
      if (updated.userId === ctx.session.user.userId) void ctx.renewSession();
    },
    onRemoved(user: User) {
      users.splice(users.findIndex((u) => u.userId === user.userId), 1);
      render();
      say(`Removed ${user.email}.`);
      if (user.userId === ctx.session.user.userId) void ctx.renewSession();
    },
    afterRemoval: () => heading,
    onReset(reset: { user: User }) {
      users.splice(users.findIndex((u) => u.userId === reset.user.userId), 1, reset.user);
      render();
      status.textContent = `Password of ${reset.user.email} reset: they were signed out and must choose a new one at their next sign-in.`;
    },
  };

  function render(): void {
    fill(
      list,
      h(
        'table',
        { class: 'data-table users' },
        h('caption', { class: 'visually-hidden' }, 'Users of this account'),
        h('thead', null, h('tr', null, ['Email', 'Role', 'Added'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', null, users.map((u) => userRow(u, rowOptions))),
      ),
    );
  }

  add.addEventListener('click', () =>
    openAddUser((user) => {
      users.push(user);
      render();
      say(`Added ${user.email} as ${ROLE_NAMES[user.role]}.`);
    }),
  );

  fill(
    ctx.main,
    top,
    h('p', { class: 'lead' }, 'Who can sign in to this console, and what they may do.'),
    h(
      'section',
      { class: 'card', 'aria-labelledby': titleId },
      h('div', { class: 'section-head' }, heading, h('div', { class: 'toolbar' }, add)),
      status,
      list,
    ),
    rolesExplained(),
  );
  try {
    users.push(...(await listUsers()));
    render();
  } catch (err) {
    fill(list, errorNote(err instanceof ApiFailure ? err.message : 'The users could not be loaded.'));
  }
}
