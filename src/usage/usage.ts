// Usage counting as the server runs it: the recorder (counts, flushes, quotas), the
// retention sweep, and the opt-in per-project metrics. Undefined when USAGE_COUNTING=off.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Queryable } from '../db/pool.js';
import { UsageRecorder } from './recorder.js';
import { UsageRetention } from './retention.js';
import { projectMetrics } from './project-metrics.js';

export interface Usage {
  readonly recorder: UsageRecorder;
  /** Writes what is counted and stops; for shutdown. */
  close(): Promise<void>;
}

export async function startUsage(opts: { config: Config; db: Queryable; log: Logger; registry: Registry; now?: () => number }): Promise<Usage | undefined> {
  const { config, db, log, registry, now } = opts;
  if (!config.usageCounting) return undefined;
  const recorder = new UsageRecorder({
    db,
    log,
    now,
    flushMs: config.usageFlushMs,
    onCount: config.usageProjectMetrics ? projectMetrics(registry) : undefined,
  });
  await recorder.start();
  const retention = new UsageRetention({ db, log, keep: config.usageRetention, now });
  retention.start();
  return {
    recorder,
    async close() {
      retention.stop();
      await recorder.close();
    },
  };
}
