// `keymint projects create|list|rename|delete`.
import type { Command } from 'commander';
import { createProject, deleteProject, listProjects, renameProject } from '../accounts/projects.js';
import { projectCreated, projectDeleted, projectRenamed } from './audited.js';
import type { CliContext } from './context.js';
import * as parse from './options.js';
import { fields, printer, table } from './output.js';

export function registerProjects(program: Command, ctx: CliContext): void {
  const projects = program.command('projects').description('projects of an account');
  projects
    .command('create')
    .description('create a project in an account')
    .requiredOption('--account <id>', 'account ID', parse.id('--account'))
    .requiredOption('--name <name>', 'project name', parse.name('--name', 200))
    .option('--json', 'print JSON')
    .action((opts: { account: string; name: string; json?: boolean }) =>
      ctx.withDatabase(async ({ db }) => {
        const project = await createProject(db, opts.account, opts.name, projectCreated(opts.account));
        printer(ctx.io, opts.json).print(project, () => fields([['Project ID', project.projectId], ['Name', project.name]]));
      }),
    );
  projects
    .command('list')
    .description('list the projects of an account with their Project IDs')
    .requiredOption('--account <id>', 'account ID', parse.id('--account'))
    .option('--json', 'print JSON')
    .action((opts: { account: string; json?: boolean }) =>
      ctx.withDatabase(async ({ db }) => {
        const all = await listProjects(db, opts.account);
        printer(ctx.io, opts.json).print(all, () =>
          all.length ? table(all, [['projectId', 'PROJECT ID'], ['name', 'NAME'], ['createTime', 'CREATED']]) : 'This account has no projects yet.',
        );
      }),
    );
  projects
    .command('rename')
    .description('rename a project')
    .requiredOption('--account <id>', 'account ID', parse.id('--account'))
    .argument('<projectId>', 'project ID', parse.id('the project ID'))
    .requiredOption('--name <name>', 'the new name', parse.name('--name', 200))
    .option('--json', 'print JSON')
    .action((projectId: string, opts: { account: string; name: string; json?: boolean }) =>
      ctx.withDatabase(async ({ db }) => {
        const project = await renameProject(db, opts.account, projectId, opts.name, projectRenamed(opts.account));
        printer(ctx.io, opts.json).print(project, () => `Project ${project.projectId} is now named "${project.name}".`);
      }),
    );
  projects
    .command('delete')
    .description('delete a project; refused while it has credentials, unless --with-credentials')
    .requiredOption('--account <id>', 'account ID', parse.id('--account'))
    .argument('<projectId>', 'project ID', parse.id('the project ID'))
    .option('--with-credentials', "delete the project's credentials with it (they stop working at once)")
    .option('--json', 'print JSON: {"deleted":projectId,"deletedCredentials":n}')
    .action((projectId: string, opts: { account: string; withCredentials?: boolean; json?: boolean }) =>
      ctx.withDatabase(async ({ db, feed }) => {
        const { deletedCredentials } = await deleteProject(db, feed, opts.account, projectId, { withCredentials: opts.withCredentials ?? false }, projectDeleted(opts.account));
        printer(ctx.io, opts.json).print({ deleted: projectId, deletedCredentials }, () =>
          `Project ${projectId} is deleted${deletedCredentials ? `, with its ${deletedCredentials} credential${deletedCredentials === 1 ? '' : 's'}` : ''}.`,
        );
      }),
    );
}
