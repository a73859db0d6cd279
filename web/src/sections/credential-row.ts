// One credential in its section's table (with when it expires, and for REST Basic how it gets tokens). Administrators
// get a checkbox (for Delete selected), Show for the API key, Edit (label, or a legacy password), for REST Basic and
// HMAC Rotate secret, and for REST Basic Public keys and Token settings (issue 14).
import { openEditExpiry, openEditLabel, openEditPassword } from '../dialogs/edit-credential';
import { fill, h, time } from '../dom';
import { getGrants } from '../apis-endpoints';
import { accessSummary, openEditGrants } from '../dialogs/edit-grants';
import { openRotateSecret } from '../dialogs/rotate-secret';
import { announce } from '../live';
import { hasSecret, type Credential, type Project } from '../types';
import { openRemoveSecret } from '../dialogs/remove-secret';
import { displayName } from './credential-name';
import { expiryOf } from './expiry';
import { keyCell } from './key-cell';
import { loadMethods, methodsList } from './key-methods';
import { openPublicKeys } from '../dialogs/public-keys';
import { openTokenSettings } from '../dialogs/token-settings';

/** After Rotate secret: a key that had no secret (issue 14) has one again. */
const withSecret = (c: Credential): Credential =>
  c.kind !== 'basic' || hasSecret(c) ? c : { ...c, authenticationMethods: ['client_secret_basic', 'client_secret_post', ...(c.authenticationMethods ?? [])] };

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
  const basic = c.kind === 'basic';
  const cells: HTMLTableCellElement[] = [];
  const again = (action: string) => () => document.querySelector<HTMLElement>(`tr[data-credential-id="${CSS.escape(c.credentialId)}"] button[data-action="${action}"]`);

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
  // How the key gets tokens (issue 14), for every role.
  const methods = h('td', { 'data-label': 'Methods', class: 'methods-cell' }, '…');
  const showMethods = () => loadMethods(opts.project.projectId, c.credentialId, hasSecret(c)).then((m) => fill(methods, methodsList(m)), () => fill(methods, '?'));
  if (basic) {
    cells.push(methods);
    void showMethods();
  }
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
    expiry.addEventListener('click', () => openEditExpiry(opts.project, c, (u) => opts.onEdited(u, u.expireTime ? `${name} now expires ${new Date(u.expireTime).toLocaleString()}.` : `${name} now never expires.`), again('expiry')));
    const grants = h('button', { type: 'button', class: 'secondary small', 'data-action': 'access', 'aria-label': `Change access of ${name}` }, 'Access');
    grants.addEventListener('click', () => void openEditGrants(opts.project, c, name, (g) => fill(access, accessSummary(g)), again('access')));
    let rotate: HTMLButtonElement | null = null;
    if (!legacy) {
      rotate = h('button', { type: 'button', class: 'secondary small', 'data-action': 'rotate', 'aria-label': `Rotate secret of ${name}` }, 'Rotate secret');
      rotate.addEventListener('click', () => void openRotateSecret(opts.project, c, (message) => opts.onEdited(withSecret(c), message), again('rotate')).catch((err: Error) => announce(err.message)));
    }
    let publicKeys: HTMLButtonElement | null = null;
    let settings: HTMLButtonElement | null = null;
    let removeSecret: HTMLButtonElement | null = null;
    if (basic) {
      settings = h('button', { type: 'button', class: 'secondary small', 'data-action': 'token-settings', 'aria-label': `Token settings of ${name}` }, 'Token settings');
      const openSettings = () => void openTokenSettings(opts.project, c, () => void showMethods(), again('token-settings')).catch((err: Error) => announce(err.message));
      settings.addEventListener('click', openSettings);
      publicKeys = h('button', { type: 'button', class: 'secondary small', 'data-action': 'public-keys', 'aria-label': `Public keys of ${name}` }, 'Public keys');
      publicKeys.addEventListener('click', () => void openPublicKeys(opts.project, c, () => void showMethods(), openSettings, again('public-keys')).catch((err: Error) => announce(err.message)));
      if (hasSecret(c)) {
        removeSecret = h('button', { type: 'button', class: 'danger-outline small', 'data-action': 'remove-secret', 'aria-label': `Remove secret of ${name}` }, 'Remove secret');
        removeSecret.addEventListener('click', () =>
          openRemoveSecret(opts.project, c, (methods) => opts.onEdited({ ...c, authenticationMethods: methods }, `${name} has no secret now: it gets tokens with its public keys only.`), again('public-keys')));
      }
    }
    cells.push(h('td', { class: 'actions-cell' }, h('div', { class: 'row-actions' }, edit, expiry, grants, rotate, publicKeys, settings, removeSecret)));
  }
  return h('tr', { 'data-credential-id': c.credentialId }, cells);
}

export function headerRow(legacy: boolean, canManage: boolean, basic = false): HTMLTableRowElement {
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
    basic && th('Methods'),
    canManage && th('Access'),
    canManage && th('Actions', true),
  );
}
