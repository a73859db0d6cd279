// The confirmation after a key is created: the API key and, this one time only, the API
// secret, each with a Copy button, and the warning that the secret is never shown again.
import { copyableValue } from '../copy';
import { h, uid } from '../dom';
import { openModal } from '../modal';
import { KIND_NAMES, type CreatedCredential } from '../types';

const DEFAULT_NOTICE =
  'This is the only time Keymint will display the API Secret. If you are not planning to use it right away, ' +
  'save it somewhere you can find it later. If you lose the API Secret, you will need to create a new key/secret pair.';

export function showKeyCreated(created: CreatedCredential): void {
  const { credential } = created;
  if (created.apiSecret === undefined) return showSecretlessCreated(created);
  openModal({
    title: 'Your API credentials have been created',
    content: [
      h('p', null, `${KIND_NAMES[credential.kind]}: “${credential.label ?? ''}”. Copy the credentials to the clipboard, then click Ok.`),
      copyableValue('API key', created.apiKey ?? '', uid('api-key')),
      copyableValue('API secret', created.apiSecret ?? '', uid('api-secret')),
      h('div', { class: 'notice warning', role: 'note' }, h('strong', null, 'Important: '), created.notice || DEFAULT_NOTICE),
    ],
    submitLabel: 'Ok',
    cancelLabel: null,
  });
}

/** A REST Basic key made with public keys only (issue 14): its API key, and how it gets tokens. */
function showSecretlessCreated(created: CreatedCredential): void {
  openModal({
    title: 'Your API key has been created',
    content: [
      h('p', null, `${KIND_NAMES[created.credential.kind]}: “${created.credential.label ?? ''}”. It has no secret: your service gets tokens with client assertions signed by its private key (private_key_jwt), with this API key as iss and sub.`),
      copyableValue('API key', created.apiKey ?? '', uid('api-key')),
    ],
    submitLabel: 'Ok',
    cancelLabel: null,
  });
}

export function showLegacyCreated(created: CreatedCredential): void {
  const username = created.credential.username ?? '';
  openModal({
    title: 'Legacy API credentials created',
    content: [
      h('p', null, 'Enter the username ', h('strong', { class: 'mono' }, username), ' and the password you chose into your application.'),
      h('p', null, 'The username cannot be changed. If you need to change the password at any time, click Edit next to it.'),
    ],
    submitLabel: 'Ok',
    cancelLabel: null,
  });
}
