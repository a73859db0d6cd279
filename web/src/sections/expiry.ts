// When a credential expires, as a table cell shows it (Never, the time, or Expired), and
// as the datetime-local fields of Create new key and Change expiry take it.
export const EXPIRY_HINT = 'Leave empty for a key that never expires. In your local time; at most 10 years ahead.';
import { h, time } from '../dom';
import type { Credential } from '../types';

export function expiryOf(c: Credential): HTMLElement | string {
  if (!c.expireTime) return 'Never';
  const expired = Date.parse(c.expireTime) <= Date.now();
  return h('span', { class: expired ? 'expired' : null }, time(c.expireTime), expired ? h('span', { class: 'badge pending' }, 'Expired') : null);
}

/** An RFC 3339 time as a datetime-local value (the browser's local time, to the minute). */
export function localInputOf(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A datetime-local value (the browser's local time) as an RFC 3339 UTC time, or undefined when empty. */
export function expireTimeOf(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}
