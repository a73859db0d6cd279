// The Usage page of a project: tokens per hour over the last 24 hours stacked by key, and
// one key's tokens and failures over 24 hours, 7 days or 90 days; each chart with a table
// of the same numbers (usage/table.ts). /console/projects/{projectId}/usage[?key=credentialId].
import { ApiFailure } from '../api';
import type { PageContext } from '../context';
import { fill, h, uid } from '../dom';
import { listCredentials, listProjects } from '../endpoints';
import { hrefFor } from '../router';
import { displayName } from '../sections/credential-name';
import { lineChart, stackedChart, type Series } from '../usage/charts';
import { keyUsage, projectUsage, SPANS, type Span, type UsageReport } from '../usage/endpoints';
import { dataTable } from '../usage/table';
import { errorNote, loadingNote, pageHeading } from './layout';

const timesOf = (r: UsageReport) => r.buckets.map((b) => Date.parse(b.start));
const failMessage = (err: unknown, what: string) => (err instanceof ApiFailure ? err.message : `${what} could not be loaded.`);

function projectSection(projectId: string, names: Map<string, string>): HTMLElement {
  const titleId = uid('usage');
  const body = h('div', null, loadingNote('usage'));
  void projectUsage(projectId, '24h').then(
    (report) => {
      const series: Series[] = report.keys.map((k) => ({ label: k.credentialId ? (names.get(k.credentialId) ?? k.label ?? 'Key') : 'Deleted key', values: k.tokens }));
      if (series.length === 0) return fill(body, h('p', { class: 'empty' }, 'No tokens were issued in the last 24 hours.'));
      const title = 'Tokens per hour by key, last 24 hours';
      fill(body, stackedChart(title, timesOf(report), series), dataTable(title, timesOf(report), series, { id: 'project-tokens' }));
    },
    (err) => fill(body, errorNote(failMessage(err, 'The usage'))),
  );
  return h('section', { class: 'card', 'aria-labelledby': titleId }, h('h2', { id: titleId }, 'Tokens per hour, by key'), body);
}

function keySection(projectId: string, keys: Array<{ id: string; name: string }>, selected: string | undefined): HTMLElement {
  const titleId = uid('key-usage');
  const selectId = uid('key');
  let span: Span = '24h';
  let key = selected && keys.some((k) => k.id === selected) ? selected : keys[0]?.id;
  const body = h('div', { 'aria-live': 'polite' });
  const select = h('select', { id: selectId }, keys.map((k) => h('option', { value: k.id, ...(k.id === key ? { selected: true } : {}) }, k.name)));
  const spanButtons = (Object.keys(SPANS) as Span[]).map((s) =>
    h('button', { type: 'button', class: 'secondary', 'data-span': s, 'aria-pressed': String(s === span) }, SPANS[s].label),
  );
  const load = () => {
    if (!key) return fill(body, h('p', { class: 'empty' }, 'This project has no keys.'));
    for (const b of spanButtons) b.setAttribute('aria-pressed', String(b.dataset.span === span));
    fill(body, loadingNote('usage'));
    const name = keys.find((k) => k.id === key)?.name ?? 'Key';
    void keyUsage(projectId, key, span).then(
      (report) => {
        const b = report.buckets;
        const series: Series[] = [
          { label: 'Tokens', values: b.map((x) => x.tokens) },
          { label: 'Wrong secret', values: b.map((x) => x.wrongSecret) },
          { label: 'Expired', values: b.map((x) => x.expired) },
          { label: 'Rate-limited', values: b.map((x) => x.rateLimited) },
          { label: 'Over quota', values: b.map((x) => x.quota) },
        ];
        const title = `${name}: tokens and failures per ${report.granularity}, last ${SPANS[span].label}`;
        fill(body, lineChart(title, timesOf(report), series), dataTable(title, timesOf(report), series, { id: 'key-usage' }));
      },
      (err) => fill(body, errorNote(failMessage(err, 'The usage'))),
    );
  };
  select.addEventListener('change', () => {
    key = select.value;
    load();
  });
  for (const b of spanButtons) {
    b.addEventListener('click', () => {
      span = b.dataset.span as Span;
      load();
    });
  }
  load();
  return h(
    'section',
    { class: 'card', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, 'One key'),
    h('div', { class: 'toolbar usage-controls' }, h('label', { for: selectId }, 'Key'), select, h('div', { role: 'group', 'aria-label': 'Time range' }, spanButtons)),
    body,
  );
}

export async function usagePage(ctx: PageContext, projectId: string): Promise<void> {
  ctx.setTitle('Usage');
  ctx.main.append(pageHeading('Usage'));
  const body = h('div', null, loadingNote('projects'));
  ctx.main.append(body);
  try {
    const project = (await listProjects()).find((p) => p.projectId === projectId);
    if (!project) return fill(body, errorNote('There is no such project in your account.'));
    const { credentials } = await listCredentials(projectId, { pageSize: 1000 });
    const keys = credentials.map((c) => ({ id: c.credentialId, name: displayName(c) }));
    const names = new Map(keys.map((k) => [k.id, k.name]));
    const selected = new URLSearchParams(location.search).get('key') ?? undefined;
    fill(
      body,
      h('p', null, `Project ${project.name}. Counts are written every few seconds. `, h('a', { href: hrefFor({ name: 'access-keys' }) }, 'Back to Access keys')),
      projectSection(projectId, names),
      keySection(projectId, keys, selected),
    );
  } catch (err) {
    fill(body, errorNote(failMessage(err, 'The project')));
  }
}
