// What each role may do, in the words the Users page and the Add user dialog show (the same
// table as docs/CONSOLE-API.md, "Roles"). Advanced and Basic may do the same today: both are
// kept because the dashboards Keymint follows name both.
import { h } from '../dom';
import { ROLE_NAMES, type Role } from '../types';

export const ROLE_DUTIES: Readonly<Record<Role, string>> = {
  administrator:
    'Everything: creates, shows, edits and deletes API keys; creates, renames and deletes projects; adds and removes users, changes their roles and resets their passwords; reads the audit log; requests verification.',
  advanced:
    'Sees the projects, their Project IDs and their keys (names, kinds, dates, expiry), read-only; never a key value. Changes their own password. Today the same as Basic: the role is kept for people who hold it in the other dashboards.',
  basic: 'Sees the projects, their Project IDs and their keys (names, kinds, dates, expiry), read-only; never a key value. Changes their own password.',
};

export const ROLE_HINT = 'Administrators manage API keys, projects, users and the audit log; Advanced and Basic users see keys read-only (the two may do the same).';

export function rolesExplained(): HTMLElement {
  const titleId = 'roles-title';
  return h(
    'section',
    { class: 'card roles', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, 'What each role may do'),
    h('dl', { class: 'duties' }, (Object.keys(ROLE_NAMES) as Role[]).map((role) => [h('dt', null, ROLE_NAMES[role]), h('dd', null, ROLE_DUTIES[role])])),
  );
}
