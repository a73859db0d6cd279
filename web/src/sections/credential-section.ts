// One section of API Settings (Basic Authentication, HMAC Authentication, Legacy API
// credentials): its keys, Create new key, and Delete selected with a confirmation.
import { ApiFailure } from '../api';
import { canCreate, isAdministrator } from '../context';
import { confirmDelete } from '../dialogs/confirm-delete';
import { openCreateKey } from '../dialogs/create-key';
import { fill, h, uid } from '../dom';
import { listCredentials } from '../endpoints';
import { announce } from '../live';
import { KIND_NAMES, type Credential, type Kind, type Project, type Session } from '../types';
import { credentialRow, headerRow } from './credential-row';
import { VERIFICATION_NOTICE_ID } from './notices';

const NONE: Record<Kind, string> = {
  basic: 'No Basic Authentication keys in this project yet.',
  hmac: 'No HMAC Authentication keys in this project yet.',
  legacy: 'No Legacy API credentials in this project yet.',
};

const ABOUT: Record<Kind, string> = {
  basic: 'REST API credentials for Basic Authentication: your application sends the API key and secret with each token request.',
  hmac: 'REST API credentials for HMAC Authentication: your application signs each request with the API secret, which never travels.',
  legacy: 'A username and password for older integrations. The username cannot be changed; the password can.',
};

export function credentialSection(session: Session, project: Project, kind: Kind): HTMLElement {
  const manage = isAdministrator(session);
  const legacy = kind === 'legacy';
  const items: Credential[] = [];
  const selected = new Set<string>();
  let nextPageToken: string | undefined;

  const titleId = uid(`section-${kind}`);
  const heading = h('h2', { id: titleId, tabindex: '-1' }, KIND_NAMES[kind]);
  const status = h('p', { class: 'status-line', role: 'status' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const list = h('div', { class: 'list' }, h('p', { class: 'loading' }, 'Loading keys…'));
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  const create = manage
    ? h('button', { type: 'button', class: 'primary', disabled: !canCreate(session), 'aria-describedby': canCreate(session) ? null : VERIFICATION_NOTICE_ID }, 'Create new key')
    : null;
  const remove = manage ? h('button', { type: 'button', class: 'danger', disabled: true }, 'Delete selected') : null;

  const say = (message: string) => {
    status.textContent = message;
    announce(message);
  };
  const syncRemove = () => {
    if (!remove) return;
    remove.disabled = selected.size === 0;
    remove.textContent = selected.size > 1 ? `Delete selected (${selected.size})` : 'Delete selected';
  };

  function render(): void {
    syncRemove();
    more.hidden = !nextPageToken;
    if (items.length === 0) {
      fill(list, h('p', { class: 'empty' }, NONE[kind], manage && canCreate(session) ? ' Use Create new key to add one.' : ''));
      return;
    }
    const rowOptions = {
      project,
      canManage: manage,
      selected,
      onSelectionChange: syncRemove,
      onEdited(updated: Credential, what: string) {
        items.splice(items.findIndex((c) => c.credentialId === updated.credentialId), 1, updated);
        render();
        say(what);
      },
    };
    fill(
      list,
      h(
        'table',
        { class: 'data-table' },
        h('caption', { class: 'visually-hidden' }, `${KIND_NAMES[kind]} keys`),
        h('thead', null, headerRow(legacy, manage, kind === 'basic')),
        h('tbody', null, items.map((c) => credentialRow(c, rowOptions))),
      ),
    );
  }

  async function load(reset: boolean): Promise<void> {
    error.textContent = '';
    try {
      const page = await listCredentials(project.projectId, { kind, pageToken: reset ? undefined : nextPageToken });
      if (reset) items.length = 0;
      items.push(...page.credentials);
      nextPageToken = page.nextPageToken || undefined;
      for (const id of selected) if (!items.some((c) => c.credentialId === id)) selected.delete(id);
      render();
    } catch (err) {
      if (reset) fill(list);
      error.textContent = err instanceof ApiFailure ? err.message : 'The keys could not be loaded.';
    }
  }

  more.addEventListener('click', () => void load(false));
  create?.addEventListener('click', () =>
    openCreateKey(project, kind, (created) => {
      items.push(created.credential);
      render();
      // The confirmation dialog that opens next is what a screen reader hears; this stays on the page.
      status.textContent = `Created ${KIND_NAMES[kind]} key ${created.credential.label ?? created.credential.username ?? ''}.`;
    }),
  );
  remove?.addEventListener('click', () => {
    const chosen = items.filter((c) => selected.has(c.credentialId));
    confirmDelete(project, chosen, (count) => {
      selected.clear();
      syncRemove();
      say(count === 1 ? 'Deleted 1 key.' : `Deleted ${count} keys.`);
      void load(true);
    }, () => heading);
  });

  void load(true);
  return h(
    'section',
    { class: 'card credential-section', 'aria-labelledby': titleId, 'data-kind': kind },
    h('div', { class: 'section-head' }, heading, h('div', { class: 'toolbar' }, create, remove)),
    h('p', { class: 'muted' }, ABOUT[kind]),
    error,
    status,
    list,
    more,
  );
}
