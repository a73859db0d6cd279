// Edit label (REST Basic and HMAC), Edit password (Legacy) and Expiry (any kind). A
// rejected value keeps the dialog open with the API's rule under the field.
import { h } from '../dom';
import { updateCredential } from '../endpoints';
import { field } from '../field';
import { openModal } from '../modal';
import type { Credential, Project } from '../types';
import { PASSWORD_RULE } from './create-key';
import { displayName } from '../sections/credential-name';
import { EXPIRY_HINT, expireTimeOf, localInputOf } from '../sections/expiry';

export function openEditExpiry(project: Project, credential: Credential, onSaved: (updated: Credential) => void, returnFocus?: () => HTMLElement | null): void {
  const expires = field({ label: 'Expires', name: 'expires', type: 'datetime-local', value: localInputOf(credential.expireTime), hint: EXPIRY_HINT, topics: ['expiretime', 'expire'] });
  openModal({
    title: 'Change expiry',
    content: h('p', null, h('strong', null, displayName(credential)), '. At the time set, applications using it stop working.'),
    fields: [expires],
    submitLabel: 'Save expiry',
    returnFocus,
    busyLabel: 'Saving…',
    onSubmit: async () => {
      onSaved(await updateCredential(project.projectId, credential.credentialId, { expireTime: expireTimeOf(expires.input.value) ?? null }));
    },
  });
}

export function openEditLabel(project: Project, credential: Credential, onSaved: (updated: Credential) => void, returnFocus?: () => HTMLElement | null): void {
  const label = field({ label: 'Label', name: 'label', value: credential.label ?? '', maxlength: 200 });
  openModal({
    title: 'Edit label',
    fields: [label],
    submitLabel: 'Save label',
    returnFocus,
    busyLabel: 'Saving…',
    onSubmit: async () => {
      onSaved(await updateCredential(project.projectId, credential.credentialId, { label: label.input.value.trim() }));
    },
  });
  label.input.select();
}

export function openEditPassword(project: Project, credential: Credential, onSaved: (updated: Credential) => void, returnFocus?: () => HTMLElement | null): void {
  const password = field({ label: 'New password', name: 'password', type: 'password', hint: PASSWORD_RULE, autocomplete: 'new-password' });
  openModal({
    title: 'Edit password',
    content: h('p', null, 'Legacy API credentials ', h('strong', { class: 'mono' }, credential.username ?? ''), '. Applications using the old password stop working at once.'),
    fields: [password],
    submitLabel: 'Edit password',
    returnFocus,
    busyLabel: 'Saving…',
    onSubmit: async () => {
      onSaved(await updateCredential(project.projectId, credential.credentialId, { password: password.input.value }));
    },
  });
}
