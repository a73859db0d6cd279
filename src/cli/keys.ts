// `keymint keys create|list|get|rename|delete`: a project's access keys, as the v1 API
// manages them (same rules, same audit log; the operator may manage any project).
import type { Command } from 'commander';
import { OPERATOR, type AccessKey } from '../access-keys/service.js';
import { operatorAccessKeys, type CliContext } from './context.js';
import * as parse from './options.js';
import { fields, printer, table } from './output.js';

const keyFields = (k: AccessKey) =>
  fields([
    ['Key ID', k.accessKeyId],
    ['Name', k.displayName],
    ['Project ID', k.projectId],
    ['Created', k.createTime],
    ['Updated', k.updateTime],
    ['Expires', k.expireTime ?? 'never'],
    ['Last used', k.lastUseTime ?? 'never'],
  ]);

export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description("a project's access keys (Key ID and Key Secret for /oauth2/token)");
  const project = (c: Command) => c.requiredOption('--project <id>', 'project ID', parse.id('--project'));

  project(keys.command('create').description('create an access key; prints its secret once'))
    .requiredOption('--name <displayName>', 'display name, unique in the project', parse.name('--name', 100))
    .option('--expire-time <time>', 'when the key stops working (ISO 8601; default: never)', parse.timestamp('--expire-time'))
    .option('--json', 'print JSON: {"accessKey","secret"} as the v1 API answers')
    .action((opts: { project: string; name: string; expireTime?: Date; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const created = await operatorAccessKeys(d).create(OPERATOR, opts.project, opts.name, opts.expireTime ?? null);
        printer(ctx.io, opts.json).print(created, () =>
          `${fields([['Key ID', created.accessKey.accessKeyId], ['Key Secret', created.secret]])}\n\nThe Key Secret is shown only this once. Store it now; a lost secret means a new key.`,
        );
      }),
    );

  project(keys.command('list').description("list a project's access keys"))
    .option('--json', 'print JSON: a list of keys')
    .action((opts: { project: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const service = operatorAccessKeys(d);
        const all: AccessKey[] = [];
        let token: string | undefined;
        do {
          const page = await service.list(OPERATOR, opts.project, 1000, token);
          all.push(...page.accessKeys);
          token = page.nextPageToken || undefined;
        } while (token);
        printer(ctx.io, opts.json).print(all, () =>
          all.length
            ? table(
                all.map((k) => ({ ...k, expireTime: k.expireTime ?? 'never', lastUseTime: k.lastUseTime ?? 'never' })),
                [['accessKeyId', 'KEY ID'], ['displayName', 'NAME'], ['createTime', 'CREATED'], ['expireTime', 'EXPIRES'], ['lastUseTime', 'LAST USED']],
              )
            : `Project ${opts.project} has no access keys: \`keymint keys create --project ${opts.project} --name NAME\` makes one.`,
        );
      }),
    );

  project(keys.command('get').description('show one access key (never its secret)'))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .option('--json', 'print JSON')
    .action((keyId: string, opts: { project: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const key = await operatorAccessKeys(d).get(OPERATOR, opts.project, keyId);
        printer(ctx.io, opts.json).print(key, () => keyFields(key));
      }),
    );

  project(keys.command('rename').description("change an access key's display name"))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .requiredOption('--name <displayName>', 'the new display name', parse.name('--name', 100))
    .option('--json', 'print JSON')
    .action((keyId: string, opts: { project: string; name: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const key = await operatorAccessKeys(d).update(OPERATOR, opts.project, keyId, opts.name);
        printer(ctx.io, opts.json).print(key, () => `Access key ${key.accessKeyId} is now named "${key.displayName}".`);
      }),
    );

  project(keys.command('delete').description('delete an access key: it gets no token from now on, on every instance'))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .option('--json', 'print JSON: {}')
    .action((keyId: string, opts: { project: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        await operatorAccessKeys(d).delete(OPERATOR, opts.project, keyId);
        printer(ctx.io, opts.json).print({}, () => `Access key ${keyId} is deleted.`);
      }),
    );
}
