// The Access keys page: the account's projects with their Project IDs, and each project's
// keys (names, kinds, dates; never a key value here), with a link to its API Settings.
import { ApiFailure } from '../api';
import type { PageContext } from '../context';
import { copyableValue } from '../copy';
import { fill, h, time, uid } from '../dom';
import { listCredentials, listProjects } from '../endpoints';
import { hrefFor } from '../router';
import { displayName } from '../sections/credential-name';
import { KIND_SHORT, type Project } from '../types';
import { errorNote, loadingNote, pageHeading } from './layout';

function projectCard(project: Project): HTMLElement {
  const titleId = uid('project');
  const keys = h('div', null, loadingNote('keys'));
  void listCredentials(project.projectId, { pageSize: 100 }).then(
    ({ credentials, nextPageToken }) => {
      if (credentials.length === 0) return fill(keys, h('p', { class: 'empty' }, 'No keys in this project yet.'));
      fill(
        keys,
        h(
          'table',
          { class: 'data-table' },
          h('caption', { class: 'visually-hidden' }, `Keys of ${project.name}`),
          h('thead', null, h('tr', null, ['Name', 'Kind', 'Created', 'Last used'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            null,
            credentials.map((c) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row', 'data-label': 'Name' }, displayName(c)),
                h('td', { 'data-label': 'Kind' }, KIND_SHORT[c.kind]),
                h('td', { 'data-label': 'Created' }, time(c.createTime)),
                h('td', { 'data-label': 'Last used' }, time(c.lastUseTime)),
              ),
            ),
          ),
        ),
        nextPageToken ? h('p', { class: 'muted' }, 'More keys are listed in API Settings.') : null,
      );
    },
    (err) => fill(keys, errorNote(err instanceof ApiFailure ? err.message : 'The keys could not be loaded.')),
  );
  return h(
    'section',
    { class: 'card project', 'aria-labelledby': titleId },
    h('div', { class: 'section-head' }, h('h2', { id: titleId }, project.name), h('a', { class: 'button secondary', href: hrefFor({ name: 'api-settings', projectId: project.projectId }) }, 'API Settings', h('span', { class: 'visually-hidden' }, ` for ${project.name}`))),
    copyableValue('Project ID', project.projectId, uid('project-id'), `Project ID of ${project.name}`),
    h('h3', null, 'Access keys'),
    keys,
  );
}

export async function accessKeysPage(ctx: PageContext): Promise<void> {
  ctx.setTitle('Access keys');
  const body = h('div', { class: 'projects' }, loadingNote('projects'));
  fill(
    ctx.main,
    pageHeading('Access keys'),
    h('p', { class: 'lead' }, "Your projects with their Project IDs, and each project's keys. A key's secret is shown only once, when the key is created."),
    body,
  );
  try {
    const projects = await listProjects();
    if (projects.length === 0) {
      fill(body, h('div', { class: 'card empty' }, h('h2', null, 'No projects yet'), h('p', null, 'Keys belong to projects. Ask your Keymint operator to create a project for this account.')));
      return;
    }
    fill(body, projects.map(projectCard));
  } catch (err) {
    fill(body, errorNote(err instanceof ApiFailure ? err.message : 'The projects could not be loaded.'));
  }
}
