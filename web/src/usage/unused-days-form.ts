// The account's "unused after N days" setting, on the Access keys page: Administrators
// change it here (PUT /api/account/usage-settings, audited); everyone reads what it is.
// The API's message for a bad value appears under the field.
import { h } from '../dom';
import { field } from '../field';
import { announce } from '../live';
import { ApiFailure, request } from '../api';

export const saveUsageSettings = (unusedKeyDays: number) => request<{ unusedKeyDays: number }>('PUT', '/api/account/usage-settings', { unusedKeyDays });

export function unusedDaysForm(current: number, admin: boolean, onSaved: (days: number) => void): HTMLElement {
  if (!admin) return h('p', { class: 'muted' }, `Keys without a token for ${current} days are marked Unused.`);
  const days = field({ label: 'Mark keys Unused after this many days without a token', name: 'unusedKeyDays', value: String(current), hint: 'From 1 to 3650 days. It applies to every project of the account.', topics: ['unusedkeydays'] });
  days.input.type = 'number';
  days.input.min = '1';
  days.input.max = '3650';
  days.input.inputMode = 'numeric';
  const save = h('button', { type: 'submit', class: 'secondary' }, 'Save');
  const form = h('form', { class: 'card unused-days', novalidate: true }, days.wrap, save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    days.setError(null);
    const value = Number(days.input.value);
    save.disabled = true;
    try {
      const saved = await saveUsageSettings(Number.isFinite(value) && days.input.value.trim() !== '' ? value : NaN);
      announce(`Keys are marked Unused after ${saved.unusedKeyDays} days without a token.`);
      onSaved(saved.unusedKeyDays);
    } catch (err) {
      days.setError(err instanceof ApiFailure ? err.message : 'The setting could not be saved. Try again.');
      days.input.focus();
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
