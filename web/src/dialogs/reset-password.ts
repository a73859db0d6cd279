// "Reset password" for another user: a confirmation that says what happens (signed out
// everywhere, a new password at the next sign-in), then the temporary password, shown this
// once with Copy.
import { copyableValue } from '../copy';
import { h, uid } from '../dom';
import { resetUserPassword } from '../endpoints';
import { openModal } from '../modal';
import type { PasswordReset, User } from '../types';

export function confirmResetPassword(user: User, onReset: (reset: PasswordReset) => void, returnFocus?: () => HTMLElement | null): void {
  let reset: PasswordReset | undefined;
  openModal({
    title: `Reset the password of ${user.email}?`,
    content: [
      h('p', null, 'They are signed out everywhere at once. You get a temporary password to give them privately; at their next sign-in they must choose a new password before they can do anything else.'),
    ],
    submitLabel: 'Reset password',
    busyLabel: 'Resetting…',
    returnFocus,
    onSubmit: async () => {
      reset = await resetUserPassword(user.userId);
    },
    onClose: () => {
      if (!reset) return;
      onReset(reset);
      showTemporaryPassword(reset, returnFocus);
    },
  });
}

function showTemporaryPassword(reset: PasswordReset, returnFocus?: () => HTMLElement | null): void {
  openModal({
    title: 'Temporary password',
    content: [
      h('p', null, `The temporary password of ${reset.user.email}:`),
      copyableValue('Temporary password', reset.temporaryPassword, uid('temporary-password')),
      h('div', { class: 'notice warning', role: 'note' }, h('strong', null, 'Important: '), reset.notice),
    ],
    submitLabel: 'Ok',
    cancelLabel: null,
    returnFocus,
  });
}
