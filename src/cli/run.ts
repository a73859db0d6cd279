// Runs one `keymint` command line to an exit code: 0 done, 1 refused or failed (one line:
// `keymint: <why>`, no stack), 2 bad usage or configuration. Used by the process (cli.ts)
// and by the running server for its control socket (control-socket.ts).
import { CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { ApiError } from '../kernel/api-error.js';
import { DataDirBusyError } from '../db/data-dir-busy.js';
import { oneLine } from '../log.js';
import { RanInServer, type CliContext } from './context.js';
import { CliError } from './errors.js';
import { buildProgram } from './program.js';

export async function runCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof RanInServer) return err.exitCode;
    // commander has printed its message already (help and --version exit 0).
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError) {
      ctx.io.err(`keymint: ${oneLine(err)}`);
      return 2;
    }
    if (err instanceof ApiError || err instanceof CliError || err instanceof DataDirBusyError) {
      ctx.io.err(`keymint: ${err.message}`);
      return err instanceof CliError ? err.exitCode : 1;
    }
    ctx.log().debug({ err }, 'command failed');
    ctx.io.err(`keymint: ${oneLine(err)}`);
    return 1;
  }
}
