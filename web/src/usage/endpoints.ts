// The console API's usage calls (src/usage/routes.ts).
import { request } from '../api';

export interface Counts {
  tokens: number;
  wrongSecret: number;
  expired: number;
  rateLimited: number;
  quota: number;
}

export interface UsageReport {
  granularity: 'minute' | 'hour' | 'day';
  from: string;
  to: string;
  totals: Counts;
  buckets: Array<{ start: string } & Counts>;
  keys: Array<{ credentialId?: string; label?: string; deleted?: true; totals: Counts; tokens: number[] }>;
}

const enc = encodeURIComponent;
export type Span = '24h' | '7d' | '90d';
export const SPANS: Record<Span, { label: string; granularity: 'hour' | 'day'; ms: number }> = {
  '24h': { label: '24 hours', granularity: 'hour', ms: 24 * 3_600_000 },
  '7d': { label: '7 days', granularity: 'hour', ms: 7 * 86_400_000 },
  '90d': { label: '90 days', granularity: 'day', ms: 90 * 86_400_000 },
};

function range(span: Span): string {
  const { granularity, ms } = SPANS[span];
  const to = Date.now();
  return new URLSearchParams({ granularity, from: new Date(to - ms + 1).toISOString(), to: new Date(to).toISOString() }).toString();
}

export const projectUsage = (projectId: string, span: Span = '24h') => request<UsageReport>('GET', `/api/projects/${enc(projectId)}/usage?${range(span)}`);
export const keyUsage = (projectId: string, credentialId: string, span: Span) =>
  request<UsageReport>('GET', `/api/projects/${enc(projectId)}/credentials/${enc(credentialId)}/usage?${range(span)}`);

/** The account's usage settings (read once per page). */
export const usageSettings = () => request<{ unusedKeyDays: number }>('GET', '/api/account/usage-settings');
