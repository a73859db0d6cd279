// The `keymint` command tree. Each group registers itself from its own module; adding a
// group is one line in GROUPS. Output and errors go through the context's Io (never the
// process directly), so the running server can run the same tree for its control socket.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerAdmin } from './admin.js';
import { registerAccounts } from './accounts.js';
import { registerUsers } from './users.js';
import { registerProjects } from './projects.js';
import { registerKeys } from './keys.js';
import { registerSigningKeys } from './signing-keys.js';
import { registerOAuth } from './oauth.js';
import { registerCompletion } from './completion.js';

export type Register = (program: Command, ctx: CliContext) => void;

const GROUPS: readonly Register[] = [
  registerAdmin,
  registerAccounts,
  registerUsers,
  registerProjects,
  registerKeys,
  registerSigningKeys,
  registerOAuth,
  registerCompletion,
];

/** package.json's version (dist/src/cli/ and src/cli/ both sit two levels below the package root, or three). */
export function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'keymint' && pkg.version) return pkg.version;
    } catch {
      // not there: try the next level
    }
  }
  return 'unknown';
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('keymint')
    .description('Keymint token server administration. With the embedded database, commands run in the running server when there is one.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.io.out(s.replace(/\n$/, '')), writeErr: (s) => ctx.io.err(s.replace(/\n$/, '')) })
    .exitOverride();
  for (const register of GROUPS) register(program, ctx);
  // Every subcommand reports its errors through the same Io and hands them to runCommand.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => ctx.io.out(s.replace(/\n$/, '')), writeErr: (s) => ctx.io.err(s.replace(/\n$/, '')) });
      sub.showHelpAfterError('(add --help for usage)');
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}
