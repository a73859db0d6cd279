// The confirmation before removing a user. A refusal (the account's last Administrator)
// stays in the dialog, above its buttons.
import { h } from '../dom';
import { removeUser } from '../endpoints';
import { openModal } from '../modal';
import type { User } from '../types';

export function confirmRemoveUser(user: User, self: boolean, onRemoved: () => void, returnFocus?: () => HTMLElement | null): void {
  openModal({
    title: `Remove ${user.email}?`,
    content: [
      h('p', null, 'They can no longer sign in to this console; their open sessions end at once. Their entries in the audit log stay.'),
      self ? h('p', null, h('strong', null, 'This is you: '), 'you will be signed out.') : null,
    ],
    submitLabel: 'Remove user',
    busyLabel: 'Removing…',
    danger: true,
    returnFocus,
    onSubmit: async () => {
      await removeUser(user.userId);
      onRemoved();
    },
  });
}
