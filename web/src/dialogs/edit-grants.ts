// "Access" of a key (issue 13): its grants, in the same editor as the create dialog,
// saved with PUT …/grants; in force on every instance within a second.
import { h } from '../dom';
import { getGrants, listApis, setGrants, type Grant } from '../apis-endpoints';
import { openModal } from '../modal';
import { grantsEditor } from '../sections/grants-editor';
import type { Credential, Project } from '../types';

export async function openEditGrants(project: Project, c: Credential, name: string, onSaved: (grants: Grant[] | null) => void, returnFocus: () => HTMLElement | null): Promise<void> {
  const [catalog, current] = await Promise.all([listApis(), getGrants(project.projectId, c.credentialId)]);
  const editor = grantsEditor(catalog, current.grants);
  let saved: Grant[] | null | undefined;
  openModal({
    title: `Access of ${name}`,
    content: [h('p', { class: 'muted' }, 'Changes are in force everywhere within a second.'), editor.element],
    submitLabel: 'Save access',
    busyLabel: 'Saving…',
    onSubmit: async () => {
      saved = (await setGrants(project.projectId, c.credentialId, editor.value())).grants;
    },
    onClose: () => {
      if (saved !== undefined) onSaved(saved);
    },
    returnFocus,
  });
}

/** One line saying what a key may do, for its row. */
export function accessSummary(grants: Grant[] | null): string {
  if (grants === null) return 'Full access';
  if (!grants.length) return 'No access';
  return grants.map((g) => `${g.api}${g.scopes.length ? ` (${g.scopes.join(' ')})` : ''}`).join('; ');
}
