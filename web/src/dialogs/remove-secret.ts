// Remove secret (issue 14): a REST Basic key that has public keys (or a jwks_uri) stops
// accepting its secret, so a leaked or forgotten secret is worth nothing; it then gets tokens
// with client assertions only. Confirmed first; optionally its tokens issued until now are
// revoked too. The API refuses a key with nothing else to authenticate with, and says so.
import { h, uid } from '../dom';
import { openModal } from '../modal';
import { removeSecret } from '../public-keys-endpoints';
import { displayName } from '../sections/credential-name';
import type { Credential, Project } from '../types';

export function openRemoveSecret(project: Project, c: Credential, onRemoved: (methods: NonNullable<Credential['authenticationMethods']>) => void, returnFocus: () => HTMLElement | null): void {
  const name = displayName(c);
  const revokeId = uid('revoke-tokens');
  const revoke = h('input', { id: revokeId, type: 'checkbox', name: 'revokeTokens' });
  openModal({
    title: 'Remove the secret?',
    content: [
      h('p', null, h('strong', null, name), "'s secret stops working now, everywhere within a second. The key then gets tokens only with client assertions signed by its public keys (private_key_jwt)."),
      h('p', null, 'Applications still sending the secret stop working. Rotate secret gives the key a new secret later, if needed.'),
      h('div', { class: 'check' }, revoke, h('label', { for: revokeId }, 'Also revoke the tokens it was issued until now')),
    ],
    submitLabel: 'Remove secret',
    busyLabel: 'Removing…',
    danger: true,
    returnFocus,
    onSubmit: async () => {
      onRemoved((await removeSecret(project.projectId, c.credentialId, revoke.checked)).authenticationMethods);
    },
  });
}
