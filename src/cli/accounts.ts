// `keymint accounts create|verify|list`.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { createAccount, listAccounts, verifyAccount } from '../accounts/accounts.js';
import { checkPassword } from '../accounts/user-input.js';
import type { Role } from '../kernel/roles.js';
import type { CliContext } from './context.js';
import * as parse from './options.js';
import { fields, printer, table } from './output.js';

export const ONCE = 'The password is shown only this once. Give it to its owner now.';

/**
 * From stdin when asked, checked before any database work (for the role, or the lowest
 * floor when the role is the user's own, which the service then applies); otherwise a
 * strong random one (144 bits), printed once.
 */
export async function passwordFrom(ctx: CliContext, fromStdin: boolean | undefined, role: Role = 'basic') {
  if (fromStdin) return { password: checkPassword(await ctx.stdin(), role), generated: false };
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

export function registerAccounts(program: Command, ctx: CliContext): void {
  const accounts = program.command('accounts').description('customer accounts');
  accounts
    .command('create')
    .description('create an unverified account and its first Administrator')
    .requiredOption('--name <name>', 'account name', parse.name('--name', 200))
    .requiredOption('--admin-email <email>', "the Administrator's sign-in email", parse.email)
    .option('--admin-password-stdin', 'read the password from stdin (default: generate one and print it once)')
    .option('--json', 'print JSON: {"account","administrator","password"?}')
    .action(async (opts: { name: string; adminEmail: string; adminPasswordStdin?: boolean; json?: boolean }) => {
      const { password, generated } = await passwordFrom(ctx, opts.adminPasswordStdin, 'administrator');
      await ctx.withDatabase(async ({ db, config }) => {
        const out = await createAccount(db, config.bcryptCost, { name: opts.name, adminEmail: opts.adminEmail, adminPassword: password });
        printer(ctx.io, opts.json).print({ ...out, ...(generated ? { password } : {}) }, () =>
          fields([
            ['Account ID', out.account.accountId],
            ['Administrator', `${out.administrator.email} (user ${out.administrator.userId})`],
            ...(generated ? [['Password', password] as const] : []),
          ]) + `\n\n${generated ? `${ONCE}\n` : ''}The account is not verified yet: \`keymint accounts verify ${out.account.accountId}\` verifies it.`,
        );
      });
    });
  accounts
    .command('verify')
    .description('mark an account as verified: its Administrators may then create API credentials')
    .argument('<id>', 'account ID', parse.id('the account ID'))
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) =>
      ctx.withDatabase(async ({ db }) => {
        const account = await verifyAccount(db, id);
        printer(ctx.io, opts.json).print(account, () => `Account ${account.accountId} (${account.name}) is verified.`);
      }),
    );
  accounts
    .command('list')
    .description('show accounts, whether verified and whether verification was requested')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      ctx.withDatabase(async ({ db }) => {
        const all = await listAccounts(db);
        printer(ctx.io, opts.json).print(all, () =>
          all.length
            ? table(all, [['accountId', 'ACCOUNT ID'], ['name', 'NAME'], ['verified', 'VERIFIED'], ['verificationRequested', 'VERIFICATION REQUESTED']])
            : 'No accounts yet: `keymint bootstrap` or `keymint accounts create` makes one.',
        );
      }),
    );
}
