// When a credential expires, as a table cell shows it: Never, the time, or Expired.
import { h, time } from '../dom';
import type { Credential } from '../types';

export function expiryOf(c: Credential): HTMLElement | string {
  if (!c.expireTime) return 'Never';
  const expired = Date.parse(c.expireTime) <= Date.now();
  return h('span', { class: expired ? 'expired' : null }, time(c.expireTime), expired ? h('span', { class: 'badge pending' }, 'Expired') : null);
}

/** A datetime-local value (the browser's local time) as an RFC 3339 UTC time, or undefined when empty. */
export function expireTimeOf(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}
