// One process at a time per embedded data folder, with an OS lock: flock(2) on
// DATA_DIR/keymint.lock, held by a small `flock` (util-linux) child for as long as this
// process lives. The kernel releases it when the holder is gone, however it went (kill -9,
// a crash, a container's PID 1 stopping): no PID is compared, so a lock is never stale, and
// taking it is atomic, so of two processes racing exactly one wins. The child exits when
// its stdin (a pipe from this process) closes, which the kernel does when this process dies.
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { DataDirBusyError } from './data-dir-busy.js';

const BUSY = 75; // flock's exit code when the lock is held (EX_TEMPFAIL)
// A predecessor still shutting down gets this long to let go.
const WAIT_SECONDS = 3;

export async function lockDataDir(lockPath: string, folder: string): Promise<() => Promise<void>> {
  await (await open(lockPath, 'a', 0o600)).close();
  const child = spawn('flock', ['--exclusive', '--timeout', String(WAIT_SECONDS), '--conflict-exit-code', String(BUSY), lockPath, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const taken = await new Promise<'locked' | 'busy' | Error>((resolve) => {
    child.once('error', (err) => resolve(err));
    child.stdout.once('data', () => resolve('locked'));
    child.once('exit', (code) => resolve(code === BUSY ? 'busy' : new Error(`flock exited with ${code}`)));
  });
  if (taken === 'busy') {
    throw new DataDirBusyError(
      `The embedded database in ${folder} is in use by another Keymint process. ` +
        'Stop that server first (or use its control commands), or set DATABASE_URL to use a Postgres server.',
    );
  }
  if (taken instanceof Error) {
    child.kill('SIGKILL');
    const missing = (taken as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DataDirBusyError(
      missing
        ? `Could not lock ${lockPath}: the embedded database needs the \`flock\` command (util-linux). Install it, or set DATABASE_URL.`
        : `Could not lock ${lockPath}: ${taken.message}`,
    );
  }
  child.stdout.destroy();
  // The lock must not keep the event loop alive, nor outlive a clean exit.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    child.ref(); // wait for it: the release is awaited
    const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    child.stdin?.end();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}
