// Settings > APIs (issue 13): the account's APIs (resource servers) with their scopes;
// Administrators create and delete them. A key gets tokens for an API only with a grant on it
// (the Access of the key), except under full access.
import { ApiFailure } from '../api';
import type { PageContext } from '../context';
import { isAdministrator } from '../context';
import { fill, h } from '../dom';
import { createApi, deleteApi, listApis, type Api, type ApiList } from '../apis-endpoints';
import { field } from '../field';
import { openModal } from '../modal';
import { errorNote, loadingNote, pageHeading, settingsBreadcrumb } from './layout';

/** "orders:read Read orders" lines → scopes. */
function scopesOf(text: string): Array<{ name: string; description: string }> {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [name, ...rest] = l.split(/\s+/);
    return { name, description: rest.join(' ') };
  });
}

function openCreateApi(onCreated: (api: Api) => void): void {
  const identifier = field({ label: 'Identifier', name: 'identifier', hint: 'An absolute URI, such as https://orders.example.com: the aud of its tokens, and the resource a token request names.', topics: ['identifier'] });
  const displayName = field({ label: 'Name', name: 'displayName', maxlength: 100, topics: ['displayname'] });
  const id = 'api-scopes';
  const scopes = h('textarea', { id, name: 'scopes', rows: 4, spellcheck: 'false', 'aria-describedby': `${id}-hint` });
  const scopeField = h('div', { class: 'field' }, h('label', { for: id }, 'Scopes'), h('p', { class: 'hint', id: `${id}-hint` }, 'One per line: the name, then an optional description (orders:read Read orders).'), scopes);
  let created: Api | undefined;
  openModal({
    title: 'Create API',
    fields: [identifier, displayName],
    content: scopeField,
    submitLabel: 'Create API',
    busyLabel: 'Creating…',
    onSubmit: async () => {
      created = await createApi({ identifier: identifier.input.value.trim(), displayName: displayName.input.value.trim(), scopes: scopesOf(scopes.value) });
    },
    onClose: () => created && onCreated(created),
  });
}

function apiCard(api: Api, admin: boolean, onDeleted: () => void): HTMLElement {
  const del = admin && h('button', { type: 'button', class: 'secondary small', 'aria-label': `Delete ${api.displayName}` }, 'Delete');
  if (del) {
    del.addEventListener('click', () =>
      openModal({
        title: `Delete ${api.displayName}?`,
        content: h('p', null, 'Keys lose their grants on it, and get no more tokens for it.'),
        submitLabel: 'Delete API',
        danger: true,
        onSubmit: async () => {
          await deleteApi(api.apiId);
        },
        onClose: onDeleted,
      }),
    );
  }
  return h(
    'section',
    { class: 'card', 'aria-label': api.displayName, 'data-api-id': api.apiId },
    h('div', { class: 'section-head' }, h('h2', null, api.displayName), del),
    h('p', { class: 'mono' }, api.identifier),
    h('p', { class: 'muted' }, api.tokenTtlSeconds ? `Tokens last ${api.tokenTtlSeconds} s.` : 'Tokens last the server default.'),
    api.scopes.length
      ? h('ul', { class: 'scopes' }, api.scopes.map((s) => h('li', null, h('code', null, s.name), s.description ? ` ${s.description}` : '')))
      : h('p', { class: 'muted' }, 'No scopes.'),
  );
}

export async function apisPage(ctx: PageContext): Promise<void> {
  ctx.setTitle('APIs');
  const crumb = settingsBreadcrumb('APIs');
  fill(ctx.main, crumb, pageHeading('APIs'), loadingNote('APIs'));
  let list: ApiList;
  try {
    list = await listApis();
  } catch (err) {
    fill(ctx.main, crumb, pageHeading('APIs'), errorNote(err instanceof ApiFailure ? err.message : 'The APIs could not be loaded.'));
    return;
  }
  const admin = isAdministrator(ctx.session);
  const reload = () => void apisPage(ctx);
  const create = admin && h('button', { type: 'button', class: 'primary' }, 'Create API');
  if (create) create.addEventListener('click', () => openCreateApi(reload));
  fill(
    ctx.main,
    crumb,
    pageHeading('APIs'),
    h('p', { class: 'muted' }, 'The APIs your keys get tokens for. A key gets a token for an API, with some of its scopes, only when its Access grants them.'),
    create,
    list.apis.length ? list.apis.map((a) => apiCard(a, admin, reload)) : h('div', { class: 'card empty' }, h('p', null, 'No APIs yet.')),
    h('section', { class: 'card', 'aria-label': "Keymint's management API" }, h('h2', null, "Keymint's management API"), h('p', { class: 'mono' }, list.managementApi.identifier), h('p', { class: 'muted' }, `Scopes: ${list.managementApi.scopes.join(', ')}. A key with these may list, create and delete this project's keys.`)),
  );
}
