// The operator's `keymint accounts|users|projects` subcommands. Each parses its options,
// calls a service and prints text or --json; service errors reach the caller of
// parseAsync, which prints them and exits non-zero.
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { createAccount, listAccounts, verifyAccount } from './accounts.js';
import { createProject, listProjects } from './projects.js';
import { isRole, ROLES, type Role } from '../kernel/roles.js';
import { addUser } from './users.js';

export type WithDb = <T>(fn: (db: Db, config: Config) => Promise<T>) => Promise<T>;

function parseRoleOption(value: string): Role {
  const role = value.trim().toLowerCase();
  if (!isRole(role)) throw new InvalidArgumentError(`--role must be one of ${ROLES.join(', ')}.`);
  return role;
}

/** The whole of stdin, less one trailing newline (what `echo` or a here-string adds). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Type the password, then press Enter and Ctrl-D.\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** From stdin when asked; otherwise a strong random one (144 bits), printed once. */
async function passwordFrom(fromStdin: boolean | undefined) {
  if (fromStdin) return { password: await readStdin(), generated: false };
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

const ONCE = 'The password is shown only this once. Give it to its owner now.';

export function registerAccountCommands(program: Command, withDb: WithDb): void {
  const accounts = program.command('accounts').description('customer accounts');
  accounts
    .command('create')
    .description('create an unverified account and its first Administrator')
    .requiredOption('--name <name>', 'account name')
    .requiredOption('--admin-email <email>', "the Administrator's sign-in email")
    .option('--admin-password-stdin', 'read the password from stdin (default: generate one and print it once)')
    .option('--json', 'print JSON: {"account","administrator","password"?}')
    .action((opts: { name: string; adminEmail: string; adminPasswordStdin?: boolean; json?: boolean }) =>
      withDb(async (db, config) => {
        const { password, generated } = await passwordFrom(opts.adminPasswordStdin);
        const out = await createAccount(db, config.bcryptCost, { name: opts.name, adminEmail: opts.adminEmail, adminPassword: password });
        if (opts.json) return console.log(JSON.stringify({ ...out, ...(generated ? { password } : {}) }));
        console.log(`Account ID:     ${out.account.accountId}\nAdministrator:  ${out.administrator.email} (user ${out.administrator.userId})`);
        if (generated) console.log(`Password:       ${password}\n\n${ONCE}`);
        console.log('The account is not verified yet: `keymint accounts verify ID` verifies it.');
      }),
    );
  accounts
    .command('verify')
    .description('mark an account as verified: its Administrators may then create API credentials')
    .argument('<id>', 'account ID')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) =>
      withDb(async (db) => {
        const account = await verifyAccount(db, id.trim());
        if (opts.json) return console.log(JSON.stringify(account));
        console.log(`Account ${account.accountId} (${account.name}) is verified.`);
      }),
    );
  accounts
    .command('list')
    .description('show accounts, whether verified and whether verification was requested')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withDb(async (db) => {
        const all = await listAccounts(db);
        if (opts.json) return console.log(JSON.stringify(all));
        console.table(all.map((a) => ({ id: a.accountId, name: a.name, verified: a.verified, 'verification requested': a.verificationRequested })));
      }),
    );

  program
    .command('users')
    .description('people of an account')
    .command('add')
    .description('add a user to an account with a role')
    .requiredOption('--account <id>', 'account ID')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--role <role>', ROLES.join('|'), parseRoleOption)
    .option('--password-stdin', 'read the password from stdin (default: generate one and print it once)')
    .option('--json', 'print JSON: {"user","password"?}')
    .action((opts: { account: string; email: string; role: Role; passwordStdin?: boolean; json?: boolean }) =>
      withDb(async (db, config) => {
        const { password, generated } = await passwordFrom(opts.passwordStdin);
        const user = await addUser(db, config.bcryptCost, opts.account.trim(), { email: opts.email, password, role: opts.role });
        if (opts.json) return console.log(JSON.stringify({ user, ...(generated ? { password } : {}) }));
        console.log(`User ID:   ${user.userId}\nEmail:     ${user.email}\nRole:      ${user.role}`);
        if (generated) console.log(`Password:  ${password}\n\n${ONCE}`);
      }),
    );

  const projects = program.command('projects').description('projects of an account');
  projects
    .command('create')
    .description('create a project in an account')
    .requiredOption('--account <id>', 'account ID')
    .requiredOption('--name <name>', 'project name')
    .option('--json', 'print JSON')
    .action((opts: { account: string; name: string; json?: boolean }) =>
      withDb(async (db) => {
        const project = await createProject(db, opts.account.trim(), opts.name);
        if (opts.json) return console.log(JSON.stringify(project));
        console.log(`Project ID:  ${project.projectId}\nName:        ${project.name}`);
      }),
    );
  projects
    .command('list')
    .description('list the projects of an account with their Project IDs')
    .requiredOption('--account <id>', 'account ID')
    .option('--json', 'print JSON')
    .action((opts: { account: string; json?: boolean }) =>
      withDb(async (db) => {
        const all = await listProjects(db, opts.account.trim());
        if (opts.json) return console.log(JSON.stringify(all));
        if (!all.length) return console.log('This account has no projects yet.');
        console.table(all.map((p) => ({ 'project ID': p.projectId, name: p.name })));
      }),
    );
}
