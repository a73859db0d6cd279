// The confirmation before "Delete selected": names every key, says it cannot be undone.
import { h } from '../dom';
import { deleteCredentials } from '../endpoints';
import { openModal } from '../modal';
import type { Credential, Project } from '../types';
import { displayName } from '../sections/credential-name';

export function confirmDelete(project: Project, selected: Credential[], onDeleted: (count: number) => void, returnFocus?: () => HTMLElement | null): void {
  const count = selected.length;
  openModal({
    title: count === 1 ? 'Delete this key?' : `Delete these ${count} keys?`,
    content: [
      h('p', null, 'Applications that use them stop working at once. This cannot be undone.'),
      h('ul', { class: 'names' }, selected.map((c) => h('li', null, displayName(c)))),
    ],
    submitLabel: 'Delete keys',
    busyLabel: 'Deleting…',
    danger: true,
    returnFocus,
    onSubmit: async () => {
      const { deleted } = await deleteCredentials(project.projectId, selected.map((c) => c.credentialId));
      onDeleted(deleted);
    },
  });
}
