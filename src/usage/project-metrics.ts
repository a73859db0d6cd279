// Per-project usage totals on /metrics, only when the operator opts in
// (USAGE_PROJECT_METRICS=on): a project_id label is bounded by the projects there are; a
// per-key label never exists (keys are many and churn: Prometheus would keep every one).
import { Counter, type Registry } from 'prom-client';
import type { UsageField } from './fields.js';

export function projectMetrics(registry: Registry): (projectId: string, field: UsageField) => void {
  const tokens = new Counter({
    name: 'keymint_project_tokens_total',
    help: 'Access tokens issued, per project (USAGE_PROJECT_METRICS=on)',
    labelNames: ['project_id'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'keymint_project_auth_failures_total',
    help: 'Failed token requests of known keys, per project and reason (USAGE_PROJECT_METRICS=on)',
    labelNames: ['project_id', 'reason'] as const,
    registers: [registry],
  });
  // Label children bound once per project and field: this runs on every token request.
  const bound = new Map<string, { inc(): void }>();
  return (projectId, field) => {
    const id = `${projectId} ${field}`;
    let child = bound.get(id);
    if (!child) bound.set(id, (child = field === 'tokens' ? tokens.labels(projectId) : failures.labels(projectId, field)));
    child.inc();
  };
}
