// What a key may do, as a form (issue 13): "Least privilege" (the default) lists the
// account's APIs with their scopes and Keymint's management API as checkboxes; "Full
// access" is the Sinch model (every API of the account, and managing this project's keys).
// The default for a new key is tokens for the first API and no management, and the form
// says why (in an account without APIs yet: full access, as before).
import { h, uid } from '../dom';
import type { ApiList, Grant } from '../apis-endpoints';

export interface GrantsEditor {
  element: HTMLElement;
  /** null: full access (the Sinch model). */
  value(): Grant[] | null;
}

const WHY =
  'A key that may manage keys can create more keys, with any access: give that only to automation that provisions keys. ' +
  'Most keys only need tokens for one API.';

function checkbox(label: string, checked: boolean, attrs: Record<string, string> = {}): { wrap: HTMLElement; input: HTMLInputElement } {
  const id = uid('grant');
  const input = h('input', { type: 'checkbox', id, checked, ...attrs });
  return { wrap: h('div', { class: 'check' }, input, h('label', { for: id }, label)), input };
}

/** `current`: the key's grants (null: full access); undefined for a new key (the default). */
export function grantsEditor(catalog: ApiList, current?: Grant[] | null): GrantsEditor {
  const name = uid('access');
  // A new key in an account without APIs could get no token at all with least privilege:
  // it starts with full access there, and the form says how to do better.
  const startFull = current === null || (current === undefined && !catalog.apis.length);
  const least = h('input', { type: 'radio', name, id: `${name}-least`, value: 'least', checked: !startFull });
  const full = h('input', { type: 'radio', name, id: `${name}-full`, value: 'full', checked: startFull });
  const granted = (api: string) => (current ?? []).find((g) => g.api === api);
  const rows: Array<{ api: string; on: HTMLInputElement; scopes: Array<[string, HTMLInputElement]> }> = [];

  const groups = catalog.apis.map((api, i) => {
    const grant = granted(api.identifier);
    const on = checkbox(`Tokens for ${api.displayName}`, current === undefined ? i === 0 : grant !== undefined, { 'data-api': api.identifier });
    const scopes = api.scopes.map((s) => {
      const box = checkbox(s.description ? `${s.name}: ${s.description}` : s.name, grant?.scopes.includes(s.name) ?? false, { 'data-scope': s.name });
      return [s.name, box] as const;
    });
    rows.push({ api: api.identifier, on: on.input, scopes: scopes.map(([n, b]) => [n, b.input]) });
    return h('fieldset', { class: 'grant' }, h('legend', null, on.wrap), h('p', { class: 'muted mono' }, api.identifier), scopes.map(([, b]) => b.wrap));
  });

  const mgmt = catalog.managementApi;
  const mgmtGrant = granted(mgmt.identifier);
  const manage = checkbox("Manage this project's keys (Keymint's management API)", mgmtGrant !== undefined, { 'data-api': mgmt.identifier });
  const mgmtScopes = mgmt.scopes.map((s) => [s, checkbox(s === 'accesskeys.read' ? 'accesskeys.read: list and read keys' : 'accesskeys.write: create, change and delete keys', mgmtGrant?.scopes.includes(s) ?? false, { 'data-scope': s })] as const);
  rows.push({ api: mgmt.identifier, on: manage.input, scopes: mgmtScopes.map(([n, b]) => [n, b.input]) });

  const detail = h(
    'div',
    { class: 'grants' },
    catalog.apis.length ? groups : h('p', { class: 'muted' }, 'This account has no APIs yet: an Administrator defines them on the APIs page. Without a grant on one, a key gets no tokens.'),
    h('fieldset', { class: 'grant' }, h('legend', null, manage.wrap), mgmtScopes.map(([, b]) => b.wrap)),
  );
  const sync = () => {
    detail.hidden = full.checked;
  };
  least.addEventListener('change', sync);
  full.addEventListener('change', sync);
  sync();

  const element = h(
    'fieldset',
    { class: 'access' },
    h('legend', null, 'Access'),
    h('div', { class: 'check' }, least, h('label', { for: least.id }, 'Least privilege (recommended): only what is ticked below')),
    h('div', { class: 'check' }, full, h('label', { for: full.id }, "Full access (Sinch model): every API of the account, and managing this project's keys")),
    h('p', { class: 'muted why' }, WHY),
    detail,
  );
  return {
    element,
    value() {
      if (full.checked) return null;
      return rows.filter((r) => r.on.checked).map((r) => ({ api: r.api, scopes: r.scopes.filter(([, b]) => b.checked).map(([n]) => n) }));
    },
  };
}
