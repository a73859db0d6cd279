// `keymint keys create|list|get|rename|delete|rotate-secret|revoke-previous-secret|secrets` (and public-keys, token-settings:
// public-keys.ts): a project's access keys, as the v1 API manages them (same rules, same audit log; the operator may manage any project).
import type { Command } from 'commander';
import { OPERATOR, type AccessKey } from '../access-keys/service.js';
import { operatorAccessKeys, operatorRotation, type CliContext } from './context.js';
import type { KeySecret } from '../credentials/secret-rotation.js';
import * as parse from './options.js';
import { fields, printer, table } from './output.js';
import { registerPublicKeys } from './public-keys.js';

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

  const secretRows = (secrets: KeySecret[]) =>
    table(
      secrets.map((x) => ({ ...x, expireTime: x.expireTime ?? 'with the key', lastUseTime: x.lastUseTime ?? 'never' })),
      [['state', 'SECRET'], ['createTime', 'CREATED'], ['expireTime', 'EXPIRES'], ['lastUseTime', 'LAST USED']],
    );

  project(keys.command('rotate-secret').description('give a key a new secret (printed once), keeping its Key ID; the previous one keeps working for a while'))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .option('--previous-ttl <seconds>', 'how long the previous secret keeps working (default 86400 = 24 h; 0: it stops now; at most 2592000 = 30 days)', parse.seconds('--previous-ttl'))
    .option('--json', 'print JSON: {"accessKey","secret","secrets"} as the v1 API answers')
    .action((keyId: string, opts: { project: string; previousTtl?: number; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const overlap = { overlapMs: (opts.previousTtl ?? 86_400) * 1000 };
        const rotated = await operatorRotation(d).rotate(OPERATOR, opts.project, keyId, overlap);
        const previous = rotated.secrets.find((x) => x.state === 'PREVIOUS');
        printer(ctx.io, opts.json).print(rotated, () =>
          `${fields([['Key ID', rotated.accessKey.accessKeyId], ['Key Secret', rotated.secret]])}\n\n` +
            'The new Key Secret is shown only this once. Store it now.\n' +
            (previous ? `The previous secret keeps working until ${previous.expireTime}.` : 'The previous secret no longer works.'),
        );
      }),
    );

  project(keys.command('revoke-previous-secret').description("stop a rotated key's previous secret now, on every instance"))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .option('--json', 'print JSON')
    .action((keyId: string, opts: { project: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const done = await operatorRotation(d).revokePrevious(OPERATOR, opts.project, keyId);
        printer(ctx.io, opts.json).print(done, () => `The previous secret of access key ${keyId} no longer works.`);
      }),
    );

  project(keys.command('secrets').description("list a key's secrets (never the secrets themselves): creation, expiry, last use"))
    .argument('<keyId>', 'Key ID', parse.id('the Key ID'))
    .option('--json', 'print JSON')
    .action((keyId: string, opts: { project: string; json?: boolean }) =>
      ctx.withDatabase(async (d) => {
        const listed = await operatorRotation(d).listSecrets(OPERATOR, opts.project, keyId);
        printer(ctx.io, opts.json).print(listed, () => secretRows(listed.secrets));
      }),
    );

  registerPublicKeys(keys, ctx, project);
}
