// The API key of a REST credential, hidden until an Administrator clicks Show (each reveal
// is audited); then a read-only field with Copy, and Hide.
import { ApiFailure } from '../api';
import { copyButton } from '../copy';
import { h, uid } from '../dom';
import { revealCredential } from '../endpoints';
import type { Credential, Project } from '../types';
import { displayName } from './credential-name';

export function keyCell(project: Project, credential: Credential): HTMLTableCellElement {
  const name = displayName(credential);
  const cell = h('td', { 'data-label': 'API key', class: 'key-cell' });

  function hidden(): void {
    const show = h('button', { type: 'button', class: 'link', 'aria-label': `Show API key of ${name}` }, 'Show');
    show.addEventListener('click', async () => {
      show.disabled = true;
      try {
        const { apiKey } = await revealCredential(project.projectId, credential.credentialId);
        shown(apiKey ?? '');
      } catch (err) {
        show.disabled = false;
        cell.replaceChildren(show, h('p', { class: 'field-error', role: 'alert' }, err instanceof ApiFailure ? err.message : 'Could not show the key.'));
        show.focus();
      }
    });
    cell.replaceChildren(h('span', { class: 'masked', 'aria-hidden': 'true' }, '••••••••'), ' ', show);
  }

  function shown(apiKey: string): void {
    const id = uid('api-key');
    const input = h('input', { id, type: 'text', readonly: true, value: apiKey, size: Math.max(apiKey.length, 20), class: 'mono key', spellcheck: 'false', 'aria-label': `API key of ${name}` });
    input.addEventListener('focus', () => input.select());
    const hide = h('button', { type: 'button', class: 'link', 'aria-label': `Hide API key of ${name}` }, 'Hide');
    hide.addEventListener('click', () => {
      hidden();
      cell.querySelector<HTMLButtonElement>('button')?.focus();
    });
    cell.replaceChildren(h('div', { class: 'copy-row' }, input, copyButton(`API key of ${name}`, input), hide));
    input.focus();
  }

  hidden();
  return cell;
}
