// Rotate secret (REST Basic and HMAC): the key keeps its API key and gets a new secret; the previous
// one keeps working for the overlap chosen, so applications can switch without downtime.
// The new secret is then shown this once. While a previous secret still works the dialog
// says until when, and offers to revoke it instead.
import { copyableValue } from '../copy';
import { h, uid } from '../dom';
import { listCredentialSecrets, revokePreviousSecret, rotateCredentialSecret, type KeySecret } from '../endpoints';
import { selectField } from '../field';
import { openModal } from '../modal';
import type { Credential, Project } from '../types';
import { displayName } from '../sections/credential-name';

const OVERLAPS: Record<string, string> = {
  '0s': 'Stop it now',
  '3600s': '1 hour',
  '86400s': '24 hours',
  '604800s': '7 days',
  '2592000s': '30 days',
};

const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : 'never');

export async function openRotateSecret(project: Project, credential: Credential, onDone: (message: string) => void, returnFocus?: () => HTMLElement | null): Promise<void> {
  const name = displayName(credential);
  const secrets = await listCredentialSecrets(project.projectId, credential.credentialId);
  const previous = secrets.find((s) => s.state === 'PREVIOUS');
  if (previous) return openRevokePrevious(project, credential, previous, onDone, returnFocus);
  if (secrets.length === 0) return openGiveSecret(project, credential, onDone, returnFocus);
  const overlap = selectField({ label: 'The previous secret keeps working for', name: 'overlap', options: OVERLAPS, value: '86400s', hint: 'Long enough for every application to switch to the new secret.' });
  openModal({
    title: 'Rotate secret',
    content: h('p', null, h('strong', null, name), ' gets a new API secret; its API key stays the same. The current secret keeps working for the time you choose, then stops.'),
    fields: [overlap],
    submitLabel: 'Rotate secret',
    busyLabel: 'Rotating…',
    returnFocus,
    onSubmit: async () => {
      const rotated = await rotateCredentialSecret(project.projectId, credential.credentialId, overlap.input.value);
      showRotated(name, rotated.apiSecret, rotated.notice, rotated.secrets);
      onDone(`New secret made for ${name}.`);
    },
  });
}

/** A key without a secret (Remove secret, issue 14) gets one again; its public keys keep working. */
function openGiveSecret(project: Project, credential: Credential, onDone: (message: string) => void, returnFocus?: () => HTMLElement | null): void {
  const name = displayName(credential);
  openModal({
    title: 'Give the key a secret',
    content: h('p', null, h('strong', null, name), ' has no secret: it gets tokens with its public keys only. It gets a new API secret, shown once; its public keys keep working.'),
    submitLabel: 'Make a secret',
    busyLabel: 'Making…',
    returnFocus,
    onSubmit: async () => {
      const rotated = await rotateCredentialSecret(project.projectId, credential.credentialId, '0s');
      // The server's notice speaks of a previous secret, which this key did not have.
      showRotated(name, rotated.apiSecret, 'This is the only time the new API Secret is shown. Store it now.', rotated.secrets, false);
      onDone(`New secret made for ${name}.`);
    },
  });
}

function showRotated(name: string, secret: string, notice: string, secrets: KeySecret[], hadSecret = true): void {
  const previous = secrets.find((s) => s.state === 'PREVIOUS');
  openModal({
    title: 'Your new API secret',
    content: [
      h('p', null, `${name}: copy the new secret to the clipboard, then click Ok.`),
      copyableValue('New API secret', secret, uid('new-api-secret')),
      hadSecret && h('p', null, previous ? `The previous secret works until ${when(previous.expireTime)}.` : 'The previous secret no longer works.'),
      h('div', { class: 'notice warning', role: 'note' }, h('strong', null, 'Important: '), notice),
    ],
    submitLabel: 'Ok',
    cancelLabel: null,
  });
}

function openRevokePrevious(project: Project, credential: Credential, previous: KeySecret, onDone: (message: string) => void, returnFocus?: () => HTMLElement | null): void {
  const name = displayName(credential);
  openModal({
    title: 'Revoke the previous secret?',
    content: [
      h('p', null, h('strong', null, name), ` already has two secrets: the previous one works until ${when(previous.expireTime)} (last used ${when(previous.lastUseTime)}).`),
      h('p', null, 'Revoke it now to rotate again. Applications still using it stop working at once.'),
    ],
    submitLabel: 'Revoke previous secret',
    busyLabel: 'Revoking…',
    danger: true,
    returnFocus,
    onSubmit: async () => {
      await revokePreviousSecret(project.projectId, credential.credentialId);
      onDone(`The previous secret of ${name} no longer works.`);
    },
  });
}
