// "Add user": email, an initial password (the API's rule shown), and a role. The API's
// reason for a refusal goes under the field it concerns (a taken email, a short password).
import { h } from '../dom';
import { addUser } from '../endpoints';
import { field, selectField } from '../field';
import { openModal } from '../modal';
import { ROLE_NAMES, type Role, type User } from '../types';
import { PASSWORD_RULES } from '../sections/password-rules';
import { ROLE_HINT } from '../sections/roles';

export const SIGN_IN_PASSWORD_RULE = `${PASSWORD_RULES} Give it to the person privately; they sign in with it.`;

export function openAddUser(onAdded: (user: User) => void): void {
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'off', maxlength: 254 });
  const password = field({ label: 'Initial password', name: 'password', type: 'password', hint: SIGN_IN_PASSWORD_RULE, autocomplete: 'new-password' });
  const role = selectField({
    label: 'Role',
    name: 'role',
    options: ROLE_NAMES,
    value: 'basic',
    hint: ROLE_HINT,
  });
  openModal({
    title: 'Add user',
    content: h('p', { class: 'muted' }, 'The person signs in to this console with the email and password below.'),
    fields: [email, password, role],
    submitLabel: 'Add user',
    busyLabel: 'Adding…',
    onSubmit: async () => {
      onAdded(await addUser({ email: email.input.value.trim(), password: password.input.value, role: role.input.value as Role }));
    },
  });
}
