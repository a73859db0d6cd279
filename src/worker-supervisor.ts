// The node:cluster primary (WORKERS > 1): forks the workers and replaces any that exits.
// A worker that fails during start-up (the database is down, say) is forked again after a
// backoff that doubles up to MAX_BACKOFF_MS; when no worker is left alive and start-up has
// failed GIVE_UP_AFTER times in a row, the primary exits 1 so that a supervisor's
// on-failure policy restarts it (exit 0 is kept for a stop that was asked for).
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './log.js';

const START_MS = 5_000; // a worker that dies sooner failed to start
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8_000;
export const GIVE_UP_AFTER = 6;

export function superviseWorkers(count: number, log: Logger): void {
  let stopping = false;
  let failures = 0;
  const started = new Map<number, number>();
  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w && !w.isDead()));
  const fork = () => {
    if (stopping) return;
    started.set(cluster.fork().id, Date.now());
  };
  for (let i = 0; i < count; i++) fork();

  cluster.on('listening', () => {
    failures = 0;
  });
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    if (stopping) {
      if (alive().length === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (lived >= START_MS) {
      log.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
      return fork();
    }
    failures++;
    if (failures >= GIVE_UP_AFTER && alive().length === 0) {
      log.fatal({ code, failures }, 'workers keep failing during start-up; giving up');
      process.exit(1);
    }
    const delay = Math.min(FIRST_BACKOFF_MS * 2 ** (failures - 1), MAX_BACKOFF_MS);
    log.error({ code, failures, retryInMs: delay }, 'a worker failed during start-up; forking another after a backoff');
    setTimeout(fork, delay);
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    log.info({ signal, workers: count }, 'stopping workers');
    const workers = alive();
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker.kill(signal);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  log.info({ workers: count }, 'keymint primary started');
}
