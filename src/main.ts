#!/usr/bin/env node
// Start-up: config -> server (or, with WORKERS > 1, a node:cluster primary that forks that
// many servers sharing one port). SIGTERM/SIGINT finish requests in flight, then close.
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirBusyError } from './db/data-dir-busy.js';
import { createLogger, type Logger } from './log.js';
import { startServer } from './server.js';

function loadOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
}

async function runServer(config: Config, log: Logger) {
  try {
    const running = await startServer(config, log);
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      running.close().then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirBusyError) log.fatal(err.message);
    else log.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
}

function runPrimary(config: Config, log: Logger) {
  let stopping = false;
  const started = new Map<number, number>();
  const fork = () => started.set(cluster.fork().id, Date.now());
  for (let i = 0; i < config.workers; i++) fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // A worker that dies at once would die again: stop rather than fork in a loop.
    if (Date.now() - (started.get(worker.id) ?? 0) < 5_000) {
      log.fatal({ code }, 'a worker failed during start-up; stopping');
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
      process.exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
      return;
    }
    log.error({ pid: worker.process.pid, code }, 'worker exited; starting another');
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    log.info({ signal, workers: config.workers }, 'stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  log.info({ workers: config.workers }, 'keymint primary started');
}

const config = loadOrExit();
const log = createLogger(config.logLevel);
if (config.workers > 1 && cluster.isPrimary) runPrimary(config, log);
else await runServer(config, log);
