// "Create new key": a label for Basic and HMAC keys, a username and password for Legacy
// credentials, and for every kind an optional expiry and its access (grants, issue 13: by
// default tokens for one API and no management); for Basic, optionally public keys instead of
// a secret (issue 14). On success the confirmation opens (for Basic and HMAC, with the secret).
import { h } from '../dom';
import { createCredential } from '../endpoints';
import { field } from '../field';
import { openModal } from '../modal';
import { EXPIRY_HINT, expireTimeOf } from '../sections/expiry';
import { KIND_NAMES, type CreatedCredential, type Kind, type Project } from '../types';
import { showKeyCreated, showLegacyCreated } from './key-created';
import { listApis } from '../apis-endpoints';
import { grantsEditor, type GrantsEditor } from '../sections/grants-editor';
import { secretlessChoice } from '../sections/secretless-choice';

export const USERNAME_RULE = '3 to 50 letters, digits, or . _ - @. It cannot be changed later.';
export const PASSWORD_RULE = '6 to 50 alphanumeric characters, including upper and lowercase.';

export function openCreateKey(project: Project, kind: Kind, onCreated: (created: CreatedCredential) => void): void {
  // The account's APIs first, for the access editor; without them (an old server), no editor.
  void listApis().then(
    (catalog) => openWith(project, kind, onCreated, grantsEditor(catalog)),
    () => openWith(project, kind, onCreated, undefined),
  );
}

function openWith(project: Project, kind: Kind, onCreated: (created: CreatedCredential) => void, access: GrantsEditor | undefined): void {
  const grants = () => {
    const value = access?.value();
    return value ? { grants: value } : {};
  };
  let created: CreatedCredential | undefined;
  const after = () => {
    if (!created) return;
    onCreated(created);
    if (kind === 'legacy') showLegacyCreated(created);
    else showKeyCreated(created);
  };
  const intro = [h('p', { class: 'muted' }, `${KIND_NAMES[kind]} · ${project.name}`), access?.element];
  const expires = field({
    label: 'Expires (optional)',
    name: 'expires',
    type: 'datetime-local',
    hint: EXPIRY_HINT,
    topics: ['expiretime', 'expire'],
  });
  const expireTime = () => {
    const value = expireTimeOf(expires.input.value);
    return value ? { expireTime: value } : {};
  };

  if (kind === 'legacy') {
    const username = field({ label: 'Username', name: 'username', hint: USERNAME_RULE, maxlength: 50 });
    const password = field({ label: 'Password', name: 'password', type: 'password', hint: PASSWORD_RULE, autocomplete: 'new-password' });
    openModal({
      title: 'Create new key',
      content: intro,
      fields: [username, password, expires],
      submitLabel: 'Create key',
      busyLabel: 'Creating…',
      onSubmit: async () => {
        created = await createCredential(project.projectId, { kind, username: username.input.value.trim(), password: password.input.value, ...expireTime(), ...grants() });
      },
      onClose: after,
    });
    return;
  }

  const label = field({ label: 'Label', name: 'label', hint: 'A descriptive name, such as the application that will use the key.', maxlength: 200 });
  // REST Basic keys may have public keys instead of a secret (issue 14).
  const secretless = kind === 'basic' ? secretlessChoice() : undefined;
  openModal({
    title: 'Create new key',
    content: intro,
    fields: [label, expires, ...(secretless ? [secretless] : [])],
    submitLabel: 'Create Key',
    busyLabel: 'Creating…',
    onSubmit: async () => {
      created = await createCredential(project.projectId, { kind: kind as 'basic' | 'hmac', label: label.input.value.trim(), ...expireTime(), ...grants(), ...secretless?.body() });
    },
    onClose: after,
  });
}
