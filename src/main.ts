#!/usr/bin/env node
// Start-up: config -> server; SIGTERM/SIGINT finish requests in flight, then close.
import { ConfigError, loadConfig } from './config.js';
import { DataDirBusyError } from './db/embedded.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
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
    if (err instanceof ConfigError || err instanceof DataDirBusyError) {
      log.fatal(err.message);
    } else {
      log.fatal({ err }, 'start-up failed');
    }
    process.exit(1);
  }
}

await main();
