// `keymint migrate`, `bootstrap` and `master-key`.
import type { Command } from 'commander';
import { generateMasterKey } from '../crypto/master-key.js';
import { bootstrapAccount } from '../access-keys/bootstrap.js';
import type { CliContext } from './context.js';
import { operatorAccessKeys } from './context.js';
import * as parse from './options.js';
import { fields, printer } from './output.js';

export function registerAdmin(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--json', 'print JSON: {"applied":[names]}')
    .action((opts: { json?: boolean }) =>
      ctx.withDatabase(async ({ migrations }) => {
        printer(ctx.io, opts.json).print({ applied: migrations }, () =>
          migrations.length
            ? `Applied ${migrations.length} migration${migrations.length === 1 ? '' : 's'}:\n${migrations.map((m) => `  ${m}`).join('\n')}\nThe database is up to date.`
            : 'The database is up to date: no pending migrations.',
        );
      }),
    );

  program
    .command('bootstrap')
    .description('create a verified account, a project and its first access key; prints the secret once')
    .requiredOption('--account <name>', 'account name', parse.name('--account', 200))
    .requiredOption('--project <name>', 'project name', parse.name('--project', 200))
    .requiredOption('--key <displayName>', 'display name of the first access key', parse.name('--key', 100))
    .option('--json', 'print JSON: {"accountId","projectId","accessKey":{...},"secret"}')
    .action((opts: { account: string; project: string; key: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const result = await bootstrapAccount(d.db, operatorAccessKeys(d), opts);
        printer(ctx.io, opts.json).print(result, () =>
          fields([
            ['Account ID', result.accountId],
            ['Project ID', result.projectId],
            ['Key ID', result.accessKey.accessKeyId],
            ['Key Secret', result.secret],
          ]) + '\n\nThe Key Secret is shown only this once. Store it now; a lost secret means a new key.',
        );
      }),
    );

  program
    .command('master-key')
    .description('print a new random master key for KEYMINT_MASTER_KEY (for a new database only)')
    .option('--json', 'print JSON: {"masterKey"}')
    .action((opts: { json?: boolean }) => {
      const masterKey = generateMasterKey();
      printer(ctx.io, opts.json).print({ masterKey }, () => masterKey);
    });
}
