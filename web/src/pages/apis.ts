// Settings > APIs (issue 13): the account's APIs (resource servers) with their scopes;
// Administrators create and delete them. A key gets tokens for an API only with a grant on it
// (the Access of the key), except under full access.
import { ApiFailure } from '../api';
import type { PageContext } from '../context';
import { isAdministrator } from '../context';
import { fill, h } from '../dom';
import { createApi, deleteApi, listApis, updateApi, type Api, type ApiList } from '../apis-endpoints';
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

/** Create (no `api`) or edit an API: identifier, name, token lifetime, and its scopes one per line. */
function openApiDialog(onDone: (api: Api) => void, api?: Api): void {
  const identifier = field({ label: 'Identifier', name: 'identifier', value: api?.identifier, hint: 'An absolute URI, such as https://orders.example.com: the aud of its tokens, and the resource a token request names.', topics: ['identifier'] });
  const displayName = field({ label: 'Name', name: 'displayName', value: api?.displayName, maxlength: 100, topics: ['displayname'] });
  const lifetime = field({
    label: 'Token lifetime (seconds)',
    name: 'tokenTtlSeconds',
    value: api?.tokenTtlSeconds ? String(api.tokenTtlSeconds) : '',
    hint: "From 60 to 86400; empty for the server's default. Never longer than the server's TOKEN_TTL_SECONDS.",
    topics: ['tokenttlseconds'],
  });
  lifetime.input.inputMode = 'numeric';
  const id = 'api-scopes';
  const scopes = h('textarea', { id, name: 'scopes', rows: 4, spellcheck: 'false', 'aria-describedby': `${id}-hint` });
  scopes.value = (api?.scopes ?? []).map((s) => (s.description ? `${s.name} ${s.description}` : s.name)).join('\n');
  const scopeField = h('div', { class: 'field' }, h('label', { for: id }, 'Scopes'), h('p', { class: 'hint', id: `${id}-hint` }, 'One per line: the name, then an optional description (orders:read Read orders).'), scopes);
  let done: Api | undefined;
  const ttl = () => {
    const text = lifetime.input.value.trim();
    return text === '' ? null : /^\d+$/.test(text) ? Number(text) : text; // the API names what is wrong with anything else
  };
  const body = () => ({ identifier: identifier.input.value.trim(), displayName: displayName.input.value.trim(), scopes: scopesOf(scopes.value), tokenTtlSeconds: ttl() });
  openModal({
    title: api ? `Edit ${api.displayName}` : 'Create API',
    content: api ? h('p', { class: 'muted' }, 'A scope taken away here is taken from every key granted it, everywhere within a second.') : undefined,
    fields: [identifier, displayName, lifetime],
    submitLabel: api ? 'Save API' : 'Create API',
    busyLabel: api ? 'Saving…' : 'Creating…',
    onSubmit: async () => {
      done = api ? await updateApi(api.apiId, body()) : await createApi(body());
    },
    onClose: () => done && onDone(done),
  });
  // The scopes after the fields (the modal puts content above them).
  document.querySelector('dialog.modal form .form-error')?.before(scopeField);
}

function apiCard(api: Api, admin: boolean, onDeleted: () => void): HTMLElement {
  const change = admin && h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit ${api.displayName}` }, 'Edit');
  if (change) change.addEventListener('click', () => openApiDialog(onDeleted, api));
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
    h('div', { class: 'section-head' }, h('h2', null, api.displayName), h('div', { class: 'row-actions' }, change, del)),
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
  if (create) create.addEventListener('click', () => openApiDialog(reload));
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
