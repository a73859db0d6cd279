// One credential in its section's table (with when it expires). Administrators get a checkbox (for Delete
// selected), Show for the API key, Edit (label, or a legacy password), and for REST Basic and HMAC Rotate secret.
import { openEditExpiry, openEditLabel, openEditPassword } from '../dialogs/edit-credential';
import { fill, h, time } from '../dom';
import { getGrants } from '../apis-endpoints';
import { accessSummary, openEditGrants } from '../dialogs/edit-grants';
import { openRotateSecret } from '../dialogs/rotate-secret';
import { announce } from '../live';
import type { Credential, Project } from '../types';
import { displayName } from './credential-name';
import { expiryOf } from './expiry';
import { keyCell } from './key-cell';

export interface RowOptions {
  project: Project;
  canManage: boolean;
  selected: Set<string>;
  onSelectionChange(): void;
  onEdited(updated: Credential, what: string): void;
}

export function credentialRow(c: Credential, opts: RowOptions): HTMLTableRowElement {
  const name = displayName(c);
  const legacy = c.kind === 'legacy';
  const cells: HTMLTableCellElement[] = [];

  if (opts.canManage) {
    const box = h('input', { type: 'checkbox', 'aria-label': `Select ${name}`, checked: opts.selected.has(c.credentialId) });
    box.addEventListener('change', () => {
      if (box.checked) opts.selected.add(c.credentialId);
      else opts.selected.delete(c.credentialId);
      opts.onSelectionChange();
    });
    cells.push(h('td', { class: 'select' }, box));
  }
  cells.push(h('th', { scope: 'row', 'data-label': legacy ? 'Username' : 'Label', class: c.username ? 'mono' : null }, name));
  if (opts.canManage && !legacy) cells.push(keyCell(opts.project, c));
  cells.push(h('td', { 'data-label': 'Created' }, time(c.createTime)));
  cells.push(h('td', { 'data-label': 'Expires' }, expiryOf(c)));
  cells.push(h('td', { 'data-label': 'Last used' }, time(c.lastUseTime)));
  // What the key may do (issue 13), read for Administrators' rows.
  const access = h('td', { 'data-label': 'Access', class: 'access-cell' }, '…');
  if (opts.canManage) {
    cells.push(access);
    getGrants(opts.project.projectId, c.credentialId).then((g) => fill(access, accessSummary(g.grants)), () => fill(access, '?'));
  }

  if (opts.canManage) {
    const edit = h('button', { type: 'button', class: 'secondary small', 'aria-label': legacy ? `Edit password of ${name}` : `Edit label of ${name}` }, 'Edit');
    // The row is drawn anew after a change: focus returns to the new row's Edit button.
    const editAgain = () => document.querySelector<HTMLElement>(`tr[data-credential-id="${CSS.escape(c.credentialId)}"] .actions-cell button`);
    edit.addEventListener('click', () => {
      if (legacy) openEditPassword(opts.project, c, (u) => opts.onEdited(u, `Password changed for ${name}.`), editAgain);
      else openEditLabel(opts.project, c, (u) => opts.onEdited(u, `Label saved: ${displayName(u)}.`), editAgain);
    });
    const expiry = h('button', { type: 'button', class: 'secondary small', 'data-action': 'expiry', 'aria-label': `Change expiry of ${name}` }, 'Expiry');
    const expiryAgain = () => document.querySelector<HTMLElement>(`tr[data-credential-id="${CSS.escape(c.credentialId)}"] button[data-action="expiry"]`);
    expiry.addEventListener('click', () => openEditExpiry(opts.project, c, (u) => opts.onEdited(u, u.expireTime ? `${name} now expires ${new Date(u.expireTime).toLocaleString()}.` : `${name} now never expires.`), expiryAgain));
    const grants = h('button', { type: 'button', class: 'secondary small', 'data-action': 'access', 'aria-label': `Change access of ${name}` }, 'Access');
    const grantsAgain = () => document.querySelector<HTMLElement>(`tr[data-credential-id="${CSS.escape(c.credentialId)}"] button[data-action="access"]`);
    grants.addEventListener('click', () => void openEditGrants(opts.project, c, name, (g) => fill(access, accessSummary(g)), grantsAgain));
    let rotate: HTMLButtonElement | null = null;
    if (!legacy) {
      rotate = h('button', { type: 'button', class: 'secondary small', 'data-action': 'rotate', 'aria-label': `Rotate secret of ${name}` }, 'Rotate secret');
      const rotateAgain = () => document.querySelector<HTMLElement>(`tr[data-credential-id="${CSS.escape(c.credentialId)}"] button[data-action="rotate"]`);
      rotate.addEventListener('click', () => void openRotateSecret(opts.project, c, (message) => opts.onEdited(c, message), rotateAgain).catch((err: Error) => announce(err.message)));
    }
    cells.push(h('td', { class: 'actions-cell' }, h('div', { class: 'row-actions' }, edit, expiry, grants, rotate)));
  }
  return h('tr', { 'data-credential-id': c.credentialId }, cells);
}

export function headerRow(legacy: boolean, canManage: boolean): HTMLTableRowElement {
  const th = (text: string, hidden = false) => h('th', { scope: 'col' }, hidden ? h('span', { class: 'visually-hidden' }, text) : text);
  return h(
    'tr',
    null,
    canManage && th('Select', true),
    th(legacy ? 'Username' : 'Label'),
    canManage && !legacy && th('API key'),
    th('Created'),
    th('Expires'),
    th('Last used'),
    canManage && th('Access'),
    canManage && th('Actions', true),
  );
}
