// "Token settings" of a REST Basic key (issue 14): Require DPoP (RFC 9449: every token
// request must carry a proof, so every token is bound to the client's key) and a jwks_uri
// (where the client publishes its public keys, instead of keys held here). The API's
// refusal shows under the jwks_uri field (https only; not while the key holds public keys).
import { h, uid } from '../dom';
import { field } from '../field';
import { openModal } from '../modal';
import { getTokenSettings, updateTokenSettings, type TokenSettings } from '../public-keys-endpoints';
import { displayName } from '../sections/credential-name';
import type { Credential, Project } from '../types';

export async function openTokenSettings(project: Project, c: Credential, onSaved: (settings: TokenSettings) => void, returnFocus: () => HTMLElement | null): Promise<void> {
  const name = displayName(c);
  const current = await getTokenSettings(project.projectId, c.credentialId);
  const dpopId = uid('dpop');
  const dpop = h('input', { id: dpopId, type: 'checkbox', name: 'dpopRequired', checked: current.dpopRequired, 'aria-describedby': `${dpopId}-hint` });
  const uri = field({
    label: 'jwks_uri',
    name: 'jwksUri',
    value: current.jwksUri ?? '',
    hint: 'Optional: an https URL where your service publishes its JWK Set, instead of public keys held here. Empty: none.',
    topics: ['jwksuri', 'jwks_uri', 'https', 'public keys'],
    maxlength: 2048,
  });
  uri.input.setAttribute('inputmode', 'url');
  openModal({
    title: `Token settings of ${name}`,
    content: [
      h('div', { class: 'check' }, dpop, h('label', { for: dpopId }, 'Require DPoP')),
      h('p', { id: `${dpopId}-hint`, class: 'hint' }, 'Token requests without a DPoP proof (RFC 9449) are refused, so every token is bound to your service\'s key: a copied token is useless without it.'),
    ],
    fields: [uri],
    submitLabel: 'Save settings',
    busyLabel: 'Saving…',
    returnFocus,
    onSubmit: async () => {
      const jwksUri = uri.input.value.trim() || null;
      onSaved(await updateTokenSettings(project.projectId, c.credentialId, { dpopRequired: dpop.checked, jwksUri }));
    },
  });
  dpop.focus();
}
