// How a credential is named on screen: its label, or a legacy credential's username.
import type { Credential } from '../types';

export const displayName = (c: Credential): string =>
  c.kind === 'legacy' ? (c.username ?? 'Legacy credential (username hidden)') : c.label || 'Unlabelled key';
