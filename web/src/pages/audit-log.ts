// Settings > Audit log (Administrators): the account's events newest first, a page at a
// time with Load more. `?pageSize=` in the console's address sets the page size.
import { ApiFailure } from '../api';
import { isAdministrator, type PageContext } from '../context';
import { fill, h, time } from '../dom';
import { listAuditEvents } from '../endpoints';
import { announce } from '../live';
import { credentialOf, what, who } from '../sections/audit-words';
import { keyUsageLink } from '../usage/links';
import { administratorsOnlyNotice } from '../sections/notices';
import type { AuditEvent } from '../types';
import { errorNote, loadingNote, pageHeading, settingsBreadcrumb } from './layout';

/** A dash on screen, a word for screen readers. */
const none = (word: string) => [h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, word)];

function pageSizeFromAddress(): number | undefined {
  const size = Number(new URLSearchParams(location.search).get('pageSize'));
  return Number.isInteger(size) && size > 0 && size <= 500 ? size : undefined;
}

function eventRow(event: AuditEvent): HTMLTableRowElement {
  const credential = credentialOf(event);
  return h(
    'tr',
    { 'data-event-id': event.eventId },
    h('th', { scope: 'row', 'data-label': 'Time', tabindex: '-1' }, time(event.time)),
    h('td', { 'data-label': 'Who' }, who(event)),
    h('td', { 'data-label': 'Action' }, what(event)),
    h(
      'td',
      { 'data-label': 'Credential' },
      credential || none('none'),
      event.credential && event.projectId && event.action !== 'credential.delete' ? [' ', keyUsageLink(event.projectId, event.credential.credentialId, credential)] : null,
    ),
    h('td', { 'data-label': 'Address', class: 'mono address' }, event.address || none('unknown')),
  );
}

export async function auditLogPage(ctx: PageContext): Promise<void> {
  ctx.setTitle('Audit log');
  const top = [settingsBreadcrumb('Audit log'), pageHeading('Audit log')];
  if (!isAdministrator(ctx.session)) {
    fill(ctx.main, top, administratorsOnlyNotice(ctx.session, 'You cannot read the audit log', 'read the audit log'));
    return;
  }
  const pageSize = pageSizeFromAddress();
  const error = h('p', { class: 'form-error', role: 'alert' });
  const list = h('div', { class: 'list' }, loadingNote('the audit log'));
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  let nextPageToken: string | undefined;

  async function load(first: boolean): Promise<void> {
    error.textContent = '';
    more.disabled = true;
    try {
      const page = await listAuditEvents({ pageSize, pageToken: nextPageToken });
      nextPageToken = page.nextPageToken || undefined;
      more.hidden = !nextPageToken;
      if (first && page.auditEvents.length === 0) {
        fill(list, h('p', { class: 'empty' }, 'Nothing has happened in this account yet. Sign-ins, key changes and user changes will be listed here.'));
        return;
      }
      const rows = page.auditEvents.map(eventRow);
      tbody.append(...rows);
      if (first) {
        const headers = ['Time', 'Who', 'Action', 'Credential', 'Address'].map((t) => h('th', { scope: 'col' }, t));
        fill(list, h('table', { class: 'data-table audit' }, h('caption', { class: 'visually-hidden' }, 'Audit events, newest first'), h('thead', null, h('tr', null, headers)), tbody));
      } else {
        // Focus moves to the first event just loaded, so reading continues from there.
        rows[0]?.querySelector<HTMLElement>('th')?.focus();
        announce(`Loaded ${rows.length} more ${rows.length === 1 ? 'event' : 'events'}${nextPageToken ? '' : '; that is all of them'}.`);
      }
    } catch (err) {
      if (first) fill(list);
      error.textContent = err instanceof ApiFailure ? err.message : 'The audit log could not be loaded.';
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener('click', () => void load(false));
  fill(
    ctx.main,
    top,
    h('p', { class: 'lead' }, 'What happened in this account, newest first: sign-ins, keys created, shown, changed and deleted, and changes to users. Secrets and passwords are never recorded.'),
    h('section', { class: 'card', 'aria-label': 'Events' }, error, list, more),
  );
  await load(true);
}
