// Links to a key's usage (the audit log's rows, the Access keys page).
import { h } from '../dom';
import { hrefFor } from '../router';

export const usageHref = (projectId: string, credentialId?: string): string =>
  hrefFor({ name: 'usage', projectId }) + (credentialId ? `?key=${encodeURIComponent(credentialId)}` : '');

export const keyUsageLink = (projectId: string, credentialId: string, name: string): HTMLElement =>
  h('a', { href: usageHref(projectId, credentialId), class: 'usage-link' }, 'Usage', h('span', { class: 'visually-hidden' }, ` of ${name}`));
