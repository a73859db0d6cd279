// "Public keys" of a REST Basic key (issue 14, private_key_jwt): the keys it holds (kid,
// algorithm, thumbprint, when added), each removed after a confirmation, and a field to add
// one by pasting a JWK or a JWK Set; the API's refusal shows under that field. The dialog stays
// open while keys are added and removed. A key takes its public keys from here or from a
// jwks_uri (Token settings), not both.
import { h, time } from '../dom';
import { textareaField } from '../field';
import { announce } from '../live';
import { openModal } from '../modal';
import { addPublicKeys, getTokenSettings, listPublicKeys, removePublicKey, type PublicKey } from '../public-keys-endpoints';
import { displayName } from '../sections/credential-name';
import type { Credential, Project } from '../types';
import { bodyOf, JWK_HINT } from '../sections/jwk-input';

export async function openPublicKeys(project: Project, c: Credential, onChanged: () => void, openSettings: () => void, returnFocus: () => HTMLElement | null): Promise<void> {
  const name = displayName(c);
  const [initial, settings] = await Promise.all([listPublicKeys(project.projectId, c.credentialId), getTokenSettings(project.projectId, c.credentialId)]);
  let keys: PublicKey[] = initial;
  const status = h('p', { class: 'status-line', role: 'status' });
  const list = h('div', { class: 'public-keys' });
  const paste = textareaField({
    label: 'Add a public key',
    name: 'jwk',
    rows: 5,
    hint: JWK_HINT,
    topics: ['jwk', 'key', 'json'],
  });
  const say = (message: string) => {
    status.textContent = message;
    announce(message);
  };

  function render(): void {
    const from = settings.jwksUri
      ? h('p', { class: 'notice' }, 'This key takes its public keys from its jwks_uri ', h('code', { class: 'uri' }, settings.jwksUri), '. Clear it in Token settings to hold keys here.')
      : null;
    const items = keys.map((k) => {
      const remove = h('button', { type: 'button', class: 'danger-outline small', 'aria-label': `Remove public key ${k.kid}` }, 'Remove');
      remove.addEventListener('click', () => confirmRemove(k));
      return h(
        'li',
        { class: 'public-key' },
        h('div', { class: 'key-head' }, h('strong', { class: 'mono' }, k.kid), h('span', { class: 'badge alg' }, k.alg), remove),
        h('dl', null, h('dt', null, 'Thumbprint'), h('dd', { class: 'mono thumbprint' }, k.publicKeyId), h('dt', null, 'Added'), h('dd', null, time(k.createTime))),
      );
    });
    list.replaceChildren(
      ...[from, keys.length ? h('ul', { class: 'key-list', 'aria-label': `Public keys of ${name}` }, items) : h('p', { class: 'empty' }, 'No public keys yet.')].filter((n) => n !== null),
    );
  }

  function confirmRemove(k: PublicKey): void {
    openModal({
      title: 'Remove this public key?',
      content: [
        h('p', null, h('strong', { class: 'mono' }, k.kid), ` (${k.alg}) is removed from ${name}.`),
        h('p', null, 'Token requests signed with its private key are refused from then on, everywhere within a second.'),
      ],
      submitLabel: 'Remove public key',
      busyLabel: 'Removing…',
      danger: true,
      returnFocus: () => paste.input,
      onSubmit: async () => {
        await removePublicKey(project.projectId, c.credentialId, k.publicKeyId);
        keys = keys.filter((x) => x.publicKeyId !== k.publicKeyId);
        render();
        say(`Removed public key ${k.kid}.`);
        onChanged();
      },
    });
  }

  const toSettings = h('button', { type: 'button', class: 'link' }, 'Use a jwks_uri instead…');
  render();
  const modal = openModal({
    title: `Public keys of ${name}`,
    content: [
      h('p', { class: 'muted' }, 'With a public key here your service signs a short-lived JWT with its private key (private_key_jwt) instead of sending the secret. The secret keeps working beside it.'),
      status,
      list,
    ],
    fields: [paste],
    submitLabel: 'Add public key',
    busyLabel: 'Adding…',
    cancelLabel: 'Close',
    keepOpen: true,
    returnFocus,
    onSubmit: async () => {
      const added = await addPublicKeys(project.projectId, c.credentialId, bodyOf(paste.input.value));
      keys = [...keys, ...added];
      paste.input.value = '';
      render();
      say(added.length === 1 ? `Added public key ${added[0].kid}.` : `Added ${added.length} public keys.`);
      onChanged();
    },
  });
  modal.dialog.querySelector('form')?.insertBefore(h('p', null, toSettings), modal.dialog.querySelector('.form-error'));
  toSettings.addEventListener('click', () => {
    modal.close();
    openSettings();
  });
}
