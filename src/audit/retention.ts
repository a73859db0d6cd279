// Keeps the audit log to AUDIT_RETENTION_DAYS: at start and then every hour, events older
// than that are deleted, in batches so that no statement holds many rows at once. Every
// instance runs it; the deletes are idempotent. 0 days keeps the log forever.
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { deleteAuditEventsOlderThan } from './queries.js';

const BATCH = 5_000;
const EVERY_MS = 60 * 60_000;

export class AuditRetention {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: { db: Queryable; log: Logger; days: number }) {}

  start(): void {
    if (this.opts.days === 0) return;
    const run = () => void this.sweep().catch((err: Error) => this.opts.log.warn({ err: err.message }, 'could not delete old audit events'));
    run();
    this.#timer = setInterval(run, EVERY_MS).unref();
  }

  /** Deletes every event past the retention; returns how many. */
  async sweep(): Promise<number> {
    if (this.opts.days === 0) return 0; // kept forever
    let total = 0;
    for (;;) {
      const deleted = await deleteAuditEventsOlderThan(this.opts.db, this.opts.days, BATCH);
      total += deleted;
      if (deleted < BATCH) break;
    }
    if (total) this.opts.log.info({ deleted: total, days: this.opts.days }, 'deleted audit events past their retention');
    return total;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
