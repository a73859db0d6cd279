// What every measuring script shares: integer settings from the environment, progress
// lines on stderr, clean-up steps that run on success, failure and Ctrl-C alike, and the
// run itself (a non-zero exit when it throws or reports failed checks).
import { closeAgent } from './load.js';

export function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${name} must be a whole number of at least ${min}; got "${raw}"`);
  return Number(raw);
}

export function scriptRunner(tag: string) {
  const progress = (message: string) => process.stderr.write(`[${tag}] ${message}\n`);
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanUp = async (): Promise<void> => {
    while (cleanups.length) await cleanups.pop()!().catch((err: unknown) => progress(`clean-up failed: ${String(err)}`));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  /** Runs the script's main; the strings it returns are failed checks. */
  const run = async (main: () => Promise<string[] | void>): Promise<void> => {
    try {
      const failures = (await main()) ?? [];
      if (failures.length) {
        process.exitCode = 1;
        progress(`FAILED checks:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
      }
    } catch (err) {
      process.exitCode = 1;
      progress(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      closeAgent();
      await cleanUp();
    }
  };
  return { progress, cleanups, cleanUp, run };
}
