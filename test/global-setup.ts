// Vitest global setup: every test server of the run logs (at debug) into one directory,
// and at the end of the run that directory is searched for every secret and token the
// tests recorded (helpers/log-capture.ts). One found fails the run, naming the log file
// and the kind of value, never the value itself.
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_DIR_ENV, LOG_SUFFIX, RECORD_SUFFIX, scanForLeaks } from './helpers/log-capture.js';

// The console's end-to-end tests drive Debian's Chromium. Without it the run stops here, at
// once, with the one line that says how to get it (never a skipped test).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A run limited to files by name (`vitest run test/cli.test.ts`) needs Chromium only for e2e files. */
function runsEndToEnd(): boolean {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && a !== 'watch');
  return filters.length === 0 || filters.some((f) => f.includes('e2e'));
}

function requireChromium(): void {
  if (!runsEndToEnd()) return;
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    process.stderr.write(
      `Chromium not found at ${CHROMIUM} (the console's end-to-end tests need it): ` +
        'install it with `sudo apt-get install chromium`, or set CHROMIUM_PATH to a Chromium or Chrome binary.\n',
    );
    process.exit(1);
  }
}

export default function setup(): () => void {
  requireChromium();
  // A directory given by the caller is kept for inspection (and emptied of an earlier run's files).
  const given = process.env[LOG_DIR_ENV];
  const dir = given || mkdtempSync(join(tmpdir(), 'keymint-test-logs-'));
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (name.endsWith(LOG_SUFFIX) || name.endsWith(RECORD_SUFFIX)) rmSync(join(dir, name));
  }
  process.env[LOG_DIR_ENV] = dir;

  return function teardown() {
    const started = Date.now();
    const result = scanForLeaks(dir);
    const summary =
      `secret hygiene: ${result.recorded} recorded secrets and tokens searched for in ${result.logFiles} log files ` +
      `(${result.lines} lines, ${result.requestLines} request lines) in ${Date.now() - started} ms`;
    if (result.leaks.length > 0) {
      const where = result.leaks.map((l) => `  ${l.kind} found in ${join(dir, l.file)}`).join('\n');
      throw new Error(`${summary}: LEAKED\n${where}\n(the logs are kept in ${dir})`);
    }
    // Recorded values and no request line at all would mean the capture itself is broken.
    if (result.recorded > 0 && result.requestLines === 0) {
      throw new Error(`${summary}: the logs hold no request lines, so the capture is not working (${dir})`);
    }
    console.log(`${summary}: none found`);
    if (!given) rmSync(dir, { recursive: true, force: true });
  };
}
