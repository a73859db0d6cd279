// The Access keys page: the account's projects with their Project IDs, and each project's
// keys (names, kinds, dates, expiry; never a key value here), with a link to its API
// Settings. Administrators create projects here, and rename and delete them.
import { ApiFailure } from '../api';
import { isAdministrator, type PageContext } from '../context';
import { copyableValue } from '../copy';
import { openNewProject, openRenameProject, confirmDeleteProject } from '../dialogs/project';
import { fill, h, time, uid } from '../dom';
import { listCredentials, listProjects } from '../endpoints';
import { announce } from '../live';
import { hrefFor } from '../router';
import { displayName } from '../sections/credential-name';
import { expiryOf } from '../sections/expiry';
import { KIND_SHORT, type Project } from '../types';
import { projectUsage, usageSettings } from '../usage/endpoints';
import { orderControl, sortKeys, UNUSED_DAYS, unusedMark, usageCell, volumesOf, type KeyOrder } from '../usage/key-rows';
import { errorNote, loadingNote, pageHeading } from './layout';
import { unusedDaysForm } from '../usage/unused-days-form';

interface CardActions {
  onRenamed(project: Project): void;
  onDeleted(project: Project, deletedCredentials: number): void;
}

const cardSelector = (projectId: string) => `section[data-project-id="${CSS.escape(projectId)}"]`;

function keysTable(project: Project): HTMLElement {
  const keys = h('div', null, loadingNote('keys'));
  void Promise.all([
    listCredentials(project.projectId, { pageSize: 100 }),
    projectUsage(project.projectId).catch(() => undefined),
    usageSettings().catch(() => ({ unusedKeyDays: UNUSED_DAYS })),
  ]).then(
    ([{ credentials, nextPageToken }, usage, settings]) => {
      if (credentials.length === 0) return fill(keys, h('p', { class: 'empty' }, 'No keys in this project yet.'));
      const volumes = volumesOf(usage);
      const tbody = h('tbody');
      const rows = (order: KeyOrder) =>
        fill(
          tbody,
          sortKeys(credentials, order, volumes).map((c) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row', 'data-label': 'Name' }, displayName(c), ' ', unusedMark(c, settings.unusedKeyDays)),
              h('td', { 'data-label': 'Kind' }, KIND_SHORT[c.kind]),
              h('td', { 'data-label': 'Created' }, time(c.createTime)),
              h('td', { 'data-label': 'Expires' }, expiryOf(c)),
              h('td', { 'data-label': 'Last used' }, time(c.lastUseTime)),
              usageCell(c, volumes, displayName(c)),
            ),
          ),
        );
      rows('created');
      fill(
        keys,
        orderControl(rows),
        h(
          'table',
          { class: 'data-table' },
          h('caption', { class: 'visually-hidden' }, `Keys of ${project.name}`),
          h('thead', null, h('tr', null, ['Name', 'Kind', 'Created', 'Expires', 'Last used', 'Tokens (24 h)'].map((t) => h('th', { scope: 'col' }, t)))),
          tbody,
        ),
        nextPageToken ? h('p', { class: 'muted' }, 'More keys are listed in API Settings.') : null,
      );
    },
    (err) => fill(keys, errorNote(err instanceof ApiFailure ? err.message : 'The keys could not be loaded.')),
  );
  return keys;
}

function projectCard(project: Project, admin: boolean, actions: CardActions): HTMLElement {
  const titleId = uid('project');
  const settings = h('a', { class: 'button secondary', href: hrefFor({ name: 'api-settings', projectId: project.projectId }) }, 'API Settings', h('span', { class: 'visually-hidden' }, ` for ${project.name}`));
  const usage = h('a', { class: 'button secondary', href: hrefFor({ name: 'usage', projectId: project.projectId }) }, 'Usage', h('span', { class: 'visually-hidden' }, ` of ${project.name}`));
  let tools: HTMLElement[] = [settings, usage];
  if (admin) {
    const again = (label: string) => () => document.querySelector<HTMLElement>(`${cardSelector(project.projectId)} button[data-action="${label}"]`);
    const rename = h('button', { type: 'button', class: 'secondary', 'data-action': 'rename', 'aria-label': `Rename ${project.name}` }, 'Rename');
    const remove = h('button', { type: 'button', class: 'danger-outline', 'data-action': 'delete', 'aria-label': `Delete ${project.name}` }, 'Delete');
    rename.addEventListener('click', () => openRenameProject(project, actions.onRenamed, again('rename')));
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      try {
        await confirmDeleteProject(project, (n) => actions.onDeleted(project, n), () => document.querySelector<HTMLElement>('h1'));
      } catch (err) {
        announce(err instanceof ApiFailure ? err.message : 'The project could not be checked. Try again.');
      } finally {
        remove.disabled = false;
      }
    });
    tools = [settings, usage, rename, remove];
  }
  return h(
    'section',
    { class: 'card project', 'aria-labelledby': titleId, 'data-project-id': project.projectId },
    h('div', { class: 'section-head' }, h('h2', { id: titleId }, project.name), h('div', { class: 'toolbar' }, tools)),
    copyableValue('Project ID', project.projectId, uid('project-id'), `Project ID of ${project.name}`),
    h('h3', null, 'Access keys'),
    keysTable(project),
  );
}

export async function accessKeysPage(ctx: PageContext): Promise<void> {
  ctx.setTitle('Access keys');
  const admin = isAdministrator(ctx.session);
  const body = h('div', { class: 'projects' }, loadingNote('projects'));
  const status = h('p', { class: 'status-line', role: 'status' });
  const projects: Project[] = [];
  const say = (message: string) => {
    status.textContent = message;
    announce(message);
  };

  const actions: CardActions = {
    onRenamed(project) {
      projects.splice(projects.findIndex((p) => p.projectId === project.projectId), 1, project);
      render();
      say(`Project renamed to ${project.name}.`);
    },
    onDeleted(project, deletedCredentials) {
      projects.splice(projects.findIndex((p) => p.projectId === project.projectId), 1);
      render();
      say(deletedCredentials ? `Deleted the project ${project.name} and its ${deletedCredentials} ${deletedCredentials === 1 ? 'credential' : 'credentials'}.` : `Deleted the project ${project.name}.`);
    },
  };

  function render(): void {
    if (projects.length === 0) {
      const how = admin ? 'Keys belong to projects. Use New project to create the first one.' : 'Keys belong to projects. Ask an Administrator of your account to create one.';
      fill(body, h('div', { class: 'card empty' }, h('h2', null, 'No projects yet'), h('p', null, how)));
      return;
    }
    fill(body, projects.map((p) => projectCard(p, admin, actions)));
  }

  const create = admin ? h('button', { type: 'button', class: 'primary' }, 'New project') : null;
  create?.addEventListener('click', () =>
    openNewProject((project) => {
      projects.push(project);
      render();
      say(`Created the project ${project.name}.`);
    }),
  );
  const setting = h('div', { class: 'usage-setting' });
  const showSetting = (days: number) =>
    fill(setting, unusedDaysForm(days, admin, (saved) => {
      showSetting(saved);
      render(); // the Unused marks follow the new setting
    }));
  void usageSettings().then((s) => showSetting(s.unusedKeyDays), () => fill(setting));
  fill(
    ctx.main,
    h('div', { class: 'section-head page-head' }, pageHeading('Access keys'), create),
    h('p', { class: 'lead' }, "Your projects with their Project IDs, and each project's keys. A key's secret is shown only once, when the key is created."),
    status,
    setting,
    body,
  );
  try {
    projects.push(...(await listProjects()));
    render();
  } catch (err) {
    fill(body, errorNote(err instanceof ApiFailure ? err.message : 'The projects could not be loaded.'));
  }
}
