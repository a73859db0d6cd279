// Usage in the Access keys list: each key's tokens over the last 24 hours (a spark line and
// the total), sorting by last use or by volume, and a mark on keys unused for N days.
import { h, uid } from '../dom';
import type { Credential } from '../types';
import { sparkLine } from './charts';
import type { UsageReport } from './endpoints';

/** Keys not used for this many days are marked: the account's setting, 30 unless changed. */
export const UNUSED_DAYS = 30;

export type KeyOrder = 'created' | 'last-use' | 'volume';

export const volumesOf = (report: UsageReport | undefined): Map<string, number[]> =>
  new Map((report?.keys ?? []).filter((k) => k.credentialId).map((k) => [k.credentialId!, k.tokens]));

const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);

export function sortKeys(keys: Credential[], order: KeyOrder, volumes: Map<string, number[]>): Credential[] {
  const sorted = [...keys];
  if (order === 'last-use') sorted.sort((a, b) => Date.parse(b.lastUseTime ?? '0') - Date.parse(a.lastUseTime ?? '0') || 0);
  else if (order === 'volume') sorted.sort((a, b) => sum(volumes.get(b.credentialId)) - sum(volumes.get(a.credentialId)));
  return sorted;
}

export function isUnused(c: Credential, now = Date.now(), days = UNUSED_DAYS): boolean {
  const last = Date.parse(c.lastUseTime ?? c.createTime);
  return now - last > days * 86_400_000;
}

/** The row's usage cell: spark line and total, or a dash. */
export function usageCell(c: Credential, volumes: Map<string, number[]>, name: string): HTMLElement {
  const values = volumes.get(c.credentialId);
  const total = sum(values);
  return h(
    'td',
    { 'data-label': 'Tokens (24 h)', 'data-tokens': String(total) },
    values && total > 0 ? sparkLine(`${name}: ${total} tokens in the last 24 hours`, values) : null,
    h('span', { class: 'spark-total' }, String(total)),
  );
}

export function unusedMark(c: Credential, days = UNUSED_DAYS): HTMLElement | null {
  return isUnused(c, Date.now(), days) ? h('span', { class: 'badge unused', title: `No token for ${days} days or more` }, `Unused ${days}+ days`) : null;
}

export function orderControl(onChange: (order: KeyOrder) => void): HTMLElement {
  const id = uid('order');
  const select = h(
    'select',
    { id },
    h('option', { value: 'created' }, 'Created'),
    h('option', { value: 'last-use' }, 'Last used'),
    h('option', { value: 'volume' }, 'Tokens (24 h)'),
  );
  select.addEventListener('change', () => onChange(select.value as KeyOrder));
  return h('div', { class: 'order-control' }, h('label', { for: id }, 'Sort by '), select);
}
