// Why a person cannot change credentials: their role (only Administrators manage API keys,
// users and the audit log), or an account that is not verified yet (with the button to
// request verification).
import { ApiFailure } from '../api';
import { isAdministrator } from '../context';
import { fill, h, time } from '../dom';
import { requestVerification } from '../endpoints';
import { announce } from '../live';
import { ROLE_NAMES, type Account, type Session } from '../types';

export const VERIFICATION_NOTICE_ID = 'verification-notice';

export function roleNotice(session: Session): HTMLElement | null {
  if (isAdministrator(session)) return null;
  return h(
    'div',
    { class: 'notice', role: 'note' },
    h('h2', null, 'You can view these keys but not change them'),
    h(
      'p',
      null,
      'Only account Administrators can create and manage API keys; users with Basic and Advanced account permissions ',
      "can see the list of keys but can't configure these settings. ",
      `Your role is ${ROLE_NAMES[session.user.role]}; please contact your account administrator for assistance.`,
    ),
  );
}

/** For a page only Administrators use (Users, Audit log): why this person sees nothing. */
export function administratorsOnlyNotice(session: Session, heading: string, what: string): HTMLElement {
  return h(
    'div',
    { class: 'notice', role: 'note' },
    h('h2', null, heading),
    h('p', null, `Only account Administrators can ${what}. Your role is ${ROLE_NAMES[session.user.role]}; please contact your account administrator for assistance.`),
  );
}

export function verificationNotice(session: Session, onAccount: (account: Account) => void): HTMLElement | null {
  const account = session.account;
  if (account.verified) return null;
  const box = h('div', { class: 'notice warning', id: VERIFICATION_NOTICE_ID });
  const status = h('p', { role: 'status' });
  const error = h('p', { class: 'form-error', role: 'alert' });

  function render(current: Account): void {
    const requested = current.verificationRequested
      ? h('p', null, 'Verification was requested ', time(current.verificationRequestTime, 'recently'), '. You can create API credentials once an operator has verified the account.')
      : null;
    const button = isAdministrator(session) && !current.verificationRequested ? h('button', { type: 'button', class: 'primary' }, 'Request verification') : null;
    button?.addEventListener('click', async () => {
      button.disabled = true;
      error.textContent = '';
      try {
        const updated = await requestVerification();
        onAccount(updated);
        render(updated);
        status.textContent = 'Verification requested.';
        announce('Verification requested.');
      } catch (err) {
        error.textContent = err instanceof ApiFailure ? err.message : 'The request failed. Try again.';
        button.disabled = false;
      }
    });
    fill(
      box,
      h('h2', null, 'Your account is not verified yet'),
      h('p', null, 'API credentials can only be created on verified accounts.', isAdministrator(session) ? '' : ' An Administrator can request verification.'),
      requested ?? (isAdministrator(session) ? h('p', null, 'Request verification and an operator will review your account.') : null),
      button,
      status,
      error,
    );
  }
  render(account);
  return box;
}
