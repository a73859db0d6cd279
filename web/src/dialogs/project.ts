// New project, Rename and Delete project (Administrators). Delete first counts the
// project's credentials: without any it asks plainly; with some it names them and says
// that they are deleted with the project, and only then sends withCredentials.
import { h } from '../dom';
import { createProject, deleteProject, listCredentials, renameProject } from '../endpoints';
import { field } from '../field';
import { openModal } from '../modal';
import { displayName } from '../sections/credential-name';
import { KIND_SHORT, type Credential, type Project } from '../types';

const NAME_HINT = 'Up to 200 characters, unique in this account.';

export function openNewProject(onCreated: (project: Project) => void): void {
  const name = field({ label: 'Project name', name: 'name', hint: NAME_HINT, maxlength: 200 });
  openModal({
    title: 'New project',
    content: h('p', { class: 'muted' }, 'A project holds API keys; each gets a Project ID of its own.'),
    fields: [name],
    submitLabel: 'Create project',
    busyLabel: 'Creating…',
    onSubmit: async () => onCreated(await createProject(name.input.value.trim())),
  });
}

export function openRenameProject(project: Project, onRenamed: (project: Project) => void, returnFocus?: () => HTMLElement | null): void {
  const name = field({ label: 'Project name', name: 'name', value: project.name, hint: NAME_HINT, maxlength: 200 });
  openModal({
    title: 'Rename project',
    content: h('p', { class: 'muted' }, 'The Project ID stays the same; applications are not affected.'),
    fields: [name],
    submitLabel: 'Save name',
    busyLabel: 'Saving…',
    returnFocus,
    onSubmit: async () => onRenamed(await renameProject(project.projectId, name.input.value.trim())),
  });
  name.input.select();
}

async function allCredentials(project: Project): Promise<Credential[]> {
  const all: Credential[] = [];
  let pageToken: string | undefined;
  do {
    const page = await listCredentials(project.projectId, { pageSize: 1000, pageToken });
    all.push(...page.credentials);
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return all;
}

export async function confirmDeleteProject(project: Project, onDeleted: (deletedCredentials: number) => void, returnFocus?: () => HTMLElement | null): Promise<void> {
  const credentials = await allCredentials(project);
  const count = credentials.length;
  const shown = credentials.slice(0, 20);
  openModal({
    title: `Delete the project ${project.name}?`,
    content: count === 0
      ? h('p', null, 'It has no API credentials. Its Project ID stops existing. This cannot be undone.')
      : [
          h('p', null, h('strong', null, `It has ${count} API ${count === 1 ? 'credential' : 'credentials'}, deleted with it: `), 'applications that use them stop working at once. This cannot be undone.'),
          h('ul', { class: 'names' }, shown.map((c) => h('li', null, `${displayName(c)} (${KIND_SHORT[c.kind]})`)), count > shown.length ? h('li', null, `and ${count - shown.length} more`) : null),
        ],
    submitLabel: count === 0 ? 'Delete project' : `Delete project and ${count} ${count === 1 ? 'credential' : 'credentials'}`,
    busyLabel: 'Deleting…',
    danger: true,
    returnFocus,
    onSubmit: async () => onDeleted((await deleteProject(project.projectId, count > 0)).deletedCredentials),
  });
}
