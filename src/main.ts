#!/usr/bin/env node
// Start-up: config -> server (or, with WORKERS > 1, a node:cluster primary that forks that
// many servers sharing one port, src/worker-supervisor.ts). SIGTERM/SIGINT finish requests
// in flight, then close; the process exits within EXIT_DEADLINE_MS whatever the database does.
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirBusyError } from './db/data-dir-busy.js';
import { createLogger, oneLine, type Logger } from './log.js';
import { assertPortFree } from './http/port-check.js';
import { startServer } from './server.js';
import { superviseWorkers } from './worker-supervisor.js';

// However the shutdown goes, the process is gone this long after SIGTERM.
const EXIT_DEADLINE_MS = 10_000;

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
    // A stray rejection (a driver callback, a timer) must not take the server down with it.
    process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      setTimeout(() => {
        log.error('shutdown did not finish in time; exiting');
        process.exit(1);
      }, EXIT_DEADLINE_MS).unref();
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
    exitOnStartupFailure(log, err);
  }
}

/** One readable line (the detail, with its stack, at debug), then exit 1. */
function exitOnStartupFailure(log: Logger, err: unknown): never {
  if (!(err instanceof ConfigError || err instanceof DataDirBusyError)) log.debug({ err }, 'start-up failure detail');
  log.fatal(`start-up failed: ${oneLine(err)}`);
  process.exit(1);
}

const config = loadOrExit();
const log = createLogger(config.logLevel, 1, config.logFormat);
if (config.workers > 1 && cluster.isPrimary) {
  await assertPortFree(config.port, config.host).catch((err) => exitOnStartupFailure(log, err));
  superviseWorkers(config.workers, log);
} else await runServer(config, log);
