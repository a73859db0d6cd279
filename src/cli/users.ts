// `keymint users add|list|remove|set-password`.
import type { Command } from 'commander';
import { addUser, listUsers, removeUser } from '../accounts/users.js';
import { setPassword } from '../accounts/passwords.js';
import { ROLES, type Role } from '../kernel/roles.js';
import { ONCE, passwordFrom } from './accounts.js';
import { passwordSet, userChanged } from './audited.js';
import type { CliContext } from './context.js';
import * as parse from './options.js';
import { fields, printer, table } from './output.js';

export function registerUsers(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('people of an account');
  users
    .command('add')
    .description('add a user to an account with a role')
    .requiredOption('--account <id>', 'account ID', parse.id('--account'))
    .requiredOption('--email <email>', 'sign-in email', parse.email)
    .requiredOption('--role <role>', ROLES.join('|'), parse.role)
    .option('--password-stdin', 'read the password from stdin (default: generate one and print it once)')
    .option('--json', 'print JSON: {"user","password"?}')
    .action(async (opts: { account: string; email: string; role: Role; passwordStdin?: boolean; json?: boolean }) => {
      const { password, generated } = await passwordFrom(ctx, opts.passwordStdin, opts.role);
      await ctx.withDatabase(async ({ db, config }) => {
        const user = await addUser(db, config.bcryptCost, opts.account, { email: opts.email, password, role: opts.role }, userChanged(opts.account, 'user.add'));
        printer(ctx.io, opts.json).print({ user, ...(generated ? { password } : {}) }, () =>
          fields([['User ID', user.userId], ['Email', user.email], ['Role', user.role], ...(generated ? [['Password', password] as const] : [])]) +
          (generated ? `\n\n${ONCE}` : ''),
        );
      });
    });
  users
    .command('list')
    .description("list an account's users with their roles")
    .requiredOption('--account <id>', 'account ID', parse.id('--account'))
    .option('--json', 'print JSON')
    .action((opts: { account: string; json?: boolean }) =>
      ctx.withDatabase(async ({ db }) => {
        const all = await listUsers(db, opts.account);
        printer(ctx.io, opts.json).print(all, () => table(all, [['userId', 'USER ID'], ['email', 'EMAIL'], ['role', 'ROLE'], ['createTime', 'ADDED']]));
      }),
    );
  users
    .command('remove')
    .description('remove a user from an account (its last Administrator stays)')
    .requiredOption('--account <id>', 'account ID', parse.id('--account'))
    .argument('<userId>', 'user ID', parse.id('the user ID'))
    .option('--json', 'print JSON: {"removed":userId}')
    .action((userId: string, opts: { account: string; json?: boolean }) =>
      ctx.withDatabase(async ({ db }) => {
        await removeUser(db, opts.account, userId, userChanged(opts.account, 'user.remove'));
        printer(ctx.io, opts.json).print({ removed: userId }, () => `User ${userId} is removed from account ${opts.account}.`);
      }),
    );
  users
    .command('set-password')
    .description("set a user's sign-in password (generated and printed once, or read from stdin); signs out their sessions")
    .requiredOption('--account <id>', 'account ID', parse.id('--account'))
    .argument('<userId>', 'user ID', parse.id('the user ID'))
    .option('--password-stdin', 'read the password from stdin (default: generate one and print it once)')
    .option('--must-change', 'a temporary password: the user must choose a new one at the next sign-in')
    .option('--json', 'print JSON: {"user","password"?}')
    .action(async (userId: string, opts: { account: string; passwordStdin?: boolean; mustChange?: boolean; json?: boolean }) => {
      const { password, generated } = await passwordFrom(ctx, opts.passwordStdin);
      await ctx.withDatabase(async ({ db, config }) => {
        const change = { accountId: opts.account, userId, password, mustChange: opts.mustChange ?? false, keepSession: null };
        const user = await setPassword(db, config.bcryptCost, change, passwordSet(opts.account));
        printer(ctx.io, opts.json).print({ user, ...(generated ? { password } : {}) }, () =>
          `The password of ${user.email} is changed; their sessions are signed out.` + (generated ? `\n${fields([['Password', password]])}\n\n${ONCE}` : ''),
        );
      });
    });
}
